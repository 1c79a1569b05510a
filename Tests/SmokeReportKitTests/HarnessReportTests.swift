import Foundation
import SmokeCore
import SmokeReportKit
import SmokeTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The harness subcommands' Swift halves: the JUnit reader, the test step's verdict, the restart's
/// verdict, the summary's totals and merged junit.xml, flakes.json and playbook.md.
@Suite struct HarnessReportTests {
    /// A report as pytest 9 writes it (xunit2): a class, a parameter, a skip, a teardown error after
    /// a failure, entities, CDATA, a collection error.
    static let pytestReport = """
        <?xml version="1.0" encoding="utf-8"?><!-- pytest -->
        <testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="1" tests="6" time="0.1">\
        <testcase classname="checks.test_mixed" name="test_ok" time="0.001" />\
        <testcase classname="checks.test_mixed" name="test_broken" time="0.002"><failure message="assert {'a': 1} == {'a': 2}">def test_broken():
        &gt;       assert {"a": 1} == {"a": 2}
        E       AssertionError: assert {'a': 1} == {'a': 2}</failure></testcase>\
        <testcase classname="checks.test_mixed.TestGroup" name="test_even[1]" time="0.001"><failure message="x"><![CDATA[E   assert (1 % 2) == 0 <&>]]></failure><error message="teardown">E   RuntimeError: teardown</error></testcase>\
        <testcase classname="checks.test_mixed" name="test_skipped" time="0.000"><skipped type="pytest.skip" message="not today">checks/test_mixed.py:15: not today</skipped></testcase>\
        <testcase classname="" name="checks.test_nocollect" time="0.000"><error message="collection failure">ImportError while importing test module
        E   ModuleNotFoundError: No module named 'stelae_fixture_module_that_is_missing'</error></testcase>\
        <testcase classname="checks.test_mixed" name="test_&#233;t&#xE9;" time="0.003"><system-out>hello</system-out></testcase>\
        </testsuite></testsuites>
        """

    @Test func theReaderCountsEveryCaseWithItsWorstOutcome() throws {
        let cases = try JUnitReader.cases(in: Self.pytestReport)
        #expect(
            cases.map(\.name) == [
                "test_ok", "test_broken", "test_even[1]", "test_skipped", "checks.test_nocollect", "test_été",
            ])
        #expect(cases.map(\.outcome) == [.passed, .failed, .error, .skipped, .error, .passed])
        #expect(cases[1].message == "assert {'a': 1} == {'a': 2}")
        #expect(cases[1].text.contains("E       AssertionError"))
        #expect(cases[1].text.contains(">       assert"), "entities decoded")
        #expect(cases[2].text == "E   RuntimeError: teardown", "an error after a failure wins")
        #expect(cases[4].isCollectionError)
        #expect(cases[3].type == "pytest.skip")
    }

    @Test func malformedReportsAreRefusedWithTheLine() {
        for bad in ["", "<a>", "<a></b>", "<a x=1/>", "<a>&nope;</a>", "<a/><b/>", "<a><!-- never"] {
            #expect(throws: SmokeError.self, "\(bad)") { try JUnitReader.cases(in: bad) }
        }
        #expect(throws: SmokeError.self) { try JUnitReader.cases(in: "<testsuites>\n<testsuite>\n</testsuites>") }
    }

    @Test func nodeIdsComeFromTheModuleFilesUnderTheWorkingDirectory() throws {
        let root = try TempDirectory(prefix: "harness")
        try root.write("checks/test_mixed.py", "")
        let cwd = root.path
        func id(
            _ classname: String, _ name: String, file: String? = nil, outcome: JUnitCase.Outcome = .failed,
            message: String = ""
        ) -> String {
            TestStep.nodeID(
                JUnitCase(classname: classname, name: name, file: file, outcome: outcome, message: message), cwd: cwd)
        }
        #expect(id("checks.test_mixed", "test_broken") == "checks/test_mixed.py::test_broken")
        #expect(id("checks.test_mixed.TestGroup", "test_even[1]") == "checks/test_mixed.py::TestGroup::test_even[1]")
        #expect(id("", "checks.test_mixed", outcome: .error, message: "collection failure") == "checks/test_mixed.py")
        #expect(id("other.mod", "test_x") == "other.mod::test_x", "no such module file: classname::name")
        #expect(id("a.test_b.C", "test_d", file: "a/test_b.py") == "a/test_b.py::C::test_d", "xunit1's file attribute")
    }

    func request(
        _ run: TempDirectory, exit: Int, log: String = "", junit: String? = nil, command: String = "pytest checks"
    ) throws -> TestStepRequest {
        try run.write("tests/t.log", log)
        if let junit { try run.write("tests/t.junit.xml", junit) }
        return TestStepRequest(
            run: run.path, step: "tests-pre", command: command, exit: exit, elapsedMs: 10,
            log: "tests/t.log", junit: "tests/t.junit.xml", timeoutSeconds: 7, cwd: run.path,
            out: run.file("06-tests-pre.json"))
    }

    @Test func theVerdictNamesTheWorstThingFirst() throws {
        let run = try TempDirectory(prefix: "harness")
        try run.write("checks/test_mixed.py", "")
        try run.write("checks/test_nocollect.py", "")
        let redactor = Redactor(environment: [:])
        func code(_ request: TestStepRequest) -> (String?, String?) {
            let document = TestStep.document(request, redactor: redactor)
            return (document["error"]?["code"]?.stringValue, document["error"]?["message"]?.stringValue)
        }
        // The report holds a missing module, a failure and an error: the missing module is named first.
        let mixed = code(try request(run, exit: 2, junit: Self.pytestReport))
        #expect(mixed.0 == "missing_dependency")
        #expect(
            mixed.1?.contains("checks/test_nocollect.py: No module named 'stelae_fixture_module_that_is_missing'")
                == true)
        let failing = Self.pytestReport.replacingOccurrences(
            of: "ModuleNotFoundError: No module named", with: "SyntaxError: in")
        let collection = code(try request(run, exit: 2, junit: failing))
        #expect(collection.0 == "collection_error")
        #expect(collection.1?.contains("checks/test_nocollect.py (SyntaxError: in") == true)
        let onlyFailures = Self.pytestReport.replacingOccurrences(of: "collection failure", with: "boom")
            .replacingOccurrences(
                of: "classname=\"\" name=\"checks.test_nocollect\"",
                with: "classname=\"checks.test_mixed\" name=\"test_late\"")
        let failed = code(try request(run, exit: 1, junit: onlyFailures))
        #expect(failed.0 == "tests_failed")
        #expect(
            failed.1 == "3 of 6 test(s) failed in `pytest checks`: checks/test_mixed.py::test_broken, "
                + "checks/test_mixed.py::TestGroup::test_even[1], checks/test_mixed.py::test_late")
        try FileManager.default.removeItem(atPath: run.file("tests/t.junit.xml"))
        #expect(code(try request(run, exit: 124, log: "ran a while\n")).0 == "tests_timeout")
        let missing = code(
            try request(
                run, exit: 127, log: "bash: line 1: nosuch-tool: command not found\n", command: "nosuch-tool --x"))
        #expect(missing.0 == "command_not_found")
        #expect(missing.1 == "`nosuch-tool --x`: command not found: nosuch-tool")
        #expect(
            code(try request(run, exit: 1, log: "/usr/bin/python3: No module named pytest\n")).1?.contains(
                "No module named 'pytest'") == true)
        #expect(code(try request(run, exit: 5, log: "no tests ran\n")).0 == "no_tests")
        #expect(code(try request(run, exit: 3, log: "INTERNALERROR\n")).0 == "tests_failed")
        #expect(code(try request(run, exit: 143)).0 == "interrupted")
        #expect(code(try request(run, exit: 0)).0 == nil)
    }

    @Test func theAnswerCountsCasesAndTheLedgerCarriesThem() throws {
        let fixture = try RunFixture()
        try fixture.write("tests/tests-post.log", text: "...")
        try fixture.write("tests/tests-post.junit.xml", text: Self.pytestReport)
        try fixture.write("checks/test_mixed.py", text: "")
        let request = TestStepRequest(
            run: fixture.run, step: "tests-post", command: "pytest checks", exit: 1, elapsedMs: 5,
            log: "tests/tests-post.log", junit: "tests/tests-post.junit.xml", timeoutSeconds: 9,
            cwd: fixture.run, out: fixture.path("01-tests-post.json"))
        #expect(try TestStep.write(request, redactor: fixture.redactor).exit == 1)
        let answer = try fixture.read("01-tests-post.json")
        #expect(answer["tests"]?["total"] == 6 && answer["tests"]?["passed"] == 2 && answer["tests"]?["failed"] == 1)
        #expect(answer["tests"]?["errors"] == 2 && answer["tests"]?["skipped"] == 1)
        #expect(answer["tests"]?["failing"]?.arrayValue?.count == 3)
        #expect(answer["junit"] == "tests/tests-post.junit.xml")
        _ = try StepRecorder.record(
            RecordRequest(
                run: fixture.run, n: 1, step: "tests-post", file: "01-tests-post.json", exit: 1,
                elapsedMs: 5, command: "env OPENAI_API_KEY=sk-abc123 pytest checks", cwd: "/w"),
            redactor: fixture.redactor)
        let (_, summary) = try fixture.summary()
        #expect(summary.step("tests-post")?["tests"]?["total"] == 6)
        #expect(summary.step("tests-post")?["command"] == "env OPENAI_API_KEY=[REDACTED] pytest checks")
        #expect(
            summary["tests"]?["failing"]?.arrayValue?.first == [
                "step": "tests-post", "id": "checks/test_mixed.py::test_broken",
            ])
        #expect(summary["tests"]?["total"] == 6)
        // junit.xml: the step's testcase in the smoke suite, and the pytest cases in a suite of their own.
        let junit = try String(contentsOfFile: fixture.path("junit.xml"), encoding: .utf8)
        let parser = XMLParser(data: Data(junit.utf8))
        #expect(parser.parse(), "well-formed: \(junit)")
        #expect(junit.contains("<testsuite name=\"tests-post\" tests=\"6\" failures=\"1\" errors=\"2\" skipped=\"1\""))
        #expect(junit.contains("<testsuites name=\"smoke\" tests=\"7\" failures=\"2\" skipped=\"1\" errors=\"2\">"))
        #expect(junit.contains("name=\"test_broken\""))
        #expect(
            junit.contains("<![CDATA[") == false && junit.contains("E   assert (1 % 2) == 0 &lt;&amp;&gt;") == false,
            "the teardown error replaced the failure's text")
    }

    @Test func restartVerdictsNameThePhase() throws {
        let fixture = try RunFixture()
        func verdict(_ files: [String: JSONValue], restartMs: Int? = nil, exited: Bool = false) throws -> JSONValue {
            let dir = "09-restart-after-a-\(UUID().uuidString.prefix(6))"
            for (name, value) in files { try fixture.write("\(dir)/\(name).json", value) }
            let request = RestartRequest(
                run: fixture.run, step: "restart-after-a", stage: "a", directory: dir, port: 18555,
                timeoutSeconds: 60, restartMs: restartMs, stackExited: exited, out: fixture.path("\(dir).json"))
            _ = try RestartStep.write(request, redactor: fixture.redactor)
            return try fixture.read("\(dir).json")
        }
        let ok: JSONValue = ["ok": true, "free": true]
        let holder: JSONValue = [
            "ok": false, "free": false, "listeners": [["pid": 4242, "command": "python grab.py"]],
        ]
        let up = try verdict(
            ["render": ok, "stop": ok, "port": ok, "start": ok, "probe": ok, "drift": ok], restartMs: 1234)
        #expect(up["ok"] == true && up["restart_ms"] == 1234 && up["phases"]?.arrayValue?.count == 6)
        let taken = try verdict(["render": ok, "stop": ok, "port": holder])
        #expect(taken["error"]?["code"] == "port_in_use")
        #expect(taken["error"]?["message"]?.stringValue?.contains("pid 4242 (python grab.py)") == true)
        let timeout = try verdict([
            "render": ok, "stop": ok, "port": ok, "start": ok,
            "probe": ["ok": false, "error": ["code": "deadline_exceeded", "message": "not ready within 60 s"]],
            "port-after": ok,
        ])
        #expect(timeout["error"]?["code"] == "restart_timeout" && timeout["restart_ms"] == .null)
        let exited = try verdict(
            ["render": ok, "stop": ok, "port": ok, "start": ok, "probe": ["ok": false], "port-after": ok], exited: true)
        #expect(exited["error"]?["code"] == "stack_exited")
        let lateTaker = try verdict(
            ["render": ok, "stop": ok, "port": ok, "start": ok, "probe": ["ok": false], "port-after": holder],
            exited: true)
        #expect(lateTaker["error"]?["code"] == "port_in_use")
        let render = try verdict(["render": ["ok": false, "error": ["code": "missing_variable", "message": "X"]]])
        #expect(render["error"]?["code"] == "missing_variable" && render["error"]?["message"] == "re-render: X")
        let drift = try verdict(
            [
                "render": ok, "stop": ok, "port": ok, "start": ok, "probe": ok,
                "drift": ["ok": false, "error": ["code": "drift", "message": "missing grep"]],
            ], restartMs: 9)
        #expect(drift["error"]?["code"] == "drift")
    }

    @Test func restartTimesReachTheSummary() throws {
        let fixture = try RunFixture()
        try fixture.record("restart-after-a", answer: Answers.passed(["restart_ms": 1500]))
        try fixture.record("restart-after-b", answer: Answers.passed(["restart_ms": 2100]))
        let (_, summary) = try fixture.summary()
        #expect(summary["restart_ms"] == 2100 && summary["restarts"] == 2)
        #expect(summary.step("restart-after-a")?["restart_ms"] == 1500)
        let plain = try RunFixture()
        try plain.record("clone", answer: Answers.passed())
        let plainSummary = try plain.summary().summary
        #expect(!plainSummary.has("restart_ms") && !plainSummary.has("tests"))
    }

    @Test func flakesPutRunsSideBySide() throws {
        var runs: [String] = []
        var keep: [RunFixture] = []
        for index in 1...5 {
            let fixture = try RunFixture()
            keep.append(fixture)
            try fixture.record("clone", answer: Answers.passed())
            if index == 3 {
                try fixture.record("probe", answer: Answers.failed("stack_exited", "died"), exit: 1)
            } else {
                try fixture.record("probe", answer: Answers.passed())
                try fixture.record("stage-a", answer: Answers.passed())
            }
            _ = try fixture.summary(planned: ["clone", "probe", "stage-a"])
            runs.append(fixture.run)
        }
        let out = keep[0].path("flakes.json")
        let output = try Flakes.write(runs: runs + [keep[0].path("nowhere")], out: out)
        #expect(output.exit == 1)
        let flakes = try JSONValue.load(path: out)
        #expect(flakes["runs"] == 6 && flakes["runs_passed"] == 4 && flakes["runs_failed"] == 1)
        #expect(flakes["missing_summaries"]?.arrayValue?.count == 1)
        let probe = try #require(flakes["steps"]?.arrayValue?.first { $0["step"] == "probe" })
        #expect(
            probe["runs"] == 5 && probe["passed"] == 4 && probe["failed"] == 1 && probe["codes"] == ["stack_exited": 1])
        #expect(
            probe["failures"]?.arrayValue?.first?["run_dir"]?.stringValue?.hasSuffix(
                URL(fileURLWithPath: runs[2]).lastPathComponent) == true)
        let stage = try #require(flakes["steps"]?.arrayValue?.first { $0["step"] == "stage-a" })
        #expect(stage["passed"] == 4 && stage["skipped"] == 1 && stage["failed"] == 0)
        #expect(flakes["flaky"] == ["probe"])
        #expect(output.stdout.contains("probe 4/5 (stack_exited)"))
        #expect(try Flakes.write(runs: [runs[0], runs[1]], out: nil).exit == 0)
    }

    @Test func thePlaybookQuotesEachCommandRedactedWithItsTarget() throws {
        let fixture = try RunFixture(secrets: ["OPENAI_API_KEY": "sk-live-0123456789"])
        _ = try StepRecorder.record(
            RecordRequest(
                run: fixture.run, n: 1, step: "render", file: "01-render.json", exit: 0,
                elapsedMs: 5, command: "render-manifest render --set GH_TOKEN=ghp_x1 --set A=sk-live-0123456789",
                cwd: "/repo"), redactor: fixture.redactor)
        try fixture.write("02-stage-install.json", Answers.passed())
        _ = try StepRecorder.record(
            RecordRequest(
                run: fixture.run, n: 2, step: "stage-install", stage: "install",
                file: "02-stage-install.json", exit: 0, elapsedMs: 5, command: "codex-stage run"),
            redactor: fixture.redactor)
        let text = Playbook.document(
            run: fixture.run,
            planned: ["render", "stage-install", "restart-after-install", "tests-post", "stop-stack"],
            environment: ["PROXY_PORT": "18555", "PROXY_CMD": "x --key sk-live-0123456789", "HOME": "/root"],
            manual: true, redactor: fixture.redactor)
        #expect(text.contains("render-manifest render --set GH_TOKEN=[REDACTED] --set A=[REDACTED]"))
        #expect(!text.contains("sk-live") && !text.contains("ghp_x1"))
        #expect(text.contains("cd /repo\n"))
        #expect(text.contains("export PROXY_PORT=18555") && !text.contains("HOME"))
        #expect(text.contains("make smoke-stages STAGES=install`"))
        #expect(text.contains("- `restart-after-install`: `SMOKE_DIR="))
        #expect(text.contains("smoke-restart smoke-tests-post smoke-stop smoke-summary`"))
        #expect(text.contains("MANUAL=1"))
        #expect(
            Playbook.redactSecrets("Authorization: Bearer abc def'", redactor: fixture.redactor)
                == "Authorization: [REDACTED]'")
        #expect(Playbook.shellQuote("it's") == "'it'\\''s'" && Playbook.shellQuote("a/b-c") == "a/b-c")
    }
}
