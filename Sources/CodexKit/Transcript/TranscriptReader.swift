import Foundation
import SmokeCore

/// Reads a saved file line by line in fixed-size chunks: memory is one chunk plus the longest
/// line, never the whole file.
public enum TranscriptReader {
    public static let chunkSize = 1 << 20

    public static func forEachLine(path: String, _ body: (Data) -> Void) throws(SmokeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SmokeError(.fileNotFound, "\(path): no such file")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SmokeError(.fileUnreadable, "\(path): cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // Bounded like the live run: a line over the limit reaches `body` as its first 200 bytes.
        var splitter = LineSplitter(maximumLineLength: LineSplitter.defaultMaximumLineLength)
        var head: Data?
        func deliver(_ piece: LineSplitter.Piece) {
            switch piece {
            case .line(let line): body(line)
            case .part(let part, let ends):
                if head == nil { head = part.prefix(200) }
                if ends {
                    body(head ?? Data())
                    head = nil
                }
            }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw SmokeError(.fileUnreadable, "\(path): read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), piece: deliver)
        }
        splitter.finish(piece: deliver)
    }
}
