import Foundation
import SmokeCore
import SmokeReportKit
import Testing

/// The plain-text queries (get, headline, require, curated, stage-names) and the ports and
/// offered-tools steps.
@Suite struct ChainStepTests {
    @Test func getFollowsADottedPath() throws {
        let fixture = try RunFixture()
        let file = try fixture.write(
            "04-render.json",
            [
                "port": 18555, "ok": true, "outputs": ["manifest": "/run/state/manifest.json", "counts": ["tools": 6]],
                "list": ["a", 1],
            ])
        #expect(
            ChainQueries.get(file: file, key: "outputs.manifest") == ReportOutput(stdout: "/run/state/manifest.json\n"))
        #expect(ChainQueries.get(file: file, key: "outputs.counts.tools") == ReportOutput(stdout: "6\n"))
        #expect(ChainQueries.get(file: file, key: "port") == ReportOutput(stdout: "18555\n"))
        #expect(ChainQueries.get(file: file, key: "ok") == ReportOutput(stdout: "true\n"))
        #expect(ChainQueries.get(file: file, key: "outputs.counts") == ReportOutput(stdout: "{\"tools\":6}\n"))
        #expect(ChainQueries.get(file: file, key: "list") == ReportOutput(stdout: "[\"a\",1]\n"))
        #expect(
            ChainQueries.get(file: file, key: "outputs.proxy")
                == ReportOutput(exit: 1, stderr: "\(file): no 'outputs.proxy'\n"))
        #expect(ChainQueries.get(file: file, key: "port.x").exit == 1, "a number has no keys")
        #expect(ChainQueries.get(file: fixture.path("missing.json"), key: "port").exit == 1)
    }

    @Test func headlineOfAFailedRunQuotesTheLastStackLogLines() throws {
        let fixture = try RunFixture()
        let summary = try fixture.write(
            "summary.json",
            [
                "ok": false, "passed": 7, "elapsed_ms": 5248, "steps": .array(Array(repeating: [:], count: 12)),
                "first_failure": ["step": "probe", "code": "tools_not_ready", "message": "wanted grep"],
                "stack_log_tail": .array((1...10).map { .string("log \($0)") }),
            ])
        let text = ChainQueries.headline(summaryPath: summary).stdout
        #expect(
            text.hasPrefix("smoke: FAILED at probe (tools_not_ready): wanted grep  [7/12 passed]\n  stack.log| log 3\n")
        )
        #expect(text.hasSuffix("  stack.log| log 10\n"))
        #expect(
            ChainQueries.headline(summaryPath: fixture.path("none.json"))
                == ReportOutput(
                    exit: 1, stdout: "smoke: no summary at \(fixture.path("none.json"))\n"))
        let passed = try fixture.write(
            "passed.json", ["ok": true, "passed": 2, "elapsed_ms": 2550, "steps": [[:], [:]]])
        #expect(
            ChainQueries.headline(summaryPath: passed).stdout == "smoke: PASSED 2/2 steps in 2.5 s\n",
            "2.55 rounds as printf rounds it")
        let timed = try fixture.write(
            "timed.json", ["ok": true, "passed": 2, "elapsed_ms": 4278, "wall_ms": 4934, "steps": [[:], [:]]])
        #expect(
            ChainQueries.headline(summaryPath: timed).stdout
                == "smoke: PASSED 2/2 steps in 4.9 s (4.3 s in the steps)\n")
    }

    @Test func requireCuratedAndStageNames() throws {
        let fixture = try RunFixture()
        let manifest = try fixture.write(
            "manifest.json",
            [
                "tools": [
                    ["name": "grep", "server": "fs"], ["name": "echo"], ["name": "workspace_fs_read", "server": ""],
                    "junk",
                ]
            ])
        let stages = try fixture.write(
            "stages.json",
            [
                "stages": [
                    ["name": "install", "expectations": [["tool": "manage_stelae"], ["tool": "grep"]]],
                    ["name": "remove", "expectations": [["tool": "remove_server"]]],
                    ["nameless": true],
                ]
            ])
        #expect(
            ChainQueries.require(manifest: manifest, stages: stages, selected: ["install"], extra: ["Zed", ""]).stdout
                == "Zed\necho\ngrep\nmanage_stelae\nworkspace_fs_read\n")
        #expect(
            ChainQueries.require(manifest: nil, stages: nil, selected: [], extra: []).stdout == "\n",
            "as the script printed it")
        #expect(ChainQueries.curated(manifest: manifest).stdout == "fs::grep\necho\nworkspace_fs_read\n")
        #expect(ChainQueries.curated(manifest: fixture.path("none.json")) == ReportOutput())
        #expect(ChainQueries.stageNames(stages: stages) == ReportOutput(stdout: "install remove\n"))
        #expect(
            ChainQueries.stageNames(stages: manifest)
                == ReportOutput(
                    exit: 2, stderr: "\(manifest): expected an object with a \"stages\" array\n"))
    }

    @Test func portsIsRedOnAFatalFindingAndGreenOtherwise() throws {
        let fixture = try RunFixture()
        let render = try fixture.write(
            "04-render.json",
            [
                "ok": true, "port": 18555,
                "hardcoded_ports": [
                    [
                        "file": "catalog/core.json", "json_path": "$.toolAggregations.proxyURL",
                        "value": "http://127.0.0.1:9090/mcp",
                        "port": 9090, "role": "client", "fatal": true,
                    ],
                    [
                        "file": "catalog/core.json", "json_path": "$.servers.docs.url",
                        "value": "http://127.0.0.1:7000",
                        "port": 7000, "role": "downstream", "fatal": false,
                    ],
                ],
            ])
        let out = fixture.path("05-ports.json")
        #expect(try ChainSteps.ports(render: render, out: out).exit == 1)
        let answer = try JSONValue.load(path: out)
        #expect(answer["ok"] == false && answer["step"] == "ports" && answer["tool"] == "smoke")
        #expect(answer["hardcoded_ports"]?.arrayValue?.count == 2)
        #expect(
            answer["error"] == [
                "code": "hardcoded_port",
                "message":
                    "catalog/core.json: $.toolAggregations.proxyURL is \"http://127.0.0.1:9090/mcp\": clients call port 9090, not the stack's 18555",
            ])

        let clean = try fixture.write(
            "clean.json", ["ok": true, "port": 18555, "hardcoded_ports": [["port": 7000, "fatal": false]]])
        #expect(try ChainSteps.ports(render: clean, out: out).exit == 0)
        #expect(try JSONValue.load(path: out)["ok"] == true)
        #expect(
            try ChainSteps.ports(render: fixture.path("missing.json"), out: out).exit == 0, "no findings, nothing fatal"
        )
        #expect(try JSONValue.load(path: out)["hardcoded_ports"] == [])
    }

    @Test func offeredJudgesTheStagesAnswerAgainstTheManifest() throws {
        let fixture = try RunFixture()
        let manifest = try fixture.write(
            "manifest.json", ["tools": [["name": "grep", "server": "fs"], ["name": "echo"]]])
        let out = fixture.path("10-offered-install.json")
        func judge(_ answer: JSONValue, model: String = "scripted") throws -> (exit: Int32, answer: JSONValue) {
            let stage = try fixture.write("08-stage-install.json", answer)
            let output = try ChainSteps.offered(
                OfferedRequest(stage: "install", stageJSON: stage, manifest: manifest, model: model, out: out))
            return (output.exit, try JSONValue.load(path: out))
        }

        // What codex-stage writes: the flat list and the per-server map (read by CodexKit's OfferedTools).
        let all = try judge([
            "offered_tools": ["echo", "grep", "shell_extra"],
            "offered_by_server": ["stelae": ["echo", "grep", "shell_extra"]],
        ])
        #expect(all.exit == 0)
        #expect(all.answer["ok"] == true && all.answer["checked"] == true && all.answer["missing"] == [])
        #expect(all.answer["offered"] == ["echo", "grep", "shell_extra"] && all.answer["curated"] == ["echo", "grep"])
        #expect(
            all.answer["step"] == "offered-install" && all.answer["stage"] == "install"
                && all.answer["manifest"] == .string(manifest))

        // A stale manifest: Codex offered the model an older list.
        let stale = try judge(["offered_tools": ["mcp__stelae__echo"], "offered_by_server": nil])
        #expect(stale.exit == 1)
        #expect(stale.answer["missing"] == ["grep"] && stale.answer["offered"] == ["echo"])
        #expect(stale.answer["error"]?["code"] == "tool_not_offered")
        #expect(
            stale.answer["error"]?["message"]
                == "Codex did not offer the curated tool(s) grep to the model in stage 'install' (offered: echo)")

        let none = try judge(["offered_tools": []])
        #expect(none.exit == 1 && none.answer["error"]?["message"]?.stringValue?.hasSuffix("(offered: none)") == true)

        let unknown = try judge(["offered_tools": nil])
        #expect(unknown.exit == 1 && unknown.answer["error"]?["code"] == "offered_tools_unknown")
        #expect(!unknown.answer.has("checked"))

        let real = try judge(["offered_tools": nil], model: "real")
        #expect(real.exit == 0 && real.answer["checked"] == false && real.answer["offered"] == .null)
    }
}
