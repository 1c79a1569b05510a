import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// A server whose second tool appears only after its first two listings, and the real Codex,
/// which reads the tool list once per run: a stage started as soon as the probe first says ready
/// (one listing, then Codex's) misses the late tool; a probe with `--stable-for` lists until the
/// list has settled, and the stage then sees it. Counted in listings, not seconds: a clock-based
/// delay let a slow Codex start under load see the tool anyway.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LateToolStageTests {
    static let stages = """
        {"stages": [{"name": "late", "prompt": "Call tool_01.", "expectations": [{"tool": "tool_01"}]}]}
        """

    /// Probe (with `probeFlags`), then one real Codex stage calling the late tool at once.
    func probeThenStage(_ probeFlags: [String]) throws -> (probe: ToolRun, stage: ToolRun) {
        let temp = try TempDirectory(prefix: "late-tool")
        try temp.write("stages.json", Self.stages)
        try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
        let server = try BackgroundProcess.python(
            "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit/fastmcp_server.py",
            ["--tools", "2", "--tools-after-lists", "2"])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(try server.waitForReadyPort(timeout: 60))/mcp"
        let probe = try ToolRun.run(
            "probe-initialize", ["--url", url, "--min-tools", "1", "--deadline", "20", "--era", "legacy"] + probeFlags)
        let codex = try #require(ProjectPaths.codex, "the pinned Codex CLI is missing: run `make deps`")
        let stage = try ToolRun.run(
            "codex-stage",
            [
                "run", "--stages", "stages.json", "--name", "late", "--cd", "repo", "--mcp-url", url, "--codex", codex,
                "--work", "work", "--timeout", "60", "--heartbeat-timeout", "30", "--quiet",
            ], cwd: temp.path)
        return (probe, stage)
    }

    @Test func withoutStableForTheStageMissesTheLateTool() throws {
        let (probe, stage) = try probeThenStage([])
        #expect(probe.status == 0)
        #expect(
            probe.json["tools"]?.arrayValue?.compactMap(\.stringValue) == ["tool_00"]
                || probe.json["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["tool_00"],
            "ready on the early list: \(probe.json["tools"]?.encodedString() ?? "")")
        #expect(stage.status == 1, "\(stage.stdout)")
        #expect(stage.errorCode == "tool_missing")
        #expect(
            stage.json["offered_tools"]?.arrayValue?.contains("tool_01") == false,
            "Codex read the list before tool_01 existed")
    }

    @Test func withStableForTheStageSeesItAndTheProbeListsTheChange() throws {
        let (probe, stage) = try probeThenStage(["--stable-for", "2.5"])
        #expect(probe.status == 0, "\(probe.stdout)")
        let changes = probe.json["catalog_changes"]?.arrayValue ?? []
        #expect(changes.contains { $0["tool"] == "tool_01" && $0["change"] == "added" }, "\(changes)")
        #expect(stage.status == 0, "\(stage.stdout)")
        #expect(stage.json["offered_tools"]?.arrayValue?.contains("tool_01") == true)
    }
}
