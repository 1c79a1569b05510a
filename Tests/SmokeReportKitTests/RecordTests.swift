import Foundation
import SmokeCore
import SmokeReportKit
import Testing

/// `record`: the ledger line of a finished step, the answer written for a tool that printed none,
/// and the progress line.
@Suite struct RecordTests {
    @Test func aPassingStepIsOneCompactLedgerLineAndAnOkProgressLine() throws {
        let fixture = try RunFixture()
        let output = try fixture.record(
            "clone", answer: Answers.passed(), elapsedMs: 422, artifacts: ["logs/01-clone.stderr.log", "", "workspace"])
        #expect(output == ReportOutput(stderr: "[smoke] 01 clone                        ok      422 ms\n"))
        let ledger = try String(contentsOfFile: fixture.path("steps.jsonl"), encoding: .utf8)
        #expect(ledger.split(separator: "\n").count == 1 && ledger.hasSuffix("\n"))
        #expect(
            try JSONValue.parse(Data(ledger.utf8), source: "ledger") == [
                "n": 1, "step": "clone", "stage": nil, "file": "01-clone.json", "exit": 0, "ok": true,
                "elapsed_ms": 422,
                "error_code": nil, "error_message": nil, "artifacts": ["logs/01-clone.stderr.log", "workspace"],
            ])
        #expect(Ledger.read(run: fixture.run).count == 1)
    }

    @Test func aFailingStepCarriesItsCodeAndMessageOnTheProgressLine() throws {
        let fixture = try RunFixture(secrets: ["SMOKE_TOKEN": "tok-in-the-message"])
        let output = try fixture.record(
            "probe", answer: Answers.failed("tools_not_ready", "missing grep (token tok-in-the-message)"), exit: 1,
            elapsedMs: 4785)
        #expect(
            output.stderr
                == "[smoke] 01 probe                        FAIL   4785 ms  tools_not_ready: missing grep (token [REDACTED])\n"
        )
        let line = try #require(Ledger.read(run: fixture.run).first)
        #expect(line["ok"] == false && line["error_code"] == "tools_not_ready")
    }

    @Test func aToolThatPrintedNoJSONGetsAnAnswerNamingItsExitAndStderrTail() throws {
        let fixture = try RunFixture(secrets: ["OPENAI_API_KEY": "sk-in-the-stderr-tail"])
        let stderr = String(repeating: "x", count: 700) + "\nfatal: crashed with sk-in-the-stderr-tail\n\n"
        try fixture.record("render", answer: nil, exit: 139, stderr: stderr)
        let answer = try fixture.read("01-render.json")
        #expect(answer["ok"] == false && answer["tool"] == "smoke" && answer["wrapped_tool"] == "tool-render")
        #expect(answer["error"]?["code"] == "no_json_answer")
        #expect(answer["error"]?["message"] == "step 'render' exited 139 without a JSON answer on stdout")
        let hint = try #require(answer["error"]?["hint"]?.stringValue)
        #expect(hint.hasSuffix("fatal: crashed with [REDACTED]"), "the last 600 chars, stripped and redacted")
        #expect(hint.count < 600)
        let line = try #require(Ledger.read(run: fixture.run).first)
        #expect(line["error_code"] == "no_json_answer")

        try fixture.record("probe", answer: nil, exit: 124)
        #expect(try fixture.read("02-probe.json")["error"]?["code"] == "timeout")
        #expect(try fixture.read("02-probe.json")["error"]?["hint"] == .null, "no stderr log, no hint")
    }

    @Test func interruptedAndOverriddenSteps() throws {
        let fixture = try RunFixture()
        try fixture.record("stage-a", answer: nil, exit: 130)
        try fixture.record(
            "probe", answer: Answers.passed(), exit: 0, overrideCode: "stack_exited",
            overrideMessage: "the stack exited")
        try fixture.record("drift", answer: Answers.passed(), exit: 1)
        try fixture.record("verify", answer: nil, exit: 1, overrideCode: "stack_exited", overrideMessage: "gone")
        // A tool that had printed its answer (ok) when the chain's TERM reached it.
        try fixture.record("stage-b", answer: Answers.passed(), exit: 143)
        let lines = Ledger.read(run: fixture.run)
        // A silent tool: the answer written for it already says interrupted, and the line keeps its message.
        #expect(lines[0]["error_code"] == "interrupted")
        #expect(
            lines[0]["error_message"]
                == "step 'stage-a' exited 130 without a JSON answer on stdout (the smoke run was interrupted)")
        #expect(try fixture.read("01-stage-a.json")["error"]?["code"] == "interrupted")
        #expect(lines[4]["error_code"] == "interrupted")
        #expect(lines[4]["error_message"] == "the smoke run was interrupted (signal 15) during this step")
        #expect(
            lines[1]["ok"] == false && lines[1]["error_code"] == "stack_exited"
                && lines[1]["error_message"] == "the stack exited")
        #expect(lines[2]["error_code"] == "exit_status")
        #expect(lines[2]["error_message"] == "exit status 1 although the JSON says ok")
        #expect(
            try fixture.read("04-verify.json")["error"] == ["code": "stack_exited", "message": "gone", "hint": nil])
    }

    @Test func theAnswersTranscriptAndStderrLogBecomeArtifactsRelativeToTheRun() throws {
        let fixture = try RunFixture()
        try fixture.record(
            "stage-install",
            answer: Answers.passed([
                "transcript": .string(fixture.path("transcripts/install.jsonl")),
                "stderr_log": "/elsewhere/install.stderr.log",
            ]),
            stage: "install", artifacts: ["transcripts/install.jsonl"])
        let line = try #require(Ledger.read(run: fixture.run).first)
        #expect(line["artifacts"] == ["transcripts/install.jsonl", "/elsewhere/install.stderr.log"])
        #expect(line["stage"] == "install")
    }

    @Test func progressLineColumnsFollowTheChainsLayout() {
        let request = RecordRequest(
            run: "/r", n: 12, step: "a-very-long-step-name-beyond-28-chars", file: "f", exit: 0, elapsedMs: 1_234_567)
        let line = StepRecorder.progressLine(["ok": true], request: request)
        #expect(line == "[smoke] 12 a-very-long-step-name-beyond-28-chars ok   1234567 ms\n")
    }

    @Test func typedFieldsAreStringsOrJSON() throws {
        let fields = try TypedFields.parse(["source=/a=b", "port:=18555", "port2:=null", "stages:=[\"a\"]", "empty="])
        #expect(fields == ["source": "/a=b", "port": 18555, "port2": nil, "stages": ["a"], "empty": ""])
        #expect(throws: SmokeError.self) { try TypedFields.parse(["no-equals"]) }
        #expect(throws: SmokeError.self) { try TypedFields.parse(["bad:={"]) }
    }

    @Test func emitWritesTheAnswerOfAStepTheChainPerformsItself() throws {
        let fixture = try RunFixture()
        let out = fixture.path("05-start-stack.json")
        _ = try ChainSteps.emit(
            EmitRequest(out: out, step: "start-stack", ok: true, fields: ["pid": 42, "log": "stack.log"]))
        #expect(
            try JSONValue.load(path: out) == [
                "tool": "smoke", "version": .string(SmokeVersion.current), "step": "start-stack", "ok": true,
                "elapsed_ms": 0,
                "pid": 42, "log": "stack.log",
            ])
        _ = try ChainSteps.emit(
            EmitRequest(
                out: out, step: "stop-stack", ok: false, elapsedMs: 7, code: "stack_exited", message: "it died",
                hint: ""))
        #expect(try JSONValue.load(path: out)["error"] == ["code": "stack_exited", "message": "it died"])
    }
}
