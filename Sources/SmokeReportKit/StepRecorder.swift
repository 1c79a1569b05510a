import Foundation
import SmokeCore

/// What the chain knows about a step that just finished (`smoke-report record`).
public struct RecordRequest: Sendable {
    public var run: String
    public var n: Int
    public var step: String
    public var stage: String?
    /// The tool the step ran (named in the answer written for a tool that printed none).
    public var tool: String?
    /// The step's answer, relative to the run directory (`NN-<step>.json`).
    public var file: String
    public var exit: Int
    public var elapsedMs: Int
    /// The step's stderr log: its tail becomes the hint of an answer written for a silent tool.
    public var stderrPath: String?
    public var artifacts: [String]
    /// The step failed for this reason, whatever the tool said (e.g. `stack_exited`).
    public var overrideCode: String?
    public var overrideMessage: String?
    /// The command line the step ran (shell words; several lines for a step of several commands)
    /// and where: kept, secrets redacted, for playbook.md.
    public var command: String?
    public var cwd: String?

    public init(
        run: String, n: Int, step: String, stage: String? = nil, tool: String? = nil, file: String, exit: Int,
        elapsedMs: Int, stderrPath: String? = nil, artifacts: [String] = [], overrideCode: String? = nil,
        overrideMessage: String? = nil, command: String? = nil, cwd: String? = nil
    ) {
        self.run = run
        self.n = n
        self.step = step
        self.stage = stage
        self.tool = tool
        self.file = file
        self.exit = exit
        self.elapsedMs = elapsedMs
        self.stderrPath = stderrPath
        self.artifacts = artifacts
        self.overrideCode = overrideCode
        self.overrideMessage = overrideMessage
        self.command = command
        self.cwd = cwd
    }

    var override: String? { overrideCode.flatMap { $0.isEmpty ? nil : $0 } }
}

/// The ledger: one line per finished step in `<run>/steps.jsonl`, from which the summary is
/// built, so a run interrupted half-way still summarises what it did.
public enum Ledger {
    public static let fileName = "steps.jsonl"

    /// The step objects of the ledger, in order; a line that is not a JSON object is passed over.
    public static func read(run: String) -> [[String: JSONValue]] {
        guard let bytes = RunFiles.readBytes(RunFiles.join(run, fileName)) else { return [] }
        return bytes.split(separator: 0x0A).compactMap { line in
            (try? JSONValue.parse(Data(line), source: fileName))?.objectValue
        }
    }

    /// One compact line (the writer escapes every newline inside strings, so `wc -l` counts steps).
    public static func append(_ line: [String: JSONValue], run: String) throws(SmokeError) {
        try RunFiles.append(JSONValue.object(line).encodedString() + "\n", to: RunFiles.join(run, fileName))
    }
}

public enum StepRecorder {
    /// Chars of a silent tool's stderr kept as the hint of the answer written for it.
    static let stderrTailLength = 600
    /// Chars of a failure message on the progress line.
    static let progressMessageLength = 300

    /// Records a finished step: the answer written for a tool that printed no JSON object, the
    /// ledger line appended, and the progress line for stderr.
    public static func record(_ request: RecordRequest, redactor: Redactor = .shared) throws(SmokeError) -> ReportOutput
    {
        let stepPath = RunFiles.join(request.run, request.file)
        let document: [String: JSONValue]
        if let answer = RunFiles.loadObject(stepPath) {
            document = answer
        } else {
            document = silentToolAnswer(request, redactor: redactor)
            try RunFiles.write(.object(document), to: stepPath)
        }
        let line = ledgerLine(request, answer: document, redactor: redactor)
        try Ledger.append(line, run: request.run)
        return ReportOutput(stderr: progressLine(line, request: request, redactor: redactor))
    }

    /// The answer of a step whose tool printed no JSON object on stdout (crashed, killed, timed out).
    public static func silentToolAnswer(_ request: RecordRequest, redactor: Redactor = .shared) -> [String: JSONValue] {
        var stderrTail = ""
        if let path = request.stderrPath, !path.isEmpty, RunFiles.exists(path), let text = RunFiles.readText(path) {
            stderrTail = ChainText.suffix(text, stderrTailLength)
        }
        var code = [124: "timeout", 130: "interrupted", 143: "interrupted"][request.exit] ?? "no_json_answer"
        var message: JSONValue = .string(
            "step '\(request.step)' exited \(request.exit) without a JSON answer on stdout"
                + (code == "interrupted" ? " (the smoke run was interrupted)" : ""))
        if let override = request.override {
            code = override
            message = request.overrideMessage.map(JSONValue.string) ?? .null
        }
        let hint = redactor.redact(ChainText.stripped(stderrTail))
        // message and hint stay null rather than absent: readers of the ledger see every key.
        let error: JSONValue = [
            "code": .string(code), "message": message, "hint": hint.isEmpty ? .null : .string(hint),
        ]
        return ChainSteps.answer(
            elapsedMs: Int64(request.elapsedMs), error: error,
            fields: ["step": .string(request.step), "wrapped_tool": request.tool.map(JSONValue.string) ?? .null])
    }

    /// The ledger line of a step, from its answer: ok only when the answer says ok and the exit
    /// status is 0; the failure's code and message; the artifacts, with the answer's transcript
    /// and stderr log made relative to the run directory.
    public static func ledgerLine(
        _ request: RecordRequest, answer: [String: JSONValue], redactor: Redactor = .shared
    ) -> [String: JSONValue] {
        let error = answer["error"]?.objectValue
        var ok = (answer["ok"]?.isTruthy ?? false) && request.exit == 0
        var errorCode: JSONValue = ok ? .null : error?["code"] ?? .null
        var errorMessage: JSONValue = ok ? .null : error?["message"] ?? .null
        if let override = request.override {
            ok = false
            errorCode = .string(override)
            errorMessage = request.overrideMessage.map(JSONValue.string) ?? .null
        } else if !ok, request.exit == 130 || request.exit == 143,
            errorCode == .null || errorCode == "no_json_answer"
        {
            errorCode = "interrupted"
            errorMessage = .string("the smoke run was interrupted (signal \(request.exit - 128)) during this step")
        } else if !ok, errorCode == .null {
            errorCode = "exit_status"
            errorMessage = .string("exit status \(request.exit) although the JSON says ok")
        }
        var artifacts = request.artifacts.filter { !$0.isEmpty }
        for key in ["transcript", "stderr_log"] {
            guard case .string(var value)? = answer[key], !value.isEmpty else { continue }
            if value.hasPrefix("/"), let inside = PathResolver.relative(value, inside: request.run) {
                value = inside
            }
            if !artifacts.contains(value) { artifacts.append(value) }
        }
        let stage = request.stage.flatMap { $0.isEmpty ? nil : $0 }
        var line: [String: JSONValue] = [
            "n": .int(Int64(request.n)), "step": .string(request.step), "stage": stage.map(JSONValue.string) ?? .null,
            "file": .string(request.file), "exit": .int(Int64(request.exit)), "ok": .bool(ok),
            "elapsed_ms": .int(Int64(request.elapsedMs)), "error_code": errorCode, "error_message": errorMessage,
            "artifacts": .array(artifacts.map(JSONValue.string)),
        ]
        // Harness steps: a test step's counts and failing ids, a restart's stop-to-ready time.
        for key in ["tests", "restart_ms"] where answer[key] != nil {
            line[key] = answer[key]
        }
        if let command = request.command, !command.isEmpty {
            line["command"] = .string(Playbook.redactSecrets(command, redactor: redactor))
            if let cwd = request.cwd, !cwd.isEmpty { line["cwd"] = .string(cwd) }
        }
        return line
    }

    /// `[smoke] 06 probe                        FAIL   4785 ms  tools_not_ready: …`
    public static func progressLine(
        _ line: [String: JSONValue], request: RecordRequest, redactor: Redactor = .shared
    ) -> String {
        let ok = line["ok"]?.isTruthy ?? false
        var detail = ""
        if !ok {
            let message = line["error_message"].map { $0.isTruthy ? ChainText.show($0) : "" } ?? ""
            detail =
                "  \(ChainText.show(line["error_code"])): "
                + ChainText.prefix(redactor.redact(message), progressMessageLength)
        }
        return "[smoke] \(ChainText.zeroPadded(request.n, 2)) \(ChainText.left(request.step, 28)) "
            + "\(ok ? "ok  " : "FAIL") \(ChainText.right(String(request.elapsedMs), 6)) ms\(detail)\n"
    }
}
