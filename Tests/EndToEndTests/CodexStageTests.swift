import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The built `codex-stage` binary: real Codex CLI, real FastMCP fixture, JSON envelope and exit codes.
@Suite(.timeLimit(.minutes(2)))
struct CodexStageTests {
    static let stages = """
        {"stages": [
          {"name": "golden", "prompt": "Call echo.", "expectations": [{"tool": "echo", "arguments": {"text": "hi"}}]},
          {"name": "raises", "prompt": "Call explode.", "expectations": [{"tool": "explode"}]}
        ]}
        """

    final class Setup: Sendable {
        let temp: TempDirectory
        let stages: String
        let codex: String

        init() throws {
            temp = try TempDirectory(prefix: "codex-stage-e2e")
            stages = try temp.write("stages.json", CodexStageTests.stages)
            try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
            codex = try #require(ProjectPaths.codex, "the pinned Codex CLI is missing: run `make deps`")
        }

        func run(_ name: String, mcpURL: String, _ extra: [String] = []) throws -> ToolRun {
            // Relative --cd, --work and --stages, resolved against the tool's working directory.
            try ToolRun.run(
                "codex-stage",
                [
                    "run", "--stages", "stages.json", "--name", name, "--cd", "repo", "--mcp-url", mcpURL,
                    "--codex", codex, "--work", "work", "--timeout", "60", "--heartbeat-timeout", "30", "--quiet",
                ] + extra, cwd: temp.path)
        }

        func check(_ name: String, _ transcript: String) throws -> ToolRun {
            try ToolRun.run("codex-stage", ["check", "--stages", stages, "--name", name, transcript])
        }
    }

    static func fixture() throws -> (BackgroundProcess, String) {
        let server = try BackgroundProcess.python("\(ProjectPaths.root)/Tests/Fixtures/CodexKit/mcp_fixture.py")
        let port = try server.waitForReadyPort(timeout: 60)
        return (server, "http://127.0.0.1:\(port)/mcp")
    }

    @Test func goldenRunThenCheckOnTheSavedFiles() async throws {
        try await offPool { try goldenRunThenCheck() }
    }

    func goldenRunThenCheck() throws {
        let setup = try Setup()
        let (server, url) = try Self.fixture()
        defer { server.stop() }
        let run = try setup.run("golden", mcpURL: url)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.json["ok"] == true)
        #expect(run.json["stage"] == "golden")
        #expect(run.json["calls"]?.arrayValue?.first?["status"] == "completed")
        #expect(run.json["offered_tools"]?.arrayValue?.contains("echo") == true)
        let transcript = try #require(run.json["transcript"]?.stringValue)
        #expect(
            run.json["stderr_log"]?.stringValue == transcript.replacingOccurrences(of: ".jsonl", with: ".stderr.log"))
        let check = try setup.check("golden", transcript)
        #expect(check.status == 0)
        #expect(check.json["calls"] == run.json["calls"])
        #expect(check.json["offered_tools"] == run.json["offered_tools"])
    }

    @Test func failedToolExitsOneAndCheckAgrees() async throws {
        try await offPool { try failedToolExitsOne() }
    }

    func failedToolExitsOne() throws {
        let setup = try Setup()
        let (server, url) = try Self.fixture()
        defer { server.stop() }
        let run = try setup.run("raises", mcpURL: url)
        #expect(run.status == 1)
        #expect(run.errorCode == "tool_failed")
        let check = try setup.check("raises", try #require(run.json["transcript"]?.stringValue))
        #expect(check.status == 1)
        #expect(check.errorCode == "tool_failed")
        #expect(check.json["error"] == run.json["error"])
    }

    @Test func heartbeatTimeoutExits124() async throws {
        try await offPool { try heartbeatTimeout() }
    }

    func heartbeatTimeout() throws {
        let setup = try Setup()
        let (server, url) = try Self.fixture()
        defer { server.stop() }
        let script = try setup.temp.write("hang.json", #"{"steps": [{"fault": "hang_before_headers"}]}"#)
        let run = try setup.run(
            "golden", mcpURL: url, ["--script", script, "--heartbeat-timeout", "3", "--grace", "1"])
        #expect(run.status == 124)
        #expect(run.errorCode == "heartbeat_timeout")
        let check = try setup.check("golden", try #require(run.json["transcript"]?.stringValue))
        #expect(check.status == 124)
        #expect(check.errorCode == "heartbeat_timeout")
    }

    @Test func inputAndEnvironmentErrors() async throws {
        try await offPool { try inputErrors() }
    }

    func inputErrors() throws {
        let setup = try Setup()
        let url = "http://127.0.0.1:9/mcp"
        let unknownStage = try setup.run("nope", mcpURL: url)
        #expect(unknownStage.status == 2)
        #expect(unknownStage.errorCode == "stage_not_found")
        let noCodex = try ToolRun.run(
            "codex-stage",
            [
                "run", "--stages", setup.stages, "--name", "golden", "--cd", setup.temp.file("repo"), "--mcp-url", url,
                "--codex", setup.temp.file("missing-codex"),
            ])
        #expect(noCodex.status == 3)
        #expect(noCodex.errorCode == "codex_not_found")
        let badURL = try setup.run("golden", mcpURL: "not a url")
        #expect(badURL.status == 2)
        #expect(badURL.errorCode == "invalid_url")
        let badStages = try setup.temp.write("bad.json", "{\"stages\": [")
        let malformed = try ToolRun.run(
            "codex-stage", ["check", "--stages", badStages, "--name", "x", setup.temp.file("t.jsonl")])
        #expect(malformed.status == 2)
        #expect(malformed.errorCode == "invalid_json")
        let missingTranscript = try setup.check("golden", setup.temp.file("absent.jsonl"))
        #expect(missingTranscript.status == 2)
        #expect(missingTranscript.errorCode == "file_not_found")
        let noSubcommand = try ToolRun.run("codex-stage", [])
        #expect(noSubcommand.status == 2)
        #expect(noSubcommand.errorCode == "usage")

        // A stage expecting a tool the stack's manifest does not hold stops before Codex runs
        // (the Codex binary given does not exist: reaching it would be codex_not_found).
        let manifest = try setup.temp.write("manifest.json", #"{"schemaVersion": 1, "tools": [{"name": "other"}]}"#)
        let stale = try ToolRun.run(
            "codex-stage",
            [
                "run", "--stages", setup.stages, "--name", "golden", "--cd", setup.temp.file("repo"), "--mcp-url", url,
                "--codex", setup.temp.file("missing-codex"), "--manifest", manifest,
            ])
        #expect(stale.status == 2)
        #expect(stale.errorCode == "unknown_tool")
        #expect(stale.json["unknown_tools"] == ["echo"])
        #expect(stale.json["error"]?["message"]?.stringValue?.contains("stage 'golden' expects echo") == true)
        let holds = try setup.temp.write("holds.json", #"{"schemaVersion": 1, "tools": [{"name": "echo"}]}"#)
        let known = try ToolRun.run(
            "codex-stage",
            [
                "run", "--stages", setup.stages, "--name", "golden", "--cd", setup.temp.file("repo"), "--mcp-url", url,
                "--codex", setup.temp.file("missing-codex"), "--manifest", holds,
            ])
        #expect(known.errorCode == "codex_not_found")
    }
}
