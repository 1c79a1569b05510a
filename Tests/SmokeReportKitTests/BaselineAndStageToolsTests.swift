import Foundation
import SmokeCore
import SmokeReportKit
import Testing

/// Known failures at the run level (SMOKE_BASELINE) and, per stage, what the model was offered,
/// called and saw fail, in summary.json and junit.xml.
@Suite struct BaselineAndStageToolsTests {
    func stageAnswer(ok: Bool) -> JSONValue {
        var answer: JSONValue = [
            "tool": "codex-stage", "ok": .bool(ok), "elapsed_ms": 400,
            "offered_tools": ["grep", "manage_stelae"],
            "calls": [
                ["tool": "grep", "status": "completed", "error": nil],
                ["tool": "manage_stelae", "status": "failed", "error": "boom"],
            ],
        ]
        if !ok, case .object(var object) = answer {
            object["error"] = ["code": "tool_failed", "message": "manage_stelae failed: boom"]
            answer = .object(object)
        }
        return answer
    }

    @Test func aKnownFailureIsExpectedANewOneStillFailsAStaleEntryIsNamed() throws {
        let fixture = try RunFixture()
        try fixture.record("clone", answer: Answers.passed())
        try fixture.record("stage-install", answer: stageAnswer(ok: false), exit: 1, stage: "install")
        try fixture.record("drift", answer: Answers.failed("drift", "missing echo"), exit: 1)
        let baseline = Baseline(entries: [
            .init(step: "stage-install", code: "tool_failed", reason: "manage_stelae flakes", index: 0),
            .init(step: "clone", reason: "fixed since", index: 1),
            .init(step: "drift", code: "other_code", reason: "not this failure", index: 2),
        ])
        let output = try RunSummary.write(
            SummaryRequest(run: fixture.run, baseline: baseline), environment: [:], redactor: fixture.redactor)
        let summary = try fixture.read("summary.json")
        #expect(output.exit == 1, "drift is a new failure")
        #expect(summary.step("stage-install")?["status"] == "known_failure")
        #expect(summary.step("stage-install")?["baseline_reason"] == "manage_stelae flakes")
        #expect(
            summary["known_failures"] == [
                ["step": "stage-install", "code": "tool_failed", "reason": "manage_stelae flakes"]
            ])
        #expect(summary["stale_baseline"] == [["step": "clone", "reason": "fixed since"]])
        #expect(summary["first_failure"]?["step"] == "drift")
        #expect(summary["failed"] == 1)

        // With drift excused too, the run passes.
        let all = Baseline(entries: baseline.entries + [.init(step: "drift", reason: "known drift", index: 3)])
        let green = try RunSummary.write(
            SummaryRequest(run: fixture.run, baseline: all), environment: [:], redactor: fixture.redactor)
        #expect(green.exit == 0)
    }

    @Test func stageStepsCarryOfferedCalledFailedIntoSummaryAndJUnit() throws {
        let fixture = try RunFixture()
        try fixture.record("stage-install", answer: stageAnswer(ok: false), exit: 1, stage: "install")
        _ = try RunSummary.write(SummaryRequest(run: fixture.run), environment: [:], redactor: fixture.redactor)
        let summary = try fixture.read("summary.json")
        let tools = try #require(summary.step("stage-install")?["tools"])
        #expect(tools["offered"] == ["grep", "manage_stelae"])
        #expect(tools["called"] == ["grep", "manage_stelae"])
        #expect(tools["failed"] == [["tool": "manage_stelae", "error": "boom"]])
        let junit = try String(contentsOfFile: fixture.path("junit.xml"), encoding: .utf8)
        #expect(junit.contains(#"<property name="offered" value="grep,manage_stelae"/>"#))
        #expect(junit.contains(#"<property name="failed" value="manage_stelae: boom"/>"#))
    }
}
