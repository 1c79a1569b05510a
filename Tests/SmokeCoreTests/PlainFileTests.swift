import Foundation
import SmokeCore
import Testing

/// `PlainFile`, the read(2) reader of the secret scan and of procfs: sizes are only a first guess.
@Suite struct PlainFileTests {
    @Test func readsAFileWholeWhateverItsSize() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for size in [0, 1, 65_535, 65_536, 200_003] {
            let path = "\(directory)/f\(size)"
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(PlainFile.read(path) == bytes, "size \(size)")
            #expect(PlainFile.read(path, regularOnly: true) == bytes, "size \(size)")
            #expect(PlainFile.read(path, limit: 10) == Array(bytes.prefix(10)), "size \(size)")
        }
    }

    /// procfs reports size 0 for files that are not empty.
    @Test func readsProcfsFilesThatReportSizeZero() throws {
        var status = stat()
        #expect(stat("/proc/self/status", &status) == 0 && status.st_size == 0)
        let text = String(decoding: try #require(PlainFile.read("/proc/self/status")), as: UTF8.self)
        #expect(text.contains("Pid:\t\(getpid())"), "\(text.prefix(200))")
    }

    @Test func noAnswerForAMissingFileOrADirectoryWhenOnlyRegularFilesCount() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(PlainFile.read("\(directory)/missing") == nil)
        #expect(PlainFile.read("/proc/self/status", regularOnly: true) != nil)  // procfs files are regular
        #expect(PlainFile.read(directory, regularOnly: true) == nil)  // a directory opens, and is refused
    }

    /// Each name is read in place (regression: port-preflight's lister copied the whole 256-byte
    /// `d_name`, reading past readdir's buffer on short last entries; `make sanitize` caught it).
    /// Names of every length, compared with what was created; no `.` or `..`.
    @Test func namesEveryEntryExactly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var expected: Set<String> = [".hidden"]
        for length in 1...255 { expected.insert(String(repeating: "n", count: length)) }
        for name in expected {
            #expect(FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: nil))
        }
        let listed = try #require(PlainFile.names(inDirectory: directory))
        #expect(Set(listed) == expected)
        #expect(listed.count == expected.count)
        #expect(Set(try #require(PlainFile.names(inDirectory: "/proc/self/fd"))).contains("0"))
        #expect(PlainFile.names(inDirectory: "\(directory)/missing") == nil)
    }

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "plainfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
