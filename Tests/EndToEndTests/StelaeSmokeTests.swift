import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// `scripts/smoke all` on a checkout laid out like current Stelae (Tests/Fixtures/StelaeShaped,
/// of this project's making): Stelae mode is picked by itself, the checkout's own servers start
/// behind stack/stelae_proxy.py, and the verdict names each server that cannot run and why.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct StelaeSmokeTests {
    static let fixture = "\(ProjectPaths.root)/Tests/Fixtures/StelaeShaped"

    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = [
            "STELAE_VENV": ProjectPaths.venv, "STAGES_FILE": "\(fixture)/stages.json",
            "PROBE_DEADLINE": "8", "DIAGNOSE_DEADLINE": "8",
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    @Test func bareCheckoutEndsRedNamingEachServerThatCannotRun() throws {
        let source = try SmokeSource(copying: "\(Self.fixture)/checkout")
        let output = try TempDirectory(prefix: "stelae-smoke")
        let started = Date()
        let run = try SmokeRun.run(
            source: source, runDirectory: output, environment: Self.environment(["STELAE_CONFIG_HOME": ""]),
            limitSeconds: 120)
        #expect(Date().timeIntervalSince(started) < 60, "bounded by the probe and diagnosis deadlines")
        #expect(run.status == 1, "\(run.diagnostics)")
        // The literal proxy URL of the Python defaults is the first failure, named with its path.
        #expect(run.firstFailure?["step"] == "ports")
        #expect(run.firstFailure?["code"] == "hardcoded_port")
        #expect(
            run.firstFailure?["message"]?.stringValue?.contains("catalog_defaults.py: toolAggregations.proxyURL")
                == true)
        // The stack came up with what can run; the probe misses the tools of the others.
        #expect(run.step("probe")?["error_code"] == "tools_not_ready")
        let servers = try #require(run.summary["servers"]?.arrayValue)
        func server(_ name: String) -> JSONValue? { servers.first { $0["name"]?.stringValue == name } }
        #expect(server("core")?["ok"] == true)
        #expect(server("core")?["tools"] == ["ping"])
        #expect(server("broken")?["error"]?["code"] == "exited")
        #expect(server("broken")?["error"]?["message"]?.stringValue?.contains("stelae_fixture_missing") == true)
        #expect(server("missing")?["error"]?["code"] == "command_not_found")
        #expect(server("remote")?["error"]?["code"] == "unreachable")
        // What each broken server takes with it: the curated tools it should have served.
        #expect(server("broken")?["required_tools"] == ["fix"])
        #expect(server("remote")?["required_tools"] == ["search"])
        #expect(
            run.step("diagnose")?["error_message"]?.stringValue?.contains("missing (command_not_found; takes install)")
                == true)
        #expect(run.step("stop-stack")?["status"] == "passed")
        #expect(run.step("port-free")?["status"] == "passed")
    }

    @Test func aConfigHomeThatHidesWhatCannotRunGoesGreenAndIsNotWritten() throws {
        let source = try SmokeSource(copying: "\(Self.fixture)/checkout")
        let output = try TempDirectory(prefix: "stelae-smoke")
        let port = try #require(try ToolRun.run("port-preflight", ["--random"]).json["port"]?.intValue)
        let home = try TempDirectory(prefix: "stelae-config-home")
        try home.write(
            "catalog/smoke.json",
            """
            {"toolAggregations": {"proxyURL": "http://127.0.0.1:\(port)"},
             "hideTools": [{"server": "broken", "tool": "fix"}, {"server": "missing", "tool": "install"},
                           {"server": "remote", "tool": "search"}]}
            """)
        let before = try FileManager.default.subpathsOfDirectory(atPath: home.path).sorted()
        let run = try SmokeRun.run(
            source: source, runDirectory: output,
            environment: Self.environment(["STELAE_CONFIG_HOME": home.path, "PROXY_PORT": String(port)]),
            limitSeconds: 120)
        #expect(run.status == 0, "\(run.diagnostics)")
        #expect(
            run.steps.compactMap { $0["step"]?.stringValue } == [
                "clone", "snapshot", "port-preflight", "render", "ports", "start-stack", "probe", "drift",
                "stage-core-tools", "verify-core-tools", "offered-core-tools", "era", "stop-stack", "port-free",
            ])
        // The server got its env from proxy.json: Codex saw ping answer with the greeting.
        let transcript = try String(contentsOfFile: "\(run.runDirectory)/transcripts/core-tools.jsonl", encoding: .utf8)
        #expect(transcript.contains("hello from core"))
        // Outputs in the run's copy of the config home, where the servers read them.
        #expect(FileManager.default.fileExists(atPath: "\(run.runDirectory)/config-home/.state/intended_catalog.json"))
        #expect(try FileManager.default.subpathsOfDirectory(atPath: home.path).sorted() == before)
    }
}
