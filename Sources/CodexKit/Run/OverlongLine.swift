import Foundation
import SmokeCore

/// Writes what a `LineSplitter` delivers to a line file, redacted: whole lines as lines, the
/// parts of an overlong line as they stream (so the file stays byte-complete and memory bounded).
/// The parser sees an overlong line by its first 200 bytes only: not an event it could use.
struct OverlongLine {
    private var head: Data?

    mutating func deliver(_ piece: LineSplitter.Piece, to file: LineFile, consume: (Data) -> Void) {
        switch piece {
        case .line(let line):
            let redacted = Redactor.shared.redact(line)
            file.write(line: redacted)
            consume(redacted)
        case .part(let part, let ends):
            let redacted = Redactor.shared.redact(part)
            if head == nil { head = redacted.prefix(200) }
            file.write(bytes: redacted)
            if ends {
                file.write(bytes: Data([0x0A]))
                consume(head ?? Data())
                head = nil
            }
        }
    }
}
