import Foundation
import SmokeTestSupport
import Testing

@testable import PortKit

/// `ProcFile.list` reads each name in place (regression: it copied the whole 256-byte `d_name`,
/// reading past readdir's buffer on short last entries; `make sanitize` caught it). Names of every
/// length, compared with FileManager's listing.
@Suite struct ProcFileListTests {
    @Test func listsEveryNameExactly() throws {
        let temp = try TempDirectory(prefix: "procfile-list")
        var expected: Set<String> = []
        for length in 1...255 {
            let name = String(repeating: "n", count: length)
            FileManager.default.createFile(atPath: temp.file(name), contents: nil)
            expected.insert(name)
        }
        let listed = try #require(ProcFile.list(temp.path))
        #expect(Set(listed) == expected)
        #expect(listed.count == expected.count)
        #expect(Set(try #require(ProcFile.list("/proc/self/fd"))).contains("0"))
    }
}
