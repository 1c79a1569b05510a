import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The harness around the chain (issue #20): test steps (SMOKE_TESTS_PRE/POST with the real
/// pytest), restarts between stages (SMOKE_RESTART), repeated runs (REPEAT, flakes.json) and the
/// playbook (MANUAL=1). Real processes throughout: the chain, the stack, Codex with the scripted
/// model, pytest in the test environment the chain builds (cached under .smoke/test-envs).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SmokeHarnessTests {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/Harness"
    static let defaultStack =
        #""$VENV/bin/python" "$SMOKE_ROOT/stack/stelae_proxy.py" --config "$PROXY_CONFIG" --port "$PROXY_PORT""#

    /// The embedded source with the fixture test modules under checks/.
    static func sourceWithChecks() throws -> SmokeSource {
        try SmokeSource { root in
            try FileManager.default.copyItem(atPath: "\(fixtures)/checks", toPath: "\(root)/checks")
        }
    }

    static func names(_ tools: JSONValue?) -> Set<String> {
        Set((tools?["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
    }

    // MARK: test steps

    @Test func theEmbeddedStacksOwnSuiteRunsBeforeAndAfterAndItsCasesReachJUnit() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let run = try SmokeRun.run(
            source: try SmokeSource(), runDirectory: output,
            environment: ["SMOKE_TESTS": "1", "STAGES": "install"])
        #expect(run.status == 0, "\(run.diagnostics)")
        let steps = run.steps.compactMap { $0["step"]?.stringValue }
        #expect(
            steps.starts(with: [
                "clone", "snapshot", "port-preflight", "render", "test-env", "tests-pre", "verify-tests-pre",
                "start-stack",
            ]))
        #expect(Array(steps.suffix(4)) == ["tests-post", "verify-clean", "stop-stack", "port-free"], "\(steps)")
        let pre = try #require(run.step("tests-pre")?["tests"])
        let post = try #require(run.step("tests-post")?["tests"])
        #expect(pre["failed"] == 0 && (pre["passed"]?.intValue ?? 0) >= 4)
        #expect(
            (post["passed"]?.intValue ?? 0) > (pre["passed"]?.intValue ?? 0), "after the stages the live tests run too")
        #expect(
            run.summary["tests"]?["total"]?.intValue == (pre["total"]?.intValue ?? 0) + (post["total"]?.intValue ?? 0))
        let answer = try #require(run.stepJSON("tests-post"))
        #expect(answer["ran"]?.stringValue?.contains("--junitxml=") == true, "pytest writes its own JUnit report")
        let env = try #require(run.stepJSON("test-env"))
        #expect(FileManager.default.isExecutableFile(atPath: env["python"]?.stringValue ?? ""))
        // A second run with the same dependency files starts at once: the environment is reused.
        let again = try TempDirectory(prefix: "harness-run")
        let secondSource = try SmokeSource()
        let second = try ChildProcess.run(
            "/usr/bin/timeout", ["-k", "10", "120", "bash", SmokePaths.script, "clone", "test-env"],
            cwd: ProjectPaths.root,
            environment: SmokeRun.environment(source: secondSource, runDirectory: again, extra: ["SMOKE_TESTS": "1"]))
        withExtendedLifetime(secondSource) {}
        #expect(second.status == 0, "\(second.stderr.suffix(1500))")
        let reused = try JSONValue.load(path: "\(again.path)/run/03-test-env.json")
        #expect(reused["reused"] == true && reused["env"] == env["env"])
        #expect((reused["elapsed_ms"]?.intValue ?? .max) < 2000)
        let junit = try String(contentsOfFile: "\(run.runDirectory)/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"tests-post\""))
        #expect(junit.contains("name=\"test_the_stack_serves_exactly_the_manifest\""))
        #expect(run.filesHoldingSecrets().isEmpty, "\(run.filesHoldingSecrets())")
    }

    @Test func aFailingTestIsNamedInTheSummaryAndJUnitAndAMissingCommandToo() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let run = try SmokeRun.run(
            source: try Self.sourceWithChecks(), runDirectory: output,
            environment: [
                "SMOKE_TESTS_PRE": "pytest checks/test_mixed.py", "SMOKE_TESTS_POST": "nosuch-smoke-tool --flag",
                "STAGES": "install",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"] == "tests-pre")
        #expect(run.firstFailure?["code"] == "tests_failed")
        let failing = (run.step("tests-pre")?["tests"]?["failing"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(failing == ["checks/test_mixed.py::test_broken", "checks/test_mixed.py::TestGroup::test_even[1]"])
        #expect(run.step("tests-pre")?["tests"]?["skipped"] == 1 && run.step("tests-pre")?["tests"]?["passed"] == 2)
        #expect(run.firstFailure?["message"]?.stringValue?.contains("checks/test_mixed.py::test_broken") == true)
        // A red test step is evidence of its own: the stack and the stages still ran.
        #expect(run.step("stage-install")?["status"] == "passed")
        #expect(run.step("tests-post")?["error_code"] == "command_not_found")
        #expect(
            run.step("tests-post")?["error_message"]?.stringValue?.hasSuffix("command not found: nosuch-smoke-tool")
                == true)
        #expect(run.step("verify-clean")?["status"] == "passed")
        let junit = try String(contentsOfFile: "\(run.runDirectory)/junit.xml", encoding: .utf8)
        let broken = try #require(junit.range(of: "name=\"test_broken\""))
        #expect(junit[broken.upperBound...].prefix(200).contains("<failure"), "the failing case carries its failure")
        #expect(junit.contains("AssertionError"))
    }

    @Test func aSuiteThatDoesNotCollectNamesTheMissingModuleOrTheBrokenFile() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let run = try SmokeRun.run(
            source: try Self.sourceWithChecks(), runDirectory: output,
            environment: [
                "SMOKE_TESTS_PRE": "pytest checks/test_nocollect.py",
                "SMOKE_TESTS_POST": "pytest checks/test_syntax.py",
                "STAGES": "install",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.step("tests-pre")?["error_code"] == "missing_dependency")
        #expect(
            run.step("tests-pre")?["error_message"]?.stringValue?.contains(
                "checks/test_nocollect.py: No module named 'stelae_fixture_module_that_is_missing'") == true)
        #expect(run.step("tests-post")?["error_code"] == "collection_error")
        #expect(
            run.step("tests-post")?["error_message"]?.stringValue?.contains("checks/test_syntax.py (SyntaxError")
                == true)
        #expect(run.step("tests-post")?["tests"]?["failing"] == ["checks/test_syntax.py"])
    }

    @Test func aTestEnvironmentThatCannotBeBuiltIsRedAndItsTestStepsAreSkipped() throws {
        let source = try SmokeSource { root in
            try FileManager.default.copyItem(atPath: "\(Self.fixtures)/checks", toPath: "\(root)/checks")
            try "pytest==9.2.0\nthis is not a requirement ===\n".write(
                toFile: "\(root)/checks/bad-requirements.txt", atomically: true, encoding: .utf8)
        }
        let output = try TempDirectory(prefix: "harness-run")
        let run = try SmokeRun.run(
            source: source, runDirectory: output,
            environment: [
                "SMOKE_TESTS_PRE": "pytest checks/test_mixed.py",
                "SMOKE_TEST_REQUIREMENTS": "checks/bad-requirements.txt",
                "SMOKE_TEST_ENVS": output.file("envs"), "STAGES": "install",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"] == "test-env" && run.firstFailure?["code"] == "test_env_failed")
        #expect(
            run.firstFailure?["message"]?.stringValue?.contains("Invalid requirement: 'this is not a requirement ==='")
                == true)
        #expect(run.step("tests-pre")?["status"] == "skipped")
        #expect(run.step("stage-install")?["status"] == "passed", "the chain goes on without its tests")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.file("envs")).filter {
            !$0.hasSuffix(".lock")
        }
        #expect(leftovers.isEmpty, "a failed build leaves no half-made environment: \(leftovers)")
    }

    @Test func aCommandThatHangsIsStoppedAtItsTimeout() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let pidFile = output.file("hang.pid")
        let run = try SmokeRun.run(
            source: try Self.sourceWithChecks(), runDirectory: output,
            environment: [
                "SMOKE_TESTS_PRE": "python checks/hang.py \(pidFile)", "SMOKE_TESTS_POST": "none", "TESTS_TIMEOUT": "3",
                "STAGES": "install",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.step("tests-pre")?["error_code"] == "tests_timeout")
        #expect((run.step("tests-pre")?["elapsed_ms"]?.intValue ?? .max) < 9000, "3 s and the kill grace, not more")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(kill(pid, 0) != 0, "the hung command is gone")
        let log = try String(contentsOfFile: "\(run.runDirectory)/tests/tests-pre.log", encoding: .utf8)
        #expect(log.contains("hang.py: blocking until stopped"))
        #expect(run.step("tests-post") == nil, "SMOKE_TESTS_POST=none: no step")
    }

    // MARK: restart

    @Test func theRestartedStackServesTheSameToolsAndTheNextStageRunsAgainstIt() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let run = try SmokeRun.run(
            source: try SmokeSource(), runDirectory: output,
            environment: [
                "SMOKE_RESTART": "after:bundle-tools", "STAGES": "bundle-tools install",
            ])
        #expect(run.status == 0, "\(run.diagnostics)")
        let steps = run.steps.compactMap { $0["step"]?.stringValue }
        let restartIndex = try #require(steps.firstIndex(of: "restart-after-bundle-tools"))
        #expect(steps[restartIndex - 1] == "offered-bundle-tools" && steps[restartIndex + 1] == "stage-install")
        let restart = try #require(run.stepJSON("restart-after-bundle-tools"))
        let restartMs = try #require(restart["restart_ms"]?.intValue)
        #expect(restartMs > 0 && restartMs < 60_000)
        #expect(run.summary["restart_ms"]?.intValue == restartMs && run.summary["restarts"] == 1)
        let directory = try #require(restart["directory"]?.stringValue)
        let before = try JSONValue.load(path: "\(run.runDirectory)/tools.json")
        let after = try JSONValue.load(path: "\(run.runDirectory)/\(directory)/tools.json")
        #expect(Self.names(after) == Self.names(before) && !Self.names(after).isEmpty)
        // The stages after it ran against the restarted stack, which is the one stopped at the end.
        let first = try #require(run.stepJSON("start-stack")?["pid"]?.intValue)
        let restarted = try #require(
            try JSONValue.load(path: "\(run.runDirectory)/\(directory)/start.json")["pid"]?.intValue)
        #expect(first != restarted)
        #expect(run.stepJSON("stop-stack")?["pid"]?.intValue == restarted)
        #expect(run.step("stage-install")?["status"] == "passed")
        let log = try String(contentsOfFile: "\(run.runDirectory)/stack.log", encoding: .utf8)
        #expect(log.contains("---- restart after bundle-tools"), "one stack.log for both stacks")
    }

    @Test func aStackThatDoesNotComeBackIsRestartTimeoutWithinTheBudget() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let run = try SmokeRun.run(
            source: try SmokeSource(), runDirectory: output,
            environment: [
                "PROXY_CMD": "\"$VENV/bin/python\" \(Self.fixtures)/restart_stack.py hang -- \(Self.defaultStack)",
                "SMOKE_RESTART": "after:bundle-tools", "STAGES": "bundle-tools install", "RESTART_TIMEOUT": "4",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"] == "restart-after-bundle-tools")
        #expect(run.firstFailure?["code"] == "restart_timeout")
        #expect(
            (run.step("restart-after-bundle-tools")?["elapsed_ms"]?.intValue ?? .max) < 9000,
            "RESTART_TIMEOUT=4 bounds it")
        let tail = (run.summary["stack_log_tail"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(tail.contains { $0.contains("start 2 hangs on purpose") }, "\(tail)")
        #expect(run.step("stage-install")?["status"] == "skipped")
        #expect(run.step("stop-stack")?["status"] == "passed", "the hung stack is stopped")
        #expect(run.step("port-free")?["status"] == "passed")
    }

    @Test func aPortTakenDuringTheRestartIsNamed() throws {
        let output = try TempDirectory(prefix: "harness-run")
        let grabberPid = "\(output.path)/run/grabber.pid"
        defer {
            if let text = try? String(contentsOfFile: grabberPid, encoding: .utf8), let pid = Int32(text) {
                kill(pid, SIGKILL)
            }
        }
        let run = try SmokeRun.run(
            source: try SmokeSource(), runDirectory: output,
            environment: [
                "PROXY_CMD": "\"$VENV/bin/python\" \(Self.fixtures)/restart_stack.py grab -- \(Self.defaultStack)",
                "SMOKE_RESTART": "after:install", "STAGES": "install remove",
            ])
        #expect(run.status == 1, "\(run.diagnostics)")
        #expect(run.firstFailure?["step"] == "restart-after-install")
        #expect(run.firstFailure?["code"] == "port_in_use")
        let pid = try #require(Int(try String(contentsOfFile: grabberPid, encoding: .utf8)))
        let message = run.firstFailure?["message"]?.stringValue ?? ""
        #expect(message.contains("pid \(pid) (") && message.contains("restart_stack.py grabber"), "\(message)")
        #expect(run.stepJSON("restart-after-install")?["listeners"]?.arrayValue?.first?["pid"]?.intValue == Int64(pid))
        #expect(run.step("stage-remove")?["status"] == "skipped")
    }

    // MARK: repeat

    @Test func repeatThreeTimesOnAStackThatFailsOneRunInThreeWritesFlakes() throws {
        let output = try TempDirectory(prefix: "harness-repeat")
        let counter = output.file("starts.count")
        let run = try SmokeRun.run(
            source: try SmokeSource(), runDirectory: output,
            environment: [
                "REPEAT": "3", "STAGES": "install", "FLAKY_COUNTER": counter, "FLAKY_FAIL_ON": "2",
                "PROXY_CMD": "\(Self.fixtures)/flaky_stack.sh \(Self.defaultStack)",
            ], limitSeconds: 280)
        #expect(run.status == 1, "a step failed in one run: \(run.stderr.suffix(2000))")
        let parent = "\(output.path)/run"
        let flakes = try JSONValue.load(path: "\(parent)/flakes.json")
        #expect(flakes["runs"] == 3 && flakes["runs_passed"] == 2 && flakes["runs_failed"] == 1)
        let probe = try #require(flakes["steps"]?.arrayValue?.first { $0["step"] == "probe" })
        #expect(probe["runs"] == 3 && probe["passed"] == 2 && probe["failed"] == 1)
        #expect(probe["codes"] == ["stack_exited": 1])
        #expect(probe["failures"]?.arrayValue?.first?["run_dir"]?.stringValue == "\(parent)/run-02")
        #expect(flakes["flaky"]?.arrayValue?.contains("probe") == true)
        #expect(flakes["steps"]?.arrayValue?.first { $0["step"] == "clone" }?["passed"] == 3)
        for k in 1...3 {
            #expect(
                FileManager.default.fileExists(atPath: "\(parent)/run-0\(k)/summary.json"),
                "run \(k) has its own directory")
            #expect(run.stderr.contains("run \(k) of 3"))
        }
        // The tally after each run: the failing run shows at once, and the next run counts on.
        #expect(run.stderr.contains("tally: 2 run(s): 1 passed, 1 failed; failing steps: probe 1/2 (stack_exited)"))
        #expect(run.stderr.contains("tally: 3 run(s): 2 passed, 1 failed; failing steps: probe 2/3 (stack_exited)"))
        #expect(run.stdout.split(separator: "\n").last.map(String.init) == parent)
    }

    // MARK: playbook

    @Test func manualStopsWithTheStackReadyAndThePlaybookResumesIt() throws {
        let source = try SmokeSource()
        let output = try TempDirectory(prefix: "harness-run")
        let secret = SmokeRun.dummySecrets["OPENAI_API_KEY"]!
        let environment = [
            "MANUAL": "1", "STAGES": "install",
            "PROXY_CMD": "SMOKE_NOT_A_SECRET=\(secret) \(Self.defaultStack)",
        ]
        var stackPid: Int32 = 0
        defer { if stackPid > 0 { kill(-stackPid, SIGKILL) } }
        let run = try SmokeRun.run(source: source, runDirectory: output, environment: environment)
        // No summary yet: the stack's pid from the run directory.
        stackPid =
            Int32(
                try String(contentsOfFile: "\(output.path)/run/stack.pid", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try #require(stackPid > 0, "\(run.diagnostics)")
        #expect(run.status == 0, "\(run.diagnostics)")
        #expect(run.stderr.contains("playbook: \(run.runDirectory)/playbook.md"))
        #expect(kill(stackPid, 0) == 0, "the stack keeps running")
        #expect(!FileManager.default.fileExists(atPath: "\(run.runDirectory)/summary.json"))
        let playbook = try String(contentsOfFile: "\(run.runDirectory)/playbook.md", encoding: .utf8)
        #expect(playbook.contains("MANUAL=1"))
        #expect(
            playbook.contains("## Not run yet")
                && playbook.contains(
                    "- `stage-install`: `SMOKE_DIR=\(run.runDirectory) make smoke-stages STAGES=install`")
        )
        #expect(playbook.contains("probe-initialize --url http://127.0.0.1:"))
        #expect(playbook.contains("SMOKE_NOT_A_SECRET=[REDACTED]") && !playbook.contains(secret))
        // Resume by hand: the stages, then stop and summarise, on the same run directory.
        let resumed = try ChildProcess.run(
            "/usr/bin/timeout", ["-k", "10", "200", "bash", SmokePaths.script, "stages", "stop", "summary"],
            cwd: ProjectPaths.root,
            environment: SmokeRun.environment(source: source, runDirectory: output, extra: environment))
        let done = run.reloaded()
        #expect(done.summary["failed"] == 0, "\(resumed.stderr.suffix(2000))\n\(done.diagnostics)")
        #expect(done.step("stage-install")?["status"] == "passed" && done.step("port-free")?["status"] == "passed")
        // Gone, or a zombie waiting for init (its parent, the chain, has exited).
        let state = (try? String(contentsOfFile: "/proc/\(stackPid)/stat", encoding: .utf8))?
            .split(separator: ")").last?.split(separator: " ").first
        #expect(state == nil || state == "Z", "stopped by the resumed run")
        let final = try String(contentsOfFile: "\(run.runDirectory)/playbook.md", encoding: .utf8)
        #expect(final.contains("stage-install — passed") && !final.contains("- `stage-install`:"))
        #expect(done.filesHoldingSecrets().isEmpty, "\(done.filesHoldingSecrets())")
    }
}
