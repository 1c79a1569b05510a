import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// Stages run by the real Codex CLI (pinned .venv package) against the real FastMCP fixture
/// server, with the scripted model; each test also checks that `check` on the saved files
/// reaches the verdict `run` reached.
@Suite(.timeLimit(.minutes(2)), .shared { try FixtureServer() })
struct RealCodexStageTests {
    static let stages = """
        {"stages": [
          {"name": "golden", "prompt": "Call echo and count.", "expectations": [
            {"tool": "echo", "server": "stelae", "arguments": {"text": "hi"}},
            {"tool": "count", "arguments": {"n": 3}}]},
          {"name": "raises", "prompt": "Call explode.", "expectations": [{"tool": "explode", "arguments": {"text": "x"}}]},
          {"name": "bad-arguments", "prompt": "Call count wrongly.", "expectations": [{"tool": "count", "arguments": {"n": "abc"}}]},
          {"name": "unpublished", "prompt": "Call a tool that does not exist.", "expectations": [{"tool": "no_such_tool"}]},
          {"name": "crash", "prompt": "Call crash.", "expectations": [{"tool": "crash"}]},
          {"name": "slow", "prompt": "Call slow.", "expectations": [{"tool": "slow", "arguments": {"seconds": 60}}]},
          {"name": "big", "prompt": "Call big.", "expectations": [{"tool": "big", "arguments": {"size": 1048576}}]},
          {"name": "echo", "prompt": "Call echo.", "expectations": [{"tool": "echo", "arguments": {"text": "a"}}]}
        ]}
        """

    /// Runs `name`, then `check` on its files, and expects both to report `code`.
    func runAndCheck(_ harness: StageHarness, _ options: CodexStage.RunOptions, expect code: ErrorCode?) async throws
        -> StageReport
    {
        let report = try await CodexStage.run(options)
        #expect(report.code == code, "run: \(report.error?.description ?? "ok")")
        let checked = try harness.check(report, name: options.name)
        #expect(checked.code == code, "check: \(checked.error?.description ?? "ok")")
        #expect(checked.fields["calls"] == report.fields["calls"])
        #expect(checked.fields["expectations"] == report.fields["expectations"])
        #expect(checked.fields["offered_tools"] == report.fields["offered_tools"])
        return report
    }

    @Test func goldenStagePasses() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(harness, harness.options("golden", mcpURL: server.url), expect: nil)
        #expect(report.calls.count == 2)
        #expect(report.calls.allSatisfy { $0["status"] == "completed" && $0["error"] == .null })
        // Codex runs the calls of one model response concurrently: completion order varies.
        #expect(report.calls.first { $0["tool"] == "echo" }?["arguments"] == ["text": "hi"])
        #expect(report.expectationResults.allSatisfy { $0["met"] == true })
        #expect(report.fields["offered_tools"] == ["big", "count", "crash", "echo", "explode", "slow"])
        #expect(report.fields["exit_code"] == 0)
        #expect(report.fields["nonjson_lines"] == 0)
        let lines = fileLines(report.transcriptPath)
        #expect(lines.first?.contains("thread.started") == true)
        #expect(lines.last?.contains("turn.completed") == true)
        // The fresh CODEX_HOME is gone after the stage (it may hold credentials).
        #expect(!FileManager.default.fileExists(atPath: harness.temp.file("work/codex-home-golden")))
    }

    @Test func toolThatRaisesIsToolFailedWithItsText() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(harness, harness.options("raises", mcpURL: server.url), expect: .toolFailed)
        #expect(report.error?.message.contains("Expecting value: line 1 column 1") == true)
        #expect(report.calls.first?["status"] == "failed")
        #expect(report.expectationResults.first?["matched"] == 0)
        #expect(report.error?.exit == .checkFailed)
    }

    @Test func badArgumentsAreToolFailed() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(
            harness, harness.options("bad-arguments", mcpURL: server.url), expect: .toolFailed)
        #expect(report.error?.message.contains("valid integer") == true)
    }

    @Test func unpublishedToolIsMissingWithStderrHint() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(
            harness, harness.options("unpublished", mcpURL: server.url), expect: .toolMissing)
        #expect(report.error?.message.contains("unsupported call: mcp__stelaeno_such_tool") == true)
        #expect(report.error?.message.contains("did not offer it") == true)
        #expect(report.error?.fields["tool_offered"] == false)
        #expect(report.calls.isEmpty)
    }

    @Test func requiredServerDownIsMCPStartupFailed() async throws {
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(
            harness, harness.options("echo", mcpURL: "http://127.0.0.1:\(closedPort())/mcp"), expect: .mcpStartupFailed)
        #expect(report.error?.message.contains("required MCP servers failed to initialize") == true)
        #expect(fileLines(report.transcriptPath).isEmpty)
        #expect(report.fields["exit_code"] == 1)
    }

    /// Its own server: the tool kills it.
    @Test func serverKilledDuringCallIsToolFailed() async throws {
        let server = try await offPool { try FixtureServer() }
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(harness, harness.options("crash", mcpURL: server.url), expect: .toolFailed)
        #expect(report.calls.first?["status"] == "failed")
        #expect(report.error?.message.contains("crash failed: tool call error") == true)
        #expect(!server.process.process.isRunning)
    }

    @Test func toolSlowerThanToolTimeoutIsToolFailedNamingTheTimeout() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("slow", mcpURL: server.url)
        options.toolTimeout = 1
        let report = try await runAndCheck(harness, options, expect: .toolFailed)
        #expect(report.error?.message.contains("timed out awaiting tools/call") == true)
        let duration = report.fields["duration_ms"]?.intValue ?? 0
        #expect(duration < 30_000, "the 1 s tool timeout, not the 60 s tool, ended the call")
    }

    @Test func modelHangingBeforeHeadersIsHeartbeatTimeoutWithLinesOnDisk() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("echo", mcpURL: server.url)
        options.scriptPath = try harness.script(
            "hang.json",
            #"{"steps": [{"calls": [{"tool": "echo", "arguments": {"text": "a"}}]}, {"fault": "hang_before_headers"}]}"#
        )
        // Long enough for Codex's silent start-up on a loaded machine; the hang itself is endless.
        options.heartbeatTimeout = 6
        let report = try await runAndCheck(harness, options, expect: .heartbeatTimeout)
        #expect(report.error?.exit == .timeout)
        let lines = fileLines(report.transcriptPath)
        #expect(lines.contains { $0.contains("\"item.completed\"") && $0.contains("\"echo\"") })
        #expect(!lines.contains { $0.contains("turn.completed") })
        #expect(report.calls.first?["status"] == "completed")
        #expect(fileLines(report.stderrLogPath).contains("[codex-stage] end heartbeat_timeout 6.0"))
    }

    @Test func wallClockTimeoutFires() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("echo", mcpURL: server.url)
        options.scriptPath = try harness.script("hang.json", #"{"steps": [{"fault": "hang_before_headers"}]}"#)
        options.timeout = 2
        options.heartbeatTimeout = 0
        let report = try await runAndCheck(harness, options, expect: .timeout)
        #expect(report.error?.exit == .timeout)
        #expect((report.fields["duration_ms"]?.intValue ?? 0) >= 2000)
    }

    @Test func httpErrorFromModelIsTurnFailed() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("echo", mcpURL: server.url)
        options.scriptPath = try harness.script(
            "error.json",
            #"{"steps": [{"fault": "http_error", "status": 400, "body": "{\"error\":{\"message\":\"scripted bad request\"}}"}]}"#
        )
        let report = try await runAndCheck(harness, options, expect: .turnFailed)
        #expect(report.error?.message.contains("scripted bad request") == true)
    }

    @Test func throwawayHomeLivesInScratchAndGoesAfterTheStage() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let scratch = harness.temp.file("scratch")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let seen = harness.temp.file("codex-home.txt")
        var options = harness.options("echo", mcpURL: server.url)
        options.scratch = scratch
        options.codex = try harness.wrapper("codex-home.sh", "echo \"$CODEX_HOME\" > '\(seen)'\nexec \"$CODEX\" \"$@\"")
        _ = try await runAndCheck(harness, options, expect: nil)
        let home = fileLines(seen).first ?? ""
        #expect(home.hasPrefix(scratch + "/codex-stage-echo-") && home.hasSuffix("/codex-home-echo"), "\(home)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "the private directory is removed too"
        )
        #expect(!FileManager.default.fileExists(atPath: harness.temp.file("work/codex-home-echo")))
    }

    /// Codex's shell snapshot starts the user's login shell in a session of its own, which outlives
    /// a stopped stage (here a profile's `pyenv rehash` sat out a 60 s lock after every stage).
    @Test func noLoginShellUnlessTheTemplateAsksForTheShellSnapshot() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let home = harness.temp.file("home")
        let marker = harness.temp.file("login-shell-ran")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        _ = try harness.temp.write("home/.bash_profile", "touch '\(marker)'\n")
        var options = harness.options("echo", mcpURL: server.url)
        options.codex = try harness.wrapper("home.sh", "export HOME='\(home)'\nexec \"$CODEX\" \"$@\"")
        _ = try await runAndCheck(harness, options, expect: nil)
        #expect(!FileManager.default.fileExists(atPath: marker), "the stage's Codex ran the login shell")

        // The control: asked for in the template, the snapshot runs that profile.
        _ = try harness.temp.write("template/config.toml", "[features]\nshell_snapshot = true\n")
        options.codexHomeTemplate = harness.temp.file("template")
        _ = try await runAndCheck(harness, options, expect: nil)
        #expect(try await awaitCondition(seconds: 10) { FileManager.default.fileExists(atPath: marker) })
    }

    @Test func codexKilledFromOutsideIsIncompleteTranscriptKept() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let pidFile = harness.temp.file("codex.pid")
        var options = harness.options("echo", mcpURL: server.url)
        options.codex = try harness.wrapper("codex-pid.sh", "echo $$ > '\(pidFile)'\nexec \"$CODEX\" \"$@\"")
        options.scriptPath = try harness.script(
            "hang.json",
            #"{"steps": [{"calls": [{"tool": "echo", "arguments": {"text": "a"}}]}, {"fault": "hang_before_headers"}]}"#
        )
        let transcript = harness.temp.file("transcripts/echo.jsonl")
        async let running = CodexStage.run(options)
        // Wait (bounded) until the echo call is on disk, then SIGKILL Codex itself, not its group.
        var killed = false
        for _ in 0..<600 where !killed {
            if fileLines(transcript).contains(where: { $0.contains("\"item.completed\"") }),
                let pid = Int32(fileLines(pidFile).first ?? "")
            {
                kill(pid, SIGKILL)
                killed = true
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(killed)
        let report = try await running
        #expect(report.code == .incompleteTranscript)
        #expect(report.fields["signal"] == 9)
        #expect(fileLines(transcript).count >= 4)
        let checked = try harness.check(report, name: "echo")
        #expect(checked.code == .incompleteTranscript)
        #expect(checked.fields["calls"] == report.fields["calls"])
    }

    @Test func oneMegabyteToolResult() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        let report = try await runAndCheck(harness, harness.options("big", mcpURL: server.url), expect: nil)
        #expect(report.calls.first?["status"] == "completed")
        let longest = fileLines(report.transcriptPath).map(\.utf8.count).max() ?? 0
        #expect(longest > 1_048_576)
    }

    @Test func injectedNonJSONLinesAreCountedAndTheStageIsStillJudged() async throws {
        let server = try SuiteShared.value(FixtureServer.self)
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("raises", mcpURL: server.url)
        options.codex = try harness.wrapper(
            "codex-noisy.sh", "echo 'banner: not json'\n\"$CODEX\" \"$@\"\nstatus=$?\necho '{truncated'\nexit $status")
        let report = try await runAndCheck(harness, options, expect: .toolFailed)
        #expect(report.fields["nonjson_lines"] == 2)
        #expect(report.fields["nonjson_samples"] == ["banner: not json", "{truncated"])
        #expect(report.error?.message.contains("Expecting value") == true)
    }
}
