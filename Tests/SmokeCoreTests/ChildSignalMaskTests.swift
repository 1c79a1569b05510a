import Foundation
import SmokeTestSupport
import Testing

/// Children started by tests must be stoppable with SIGTERM: a blocked SIGTERM would turn every
/// graceful stop into a SIGKILL after the grace period and hide shutdown bugs.
@Suite struct ChildSignalMaskTests {
    static func blockedMask(_ status: String) -> UInt64? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }) else { return nil }
        return UInt64(line.split(separator: "\t").last.map(String.init) ?? "", radix: 16)
    }

    @Test func childProcessStartsWithNoBlockedSignals() throws {
        let result = try ChildProcess.run("/bin/cat", ["/proc/self/status"])
        #expect(Self.blockedMask(result.stdout) == 0)
    }

    @Test func backgroundProcessStopsGracefullyOnSIGTERM() throws {
        // Python keeps the default SIGTERM disposition (a shell's trap would unblock it itself).
        let child = try BackgroundProcess(
            "/usr/bin/python3", ["-c", "import time; print('READY 0', flush=True); time.sleep(60)"])
        _ = try child.waitForLine(prefix: "READY", timeout: 10)
        let started = Date()
        child.stop(grace: 5)
        #expect(Date().timeIntervalSince(started) < 4, "SIGTERM was not delivered")
        #expect(child.process.terminationReason == .uncaughtSignal)
        #expect(child.process.terminationStatus == SIGTERM)
    }
}
