import Foundation
import SmokeCore
import SmokeReportKit
import Testing

/// The ledger and summary.json: every step's status, the counts, the first failure, the stack
/// log tail of a failed run.
@Suite struct SummaryTests {
    @Test func passedFailedSkippedAndInterruptedStepsMakeTheCountsAndTheFirstFailure() throws {
        let fixture = try RunFixture(secrets: ["SMOKE_TOKEN": "tok-planted-in-the-log"])
        try fixture.record("clone", answer: Answers.passed(), elapsedMs: 400)
        try fixture.record("probe", answer: Answers.failed("tools_not_ready", "missing grep"), exit: 1, elapsedMs: 4785)
        try fixture.record("drift", answer: Answers.failed("drift", "missing echo"), exit: 1, elapsedMs: 16)
        // A tool killed mid-step by the chain's trap: no JSON on stdout, exit 143.
        try fixture.record("stage-install", answer: nil, exit: 143, elapsedMs: 300, stage: "install")
        var log = (1...30).map { "line \($0)" }
        log[29] = "token tok-planted-in-the-log in the stack log"
        try fixture.write("stack.log", text: log.joined(separator: "\n") + "\n")

        let (output, summary) = try fixture.summary(
            planned: ["clone", "probe", "drift", "stage-install", "stop-stack", "port-free"],
            fields: ["port": 18555, "source": "/src", "wall_ms": 6000])

        #expect(output.exit == 1)
        #expect(summary["ok"] == false)
        #expect(summary["passed"] == 1)
        #expect(summary["failed"] == 3)
        #expect(summary["skipped"] == 2)
        #expect(summary["elapsed_ms"] == 5501, "the sum of the steps")
        #expect(summary["port"] == 18555 && summary["wall_ms"] == 6000 && summary["source"] == "/src")
        #expect(summary["tool"] == "smoke" && summary["version"] == .string(SmokeVersion.current))
        #expect(summary["run_dir"]?.stringValue == URL(fileURLWithPath: fixture.run).resolvingSymlinksInPath().path)
        #expect(
            summary["first_failure"] == [
                "step": "probe", "stage": nil, "code": "tools_not_ready", "message": "missing grep",
                "file": "02-probe.json",
            ])
        #expect(
            summary.steps.compactMap { $0["status"]?.stringValue }
                == ["passed", "failed", "failed", "failed", "skipped", "skipped"])
        let interrupted = try #require(summary.step("stage-install"))
        #expect(interrupted["error_code"] == "interrupted")
        #expect(
            interrupted["error_message"]
                == "step 'stage-install' exited 143 without a JSON answer on stdout (the smoke run was interrupted)")
        #expect(interrupted["stage"] == "install")
        #expect(summary.step("stop-stack")?["error_code"] == "skipped")
        #expect(summary.step("stop-stack")?["error_message"] == "not run: an earlier step failed")
        #expect(summary.step("port-free")?["n"] == .null && summary.step("port-free")?["exit"] == .null)

        let tail = (summary["stack_log_tail"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(tail.count == RunSummary.stackLogTailLines)
        #expect(tail.first == "line 6")
        #expect(tail.last == "token [REDACTED] in the stack log", "the tail is redacted")
        #expect(summary["stack_log"] == "stack.log")
        #expect(summary["interrupted"] == false && summary["secret_leaks"] == [])
    }

    @Test func anInterruptedRunListsTheStepsNotRunAsInterrupted() throws {
        let fixture = try RunFixture()
        try fixture.record("clone", answer: Answers.passed())
        let (output, summary) = try fixture.summary(planned: ["clone", "probe"], interrupted: true)
        #expect(output.exit == 1)
        #expect(summary["interrupted"] == true)
        #expect(summary.step("probe")?["status"] == "skipped")
        #expect(summary.step("probe")?["error_code"] == "interrupted")
        #expect(summary.step("probe")?["error_message"] == "not run: the smoke run was interrupted")
        // No step failed: the first step that did not pass is named, without its file.
        #expect(
            summary["first_failure"] == [
                "step": "probe", "stage": nil, "code": "interrupted",
                "message": "not run: the smoke run was interrupted",
                "file": nil,
            ])
        #expect(!summary.has("stack_log_tail"), "no stack.log in this run")
    }

    @Test func aRunWhoseStepsAllPassedIsGreenWithoutAStackLogTail() throws {
        let fixture = try RunFixture()
        try fixture.record("clone", answer: Answers.passed(), elapsedMs: 10)
        try fixture.record("probe", answer: Answers.passed(), elapsedMs: 20)
        try fixture.write("stack.log", text: "INFO ok\n")
        let (output, summary) = try fixture.summary(planned: ["clone", "probe"])
        #expect(output.exit == 0)
        #expect(summary["ok"] == true && summary["first_failure"] == .null)
        #expect(summary["passed"] == 2 && summary["failed"] == 0 && summary["skipped"] == 0)
        #expect(!summary.has("stack_log_tail") && !summary.has("stack_log"))
        let headline = ChainQueries.headline(summaryPath: fixture.path("summary.json"))
        #expect(headline == ReportOutput(stdout: "smoke: PASSED 2/2 steps in 0.0 s\n"))
    }

    @Test func anEmptyLedgerIsNoPass() throws {
        let fixture = try RunFixture()
        let (output, summary) = try fixture.summary()
        #expect(output.exit == 1)
        #expect(summary["ok"] == false && summary["steps"] == [] && summary["first_failure"] == .null)
    }

    @Test func theDiagnosisStepBringsItsServersIntoTheSummary() throws {
        let fixture = try RunFixture()
        let servers: JSONValue = [["name": "memory", "code": "exited", "required_tools": ["recall"]]]
        var answer = Answers.failed("servers_not_ready", "memory: exited")
        if case .object(var object) = answer {
            object["servers"] = servers
            answer = .object(object)
        }
        try fixture.record("diagnose", answer: answer, exit: 1)
        let (_, summary) = try fixture.summary()
        #expect(summary["servers"] == servers)
    }

    @Test func secretsInErrorMessagesAreRedactedInTheSummary() throws {
        let fixture = try RunFixture(secrets: ["OPENAI_API_KEY": "sk-in-a-message-123"])
        try fixture.record("probe", answer: Answers.failed("http_error", "401 for key sk-in-a-message-123"), exit: 1)
        let (_, summary) = try fixture.summary()
        #expect(summary.step("probe")?["error_message"] == "401 for key [REDACTED]")
        #expect(summary["first_failure"]?["message"] == "401 for key [REDACTED]")
    }
}
