import Foundation
import SmokeCore

/// An append-only file written one whole line per `write(2)`, so whatever stops the stage, every
/// line that arrived is already on disk (no user-space buffer to lose).
final class LineFile: Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws(SmokeError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SmokeError(.writeFailed, "\(path): cannot open for writing: \(String(cString: strerror(errno)))")
        }
    }

    func write(line: Data) {
        var data = line
        data.append(0x0A)
        write(bytes: data)
    }

    /// Bytes as they are (part of an overlong line).
    func write(bytes data: Data) {
        // A failed write (disk full or similar) is not fatal: judging goes on from memory and the
        // report names the file.
        _ = FileIO.writeAll(data, to: fd)
    }

    func write(line: String) { write(line: Data(line.utf8)) }

    deinit { close(fd) }
}
