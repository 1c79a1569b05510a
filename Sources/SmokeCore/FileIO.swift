import Foundation

/// File reads and atomic writes with errors that name the path.
public enum FileIO {
    public static func read(path: String) throws(SmokeError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SmokeError(.fileNotFound, "\(path): no such file")
        }
        if isDirectory.boolValue {
            throw SmokeError(.fileNotFound, "\(path): is a directory, expected a file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SmokeError(.fileUnreadable, "\(path): cannot be read (permission denied?)")
        }
        return data
    }

    /// Writes `data` to `path` atomically: a temp file in the same directory, fsync, rename.
    /// A reader sees the old file or the new one, never a partial one; a failure leaves the old
    /// file untouched. Returns whether the bytes on disk changed. `durable: false` skips the fsync
    /// (the rename stays atomic): for files that matter only while this process and its children
    /// run, where a flush to disk would cost a stage milliseconds for nothing.
    @discardableResult
    public static func writeAtomically(
        _ data: Data, to path: String, mode: mode_t = 0o644, durable: Bool = true
    ) throws(SmokeError) -> Bool {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        if let existing = FileManager.default.contents(atPath: path), existing == data {
            return false
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SmokeError(.writeFailed, "\(directory): cannot create directory: \(error.localizedDescription)")
        }
        let temp = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw SmokeError(.writeFailed, "\(path): cannot create temp file: \(String(cString: strerror(errno)))")
        }
        var failure = writeAll(data, to: fd).map { String(cString: strerror($0)) }
        // umask may have narrowed the mode at open(); files holding credentials rely on it exactly.
        if failure == nil, fchmod(fd, mode) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil, durable, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temp)
            throw SmokeError(.writeFailed, "\(path): \(failure)")
        }
        return true
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR. Returns the errno of a
    /// failed write (disk full, closed pipe), or nil when all bytes went out.
    public static func writeAll(_ data: Data, to fd: Int32) -> Int32? {
        data.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    @discardableResult
    public static func writeAtomically(
        _ text: String, to path: String, mode: mode_t = 0o644, durable: Bool = true
    ) throws(SmokeError) -> Bool {
        try writeAtomically(Data(text.utf8), to: path, mode: mode, durable: durable)
    }

    @discardableResult
    public static func writeJSON(
        _ value: JSONValue, to path: String, mode: mode_t = 0o644, durable: Bool = true
    ) throws(SmokeError) -> Bool {
        try writeAtomically(value.encoded(pretty: true, trailingNewline: true), to: path, mode: mode, durable: durable)
    }
}
