import Foundation
import SmokeTestSupport
import Testing

/// `ChildProcess.processTree`, which a test prints when a process it stopped is still running.
@Suite struct ProcessTreeTests {
    @Test func listsTheProcessAndWhatRunsUnderIt() throws {
        let parent = try BackgroundProcess("/bin/bash", ["-c", "sleep 30 >/dev/null 2>&1 & echo READY 0; wait"])
        defer { parent.stop() }
        _ = try parent.waitForReadyPort(timeout: 10)
        let lines = ChildProcess.processTree(of: parent.pid).split(separator: "\n")
        let sleeper = lines.first { $0.hasSuffix("sleep 30") }
        defer { if let pid = sleeper?.split(separator: " ").first.flatMap({ Int32($0) }) { kill(pid, SIGKILL) } }
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.contains { $0.split(separator: " ").first == "\(parent.pid)" }, "\(lines)")
        #expect(sleeper != nil, "\(lines)")
    }
}
