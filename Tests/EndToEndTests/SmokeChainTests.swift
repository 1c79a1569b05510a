import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// `scripts/smoke all` (what `make smoke` runs) end to end: the five real tools, the real stack
/// behind `fastmcp run`, the real Codex CLI with the scripted model. Green on the default stack, and
/// each known breakage reported at the right step with the right code. Every run is bounded by
/// `timeout`; every stack the chain starts is stopped by the chain (the tests check it).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SmokeChainTests {
    static let defaultSteps = [
        "clone", "snapshot", "port-preflight", "render", "start-stack", "probe", "drift", "big-answer",
        "stage-bundle-tools", "verify-bundle-tools", "offered-bundle-tools",
        "stage-install", "verify-install", "offered-install",
        "stage-remove", "verify-remove", "offered-remove", "era",
        "stop-stack", "port-free",
    ]

    @Test func greenOnTheDefaultStackWithEvidenceAndNoSecrets() throws {
        let source = try SmokeSource()
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(source: source, runDirectory: output)
        #expect(run.status == 0, "\(run.diagnostics)")
        #expect(run.summary["ok"] == true)
        #expect(run.firstFailure == .null)
        #expect(run.steps.compactMap { $0["step"]?.stringValue } == Self.defaultSteps)
        for step in run.steps {
            #expect(step["status"]?.stringValue == "passed", "\(step.encodedString())")
            let file = try #require(step["file"]?.stringValue)
            let answer = try JSONValue.load(path: "\(run.runDirectory)/\(file)")
            #expect(answer["ok"] == true, "\(file)")
        }
        // Evidence: transcripts per stage, the stack log, the tools/list the probe saw, JUnit.
        for stage in ["bundle-tools", "install", "remove"] {
            #expect(FileManager.default.fileExists(atPath: "\(run.runDirectory)/transcripts/\(stage).jsonl"))
        }
        let junit = try String(contentsOfFile: "\(run.runDirectory)/junit.xml", encoding: .utf8)
        #expect(junit.components(separatedBy: "<testcase ").count - 1 == Self.defaultSteps.count)
        #expect(!junit.contains("<failure"))
        let live = try JSONValue.load(path: "\(run.runDirectory)/tools.json")
        let liveNames = Set((live["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        #expect(
            liveNames == [
                "doc_fetch_suite", "grep", "manage_docy_sources", "manage_stelae",
                "workspace_fs_read", "workspace_fs_write",
            ])
        // The port is free again and the run directory is the last line printed.
        #expect(run.stepJSON("port-free")?["free"] == true)
        #expect(run.stdout.split(separator: "\n").last.map(String.init) == run.runDirectory)
        #expect(!FileManager.default.fileExists(atPath: "\(run.runDirectory)/workspace"), "removed without KEEP=1")
        #expect(run.filesHoldingSecrets().isEmpty, "\(run.filesHoldingSecrets())")
    }

    @Test func templateWithAHardCodedPortFailsAtRender() throws {
        let source = try SmokeSource { root in
            let template = "\(root)/stack/proxy.template.json"
            let text = try String(contentsOfFile: template, encoding: .utf8)
            try text.replacingOccurrences(of: ":{{PROXY_PORT}}", with: ":9090")
                .write(toFile: template, atomically: true, encoding: .utf8)
        }
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(source: source, runDirectory: output, environment: ["KEEP": "1"])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"]?.stringValue == "render")
        #expect(run.firstFailure?["code"]?.stringValue == "hardcoded_port")
        #expect(run.step("start-stack")?["status"]?.stringValue == "skipped", "no stack is started on a bad render")
        #expect(FileManager.default.fileExists(atPath: "\(run.runDirectory)/workspace/stack"), "kept on failure")
        let junit = try String(contentsOfFile: "\(run.runDirectory)/junit.xml", encoding: .utf8)
        #expect(junit.contains("type=\"hardcoded_port\""))
    }

    @Test func catalogHidingGrepIsCaughtBeforeCodexNamingGrep() throws {
        let source = try SmokeSource { root in
            // Hide grep in the core catalog (the fragment holding toolAggregations).
            let catalogDirectory = "\(root)/stack/catalog"
            for name in try FileManager.default.contentsOfDirectory(atPath: catalogDirectory).sorted()
            where name.hasSuffix(".json") {
                let path = "\(catalogDirectory)/\(name)"
                guard case .object(var fragment) = try JSONValue.load(path: path),
                    case .object(var aggregations)? = fragment["toolAggregations"]
                else { continue }
                var hidden = aggregations["hiddenTools"]?.arrayValue ?? []
                hidden.append(["server": "stelae", "tool": "grep", "reason": "smoke test: a catalog that hides grep"])
                aggregations["hiddenTools"] = .array(hidden)
                fragment["toolAggregations"] = .object(aggregations)
                try JSONValue.object(fragment).encodedString(pretty: true).write(
                    toFile: path, atomically: true, encoding: .utf8)
                return
            }
            Issue.record("no catalog fragment with toolAggregations under stack/catalog")
        }
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(
            source: source, runDirectory: output, environment: ["STAGES": "bundle-tools", "PROBE_DEADLINE": "8"])
        #expect(run.status == 1, "\(run.diagnostics)")
        let failure = try #require(run.firstFailure)
        let step = try #require(failure["step"]?.stringValue)
        #expect(["probe", "drift"].contains(step), "\(run.diagnostics)")
        if step == "probe" { #expect(failure["code"]?.stringValue == "tools_not_ready") }
        let answer = try #require(run.stepJSON(step))
        #expect(
            answer.allStrings.contains("grep") || (failure["message"]?.stringValue?.contains("grep") ?? false),
            "the failing step must name grep: \(answer.encodedString())")
        #expect(run.stepJSON("stop-stack")?["ok"] == true, "the stack is stopped after a failed probe")
        #expect(run.stepJSON("port-free")?["free"] == true)
    }

    @Test func stackThatDiesAtStartFailsTheProbeAndTheSummaryQuotesItsLog() throws {
        let source = try SmokeSource()
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(
            source: source, runDirectory: output,
            environment: [
                "PROXY_CMD": "\"$VENV/bin/python\" \(SmokePaths.fixtures)/dying_stack.py", "PROBE_DEADLINE": "20",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"]?.stringValue == "probe")
        #expect(run.firstFailure?["code"]?.stringValue == "stack_exited", "the probe stops waiting for a dead stack")
        #expect((run.step("probe")?["elapsed_ms"]?.intValue ?? .max) < 4000, "well before PROBE_DEADLINE")
        let tail = (run.summary["stack_log_tail"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(tail.contains { $0.contains("No module named 'stelae_missing_module'") }, "\(tail)")
        #expect(run.step("stop-stack")?["error_code"]?.stringValue == "stack_exited")
        #expect(run.step("stage-bundle-tools")?["status"]?.stringValue == "skipped")
        #expect(run.filesHoldingSecrets().isEmpty, "\(run.filesHoldingSecrets())")
    }

    @Test func downstreamServerThatCannotStartFailsTheProbeAndTheSummaryQuotesItsLog() throws {
        // The catalog curates a tool the stack cannot implement: the proxy comes up, server.py exits
        // at start each time the proxy spawns it (failure mode 5 of the reference: tools/list empty).
        let source = try SmokeSource { root in
            let catalogDirectory = "\(root)/stack/catalog"
            for name in try FileManager.default.contentsOfDirectory(atPath: catalogDirectory).sorted()
            where name.hasSuffix(".json") {
                let path = "\(catalogDirectory)/\(name)"
                guard case .object(var fragment) = try JSONValue.load(path: path),
                    case .object(var aggregations)? = fragment["toolAggregations"]
                else { continue }
                var list = aggregations["aggregations"]?.arrayValue ?? []
                list.append([
                    "name": "memory_suite", "description": "A tool the embedded stack does not implement.",
                    "inputSchema": [
                        "type": "object", "properties": ["operation": ["type": "string", "enum": ["recall"]]],
                        "required": ["operation"],
                    ],
                    "operations": [["value": "recall", "downstreamServer": "memory", "downstreamTool": "recall"]],
                ])
                aggregations["aggregations"] = .array(list)
                fragment["toolAggregations"] = .object(aggregations)
                try JSONValue.object(fragment).encodedString(pretty: true).write(
                    toFile: path, atomically: true, encoding: .utf8)
                return
            }
            Issue.record("no catalog fragment with toolAggregations under stack/catalog")
        }
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(source: source, runDirectory: output, environment: ["PROBE_DEADLINE": "8"])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.step("render")?["status"]?.stringValue == "passed")
        #expect(run.firstFailure?["step"]?.stringValue == "probe", "\(run.diagnostics)")
        let tail = (run.summary["stack_log_tail"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(tail.contains { $0.contains("cannot start") && $0.contains("memory_suite") }, "\(tail)")
    }

    @Test func stageWhoseToolWritesIntoTheCloneFailsVerifyNamingThePath() throws {
        let source = try SmokeSource()
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(
            source: source, runDirectory: output,
            environment: [
                "PROXY_CMD": "\"$VENV/bin/python\" \(SmokePaths.fixtures)/leaky_stack.py", "STAGES": "bundle-tools",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"]?.stringValue == "verify-bundle-tools")
        #expect(run.firstFailure?["code"]?.stringValue == "dirty_worktree")
        let changed = run.stepJSON("verify-bundle-tools")?["changed"]?.arrayValue ?? []
        #expect(changed.compactMap { $0["path"]?.stringValue } == ["LEAK.txt"], "\(changed)")
        #expect(run.step("stage-bundle-tools")?["status"]?.stringValue == "passed", "the stage itself passed")
    }

    @Test func stalePortListenerIsStoppedByPreflight() throws {
        let listener = try BackgroundProcess.python("\(SmokePaths.fixtures)/stale_listener.py")
        defer { listener.stop() }
        let port = try listener.waitForReadyPort()
        let source = try SmokeSource()
        let output = try TempDirectory(prefix: "smoke-run")
        let run = try SmokeRun.run(
            source: source, runDirectory: output,
            environment: [
                "PROXY_PORT": String(port), "STAGES": "install",
            ])
        #expect(run.status == 0, "\(run.diagnostics)")
        let preflight = try #require(run.stepJSON("port-preflight"))
        #expect(preflight["port"]?.intValue == Int64(port))
        #expect(preflight["free"] == true)
        let signalled = (preflight["signalled"]?.arrayValue ?? []).compactMap { $0["pid"]?.intValue }
        #expect(signalled.contains(Int64(listener.pid)))
        let deadline = Date().addingTimeInterval(5)
        while listener.process.isRunning, Date() < deadline { usleep(20_000) }  // reaping is asynchronous
        #expect(!listener.process.isRunning)
        #expect(run.stepJSON("start-stack")?["port"]?.intValue == Int64(port))
    }

    @Test func terminatingTheChainStopsTheToolAndTheStackAndStillSummarises() throws {
        let source = try SmokeSource()
        let output = try TempDirectory(prefix: "smoke-run")
        let chain = Process()
        chain.executableURL = URL(fileURLWithPath: "/bin/bash")
        chain.arguments = [SmokePaths.script, "all"]
        chain.currentDirectoryURL = URL(fileURLWithPath: ProjectPaths.root)
        chain.environment = SmokeRun.environment(source: source, runDirectory: output, extra: [:])
        chain.standardInput = FileHandle.nullDevice
        chain.standardOutput = FileHandle.nullDevice
        chain.standardError = FileHandle.nullDevice
        try chain.run()
        defer { if chain.isRunning { kill(chain.processIdentifier, SIGKILL) } }
        // Interrupt once the stages have begun (the ledger has the drift step), bounded by 120 s.
        let ledger = "\(output.path)/run/steps.jsonl"
        let started = Date()
        while chain.isRunning, Date().timeIntervalSince(started) < 120,
            !((try? String(contentsOfFile: ledger, encoding: .utf8))?.contains("\"drift\"") ?? false)
        {
            usleep(50_000)
        }
        try #require(chain.isRunning, "the chain ended before it could be interrupted")
        kill(chain.processIdentifier, SIGTERM)
        let stopAsked = Date()
        while chain.isRunning, Date().timeIntervalSince(stopAsked) < 60 { usleep(50_000) }
        if chain.isRunning {
            let tree = ChildProcess.processTree(of: chain.processIdentifier)
            Issue.record("the chain is still running 60 s after SIGTERM:\n\(tree)")
        }
        // (terminationStatus traps while the process runs: a chain still running must end the test, not the unit)
        try #require(!chain.isRunning, "the chain must end promptly after SIGTERM")
        #expect(chain.terminationStatus == 143)
        let run = SmokeRun(
            status: chain.terminationStatus, stdout: "", stderr: "",
            runDirectory: "\(output.path)/run", summary: .null
        ).reloaded()
        #expect(run.summary["ok"] == false)
        #expect(run.steps.contains { $0["error_code"]?.stringValue == "interrupted" }, "\(run.diagnostics)")
        #expect(run.stepJSON("stop-stack")?["ok"] == true)
        #expect(run.stepJSON("port-free")?["free"] == true)
        let stackPid = try #require(run.stepJSON("start-stack")?["pid"]?.intValue)
        #expect(kill(pid_t(stackPid), 0) != 0, "the stack's process group is gone")
        #expect(FileManager.default.fileExists(atPath: "\(run.runDirectory)/junit.xml"))
    }
}
