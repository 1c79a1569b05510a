import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// `make smoke SMOKE_BASE_REF=REV`: the chain diffs what Codex sees at REV against this render;
/// a change that removes a tool is a red `diff` step naming it, and the run goes on.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SmokeBaseRefTests {
    @Test func aCommitThatHidesACuratedToolIsABreakingDiff() throws {
        let source = try SmokeSource()
        // A second commit hides grep in the core catalog.
        let catalog = "\(source.path)/stack/catalog/core.json"
        guard case .object(var fragment) = try JSONValue.load(path: catalog),
            case .object(var aggregations)? = fragment["toolAggregations"]
        else {
            Issue.record("stack/catalog/core.json has no toolAggregations")
            return
        }
        aggregations["hiddenTools"] = .array(
            (aggregations["hiddenTools"]?.arrayValue ?? [])
                + [["server": "stelae", "tool": "grep", "reason": "test: a change that removes a tool"]])
        fragment["toolAggregations"] = .object(aggregations)
        try JSONValue.object(fragment).encodedString(pretty: true).write(
            toFile: catalog, atomically: true, encoding: .utf8)
        for arguments in [
            ["add", "-A"],
            ["-c", "user.email=smoke@example.invalid", "-c", "user.name=smoke", "commit", "-q", "-m", "hide grep"],
        ] {
            #expect(try ChildProcess.run("git", arguments, cwd: source.path).status == 0)
        }
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(
            source: source, runDirectory: output, environment: ["SMOKE_BASE_REF": "HEAD~1", "STAGES": "install"])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.step("diff")?["status"] == "failed")
        #expect(run.step("diff")?["error_code"] == "breaking_change")
        let diff = try #require(run.stepJSON("diff"))
        let changes = diff["changes"]?.arrayValue ?? []
        #expect(
            changes.contains { $0["tool"] == "grep" && $0["change"] == "tool_removed" && $0["kind"] == "breaking" },
            "\(changes)")
        // The run went on: the stage ran against the stack as it is now.
        #expect(run.step("stage-install")?["status"] == "passed")
        #expect(run.step("big-answer")?["status"] == "passed")
    }
}
