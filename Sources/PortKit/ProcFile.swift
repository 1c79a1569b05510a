import Glibc
import SmokeCore

/// Reads procfs files with plain read(2): they report size 0, so size-based readers get nothing.
enum ProcFile {
    /// The whole file, or nil when it cannot be opened (gone, or not ours to read).
    static func read(_ path: String, limit: Int = 64 << 20) -> [UInt8]? {
        PlainFile.read(path, limit: limit)
    }

    static func readText(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The target of a symbolic link such as `/proc/<pid>/fd/3` → `socket:[1234]`.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
