import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// Every tool answers a bad flag with the JSON envelope and exit 2, never only usage text.
@Suite struct UsageErrorTests {
    static let tools = ["render-manifest", "port-preflight", "probe-initialize", "codex-stage", "git-clean-check"]

    @Test(arguments: tools)
    func unknownFlagIsJSONUsageError(tool: String) throws {
        let run = try ToolRun.run(tool, ["--definitely-not-a-flag"])
        #expect(run.status == 2)
        #expect(run.json["ok"] == false)
        #expect(run.json["tool"]?.stringValue == tool)
        #expect(run.errorCode == "usage")
        #expect(run.json["error"]?["message"]?.stringValue?.contains("definitely-not-a-flag") == true)
    }

    @Test(arguments: tools)
    func helpIsPlainTextExitZero(tool: String) throws {
        let result = try ChildProcess.run(ProjectPaths.binary(tool), ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }

    /// `--model` is a closed set: a value outside it is a usage error naming the allowed ones.
    @Test func unknownModelNamesTheAllowedValues() throws {
        let run = try ToolRun.run(
            "codex-stage",
            [
                "run", "--model", "nope", "--stages", "s.json", "--name", "n", "--cd", ".", "--mcp-url",
                "http://127.0.0.1:1/mcp",
            ])
        #expect(run.status == 2)
        #expect(run.errorCode == "usage")
        let message = run.json["error"]?["message"]?.stringValue ?? ""
        #expect(
            message.contains("'nope'") && message.contains("'scripted'") && message.contains("'real'"), "\(message)")
    }
}
