import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// Regressions found by the command-line mutation test (scripts/mutate_cli.py): values no
/// Duration can hold trapped (SIGILL / SIGTRAP) instead of exiting 2 with a JSON answer.
@Suite(.timeLimit(.minutes(2)))
struct HostileArgumentTests {
    static let huge = ["1e30", "99999999999999999999999", "inf", "18446744073709551616"]

    @Test(arguments: huge)
    func probeInitializeRefusesUnboundedTimes(value: String) throws {
        for flag in ["--attempt-timeout", "--deadline"] {
            let run = try ToolRun.run(
                "probe-initialize", ["--url", "http://127.0.0.1:9/mcp", "\(flag)=\(value)", "--quiet"])
            #expect(run.status == 2, "\(flag) \(value): \(run.stdout)")
            #expect(run.errorCode == "invalid_argument")
        }
    }

    @Test(arguments: huge)
    func codexStageRefusesUnboundedTimes(value: String) throws {
        let temp = try TempDirectory(prefix: "hostile-args")
        try temp.write("stages.json", #"{"stages": [{"name": "s", "prompt": "p", "expectations": []}]}"#)
        try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
        let fake = "\(ProjectPaths.root)/Tests/Fixtures/Hardening/fake_codex.sh"
        for flag in ["--timeout", "--heartbeat-timeout", "--grace"] {
            let run = try ToolRun.run(
                "codex-stage",
                [
                    "run", "--stages", "stages.json", "--name", "s", "--cd", "repo", "--mcp-url",
                    "http://127.0.0.1:9/mcp",
                    "--codex", fake, "--work", "work", "\(flag)=\(value)", "--quiet",
                ], cwd: temp.path)
            #expect(run.status == 2, "\(flag) \(value): \(run.stdout)")
            #expect(run.errorCode == "invalid_timeout")
        }
        let serve = try ToolRun.run(
            "codex-stage",
            ["serve-model", "--stages", "stages.json", "--name", "s", "--max-seconds=\(value)", "--quiet"],
            cwd: temp.path)
        #expect(serve.status == 2, "--max-seconds \(value): \(serve.stdout)")
        #expect(serve.errorCode == "invalid_timeout")
    }
}
