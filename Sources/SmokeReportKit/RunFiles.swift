import Foundation
import SmokeCore

/// The files of a run directory: step answers read leniently (a missing or malformed file is no
/// answer, never an error: the chain records what the tool left), written atomically by FileIO.
public enum RunFiles {
    /// The `tool` of every document the chain writes itself.
    public static let chainTool = "smoke"

    /// A JSON file parsed by SmokeCore's reader; nil when it is missing, unreadable or malformed.
    public static func load(_ path: String) -> JSONValue? {
        try? JSONValue.load(path: path)
    }

    /// `load` when the document is an object.
    static func loadObject(_ path: String) -> [String: JSONValue]? {
        load(path)?.objectValue
    }

    /// Pretty, sorted keys, a final newline; atomic (temp file + rename). Not fsynced: these files
    /// matter to the run that writes them, and a flush per step would cost each step milliseconds.
    public static func write(_ value: JSONValue, to path: String) throws(SmokeError) {
        try FileIO.writeJSON(value, to: path, durable: false)
    }

    /// `Path(run) / name`: an absolute name stands alone.
    static func join(_ directory: String, _ name: String) -> String {
        if name.hasPrefix("/") { return name }
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// The whole file as text, invalid UTF-8 replaced (`read_text(errors="replace")`).
    static func readText(_ path: String) -> String? {
        guard let bytes = readBytes(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of a regular file (SmokeCore's `PlainFile`: no Foundation on the scan's path).
    static func readBytes(_ path: String) -> [UInt8]? {
        PlainFile.read(path, regularOnly: true)
    }

    /// Appends one line to a file opened in append mode (the ledger).
    static func append(_ line: String, to path: String) throws(SmokeError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SmokeError(.writeFailed, "\(path): cannot open for appending: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if let failure = FileIO.writeAll(Data(line.utf8), to: fd) {
            throw SmokeError(.writeFailed, "\(path): \(String(cString: strerror(failure)))")
        }
    }
}

/// `Path.resolve()` (not strict): absolute, symbolic links followed as far as the path exists,
/// `.` and `..` folded, so two spellings of one place compare equal.
enum PathResolver {
    static func resolve(_ path: String) -> String {
        var seen = 0
        let absolute = path.hasPrefix("/") ? path : RunFiles.join(currentDirectory(), path)
        return walk(components(absolute), from: "/", seen: &seen)
    }

    /// Whether `path` lies strictly inside `directory` (both resolved), and its relative spelling.
    static func relative(_ path: String, inside directory: String) -> String? {
        let base = resolve(directory)
        let target = resolve(path)
        let prefix = base == "/" ? "/" : base + "/"
        guard target.hasPrefix(prefix), target.count > prefix.count else { return nil }
        return String(target.dropFirst(prefix.count))
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func walk(_ parts: [String], from start: String, seen: inout Int) -> String {
        var resolved = start
        for part in parts {
            if part == "." { continue }
            if part == ".." {
                resolved = parent(of: resolved)
                continue
            }
            let candidate = resolved == "/" ? "/\(part)" : "\(resolved)/\(part)"
            guard let target = linkTarget(candidate), seen < 40 else {
                resolved = candidate
                continue
            }
            seen += 1
            resolved = walk(components(target), from: target.hasPrefix("/") ? "/" : resolved, seen: &seen)
        }
        return resolved
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), path != "/" else { return "/" }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
