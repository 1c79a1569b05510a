import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The runner with small shell children: process group, timeouts, evidence on disk, environment.
@Suite(.timeLimit(.minutes(1)))
struct StageRunnerTests {
    func runner(_ temp: TempDirectory, _ script: String, timeout: Double = 20, heartbeat: Double = 0, grace: Double = 1)
        throws -> StageRunner
    {
        let path = temp.file("child.sh")
        // O_CLOEXEC write + rename: a concurrent fork elsewhere cannot keep it open for writing (ETXTBSY).
        try FileIO.writeAtomically("#!/bin/bash\n\(script)\n", to: path, mode: 0o755)
        return StageRunner(
            executable: path, arguments: [], workingDirectory: temp.path, transcriptPath: temp.file("t/stage.jsonl"),
            stderrPath: temp.file("t/stage.stderr.log"), timeout: timeout, heartbeatTimeout: heartbeat, grace: grace)
    }

    @Test func timeoutKillsTheWholeProcessGroupIncludingGrandchildren() async throws {
        let temp = try TempDirectory(prefix: "runner")
        let pidFile = temp.file("grandchild.pid")
        let result = try await runner(
            temp, "sleep 300 &\necho $! > '\(pidFile)'\necho '{\"type\":\"turn.started\"}'\nwait", timeout: 1
        ).run()
        #expect(result.end == .timeout(seconds: 1))
        let grandchild = try #require(Int32(fileLines(pidFile).first ?? ""))
        // Bounded wait for the kernel to finish delivering the group signal.
        var alive = true
        for _ in 0..<100 where alive {
            alive = kill(grandchild, 0) == 0
            if alive { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(!alive, "the grandchild in the stage's process group was killed too")
        #expect(fileLines(temp.file("t/stage.jsonl")) == [#"{"type":"turn.started"}"#])
        #expect(fileLines(temp.file("t/stage.stderr.log")).last == "[codex-stage] end timeout 1.0")
    }

    @Test func childIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let temp = try TempDirectory(prefix: "runner")
        let result = try await runner(
            temp, "trap '' TERM\necho started\nwhile true; do sleep 0.1; done", heartbeat: 1, grace: 1
        ).run()
        #expect(result.end == .heartbeatTimeout(seconds: 1))
        #expect(result.duration < .seconds(10))
        #expect(fileLines(temp.file("t/stage.stderr.log")).contains("[codex-stage] child signal 9"))
        #expect(result.transcript.nonJSONLines == 1)
    }

    @Test func childThatClosesItsOutputButKeepsRunningStillMeetsTheTimeout() async throws {
        let temp = try TempDirectory(prefix: "runner")
        let result = try await runner(temp, "echo '{\"type\":\"turn.started\"}'\nexec >&- 2>&-\nsleep 30", timeout: 1.5)
            .run()
        #expect(result.end == .timeout(seconds: 1.5))
        #expect(result.duration < .seconds(10))
        #expect(result.transcript.turnStarted)
    }

    @Test func stdinIsNullRustBacktraceUnsetSecretsRedactedPartialLastLineKept() async throws {
        let temp = try TempDirectory(prefix: "runner")
        setenv("RUST_BACKTRACE", "1", 1)
        let secret = "sk-runner-test-\(UUID().uuidString)"
        Redactor.shared.add(secret)
        let script = """
            echo "{\\"rust_backtrace\\":\\"${RUST_BACKTRACE-unset}\\"}"
            if read -r line; then echo "stdin had: $line"; else echo '{"stdin":"eof"}'; fi
            echo "{\\"leak\\":\\"\(secret)\\"}"
            echo "token \(secret)" >&2
            printf '{"type":"turn.completed"}'
            """
        let result = try await runner(temp, script).run()
        #expect(result.end == .exited(0))
        let lines = fileLines(temp.file("t/stage.jsonl"))
        #expect(
            lines == [
                #"{"rust_backtrace":"unset"}"#, #"{"stdin":"eof"}"#, #"{"leak":"[REDACTED]"}"#,
                #"{"type":"turn.completed"}"#,
            ])
        #expect(fileLines(temp.file("t/stage.stderr.log")).first == "token [REDACTED]")
        #expect(result.transcript.turnCompleted, "a last line without a newline still counts")
    }

    /// The heartbeat judges when the child wrote, not when this process got round to reading it:
    /// a child printing every 0.2 s is not silent while every cooperative-pool thread is blocked
    /// by other work (what parallel tests do). The flake this pins down: lines left unread on a
    /// starved pool made a talking Codex look silent, and the heartbeat fired mid-stage.
    @Test func heartbeatSeesOutputWhileTheCooperativePoolIsBlocked() async throws {
        let temp = try TempDirectory(prefix: "runner")
        let script = "for i in $(seq 1 15); do echo \"{\\\"n\\\":$i}\"; sleep 0.2; done"
        async let running = runner(temp, script, heartbeat: 1).run()
        // Block the pool only once the child is talking, so the spawn itself is not held up.
        for _ in 0..<500 where fileLines(temp.file("t/stage.jsonl")).isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!fileLines(temp.file("t/stage.jsonl")).isEmpty, "the child started")
        let width = ProcessInfo.processInfo.activeProcessorCount
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<width { group.addTask { usleep(2_500_000) } }
        }
        let result = try await running
        #expect(result.end == .exited(0), "\(result.end)")
        #expect(fileLines(temp.file("t/stage.jsonl")).count == 15)
    }
}
