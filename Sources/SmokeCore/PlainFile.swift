import Glibc

/// Whole-file reads by plain read(2), for paths read often or in bulk (a run directory's secret
/// scan, procfs): no Foundation, and no size trust: procfs files report size 0, and a log may grow
/// while it is read.
public enum PlainFile {
    /// The bytes up to end of file or `limit`; nil when the path cannot be opened or read, or, with
    /// `regularOnly`, is not a regular file.
    public static func read(_ path: String, regularOnly: Bool = false, limit: Int = .max) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        if regularOnly && (status.st_mode & S_IFMT) != S_IFREG { return nil }
        // One byte past the reported size, so a file that keeps its size ends in one read past it.
        var bytes = [UInt8](repeating: 0, count: min(max(Int(status.st_size), 0) + 1, limit))
        var filled = 0
        while filled < limit {
            if filled == bytes.count {
                // Array-to-array growth: a memcpy even in a debug build, where appending a
                // `repeatElement` copies element by element (0.8 s for one run directory's scan).
                bytes += [UInt8](repeating: 0, count: min(max(bytes.count, 65_536), limit - filled))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Names in a directory (without `.` and `..`), in readdir's order; nil when it cannot be listed.
    public static func names(inDirectory path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        // d_name is read in place up to its NUL: a dirent is only as long as its name, so copying
        // the whole 256-byte d_name tuple read past the end of readdir's buffer (AddressSanitizer:
        // heap-buffer-overflow on the last entry).
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(directory) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
