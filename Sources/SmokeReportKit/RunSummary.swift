import Foundation
import SmokeCore

/// What `smoke-report summary` is asked: the run directory, the steps the run planned (those not
/// in the ledger are listed as skipped), extra top-level keys, and whether the run was interrupted.
public struct SummaryRequest: Sendable {
    public var run: String
    public var planned: [String]
    public var fields: [String: JSONValue]
    public var interrupted: Bool
    /// Known failures (`SMOKE_BASELINE`): failed steps an entry names by `step` (and `code`).
    public var baseline: Baseline?

    public init(
        run: String, planned: [String] = [], fields: [String: JSONValue] = [:], interrupted: Bool = false,
        baseline: Baseline? = nil
    ) {
        self.run = run
        self.planned = planned
        self.fields = fields
        self.interrupted = interrupted
        self.baseline = baseline
    }
}

/// summary.json and junit.xml, derived from the ledger and the step files.
public enum RunSummary {
    /// Lines of stack.log quoted in a failed run's summary.
    public static let stackLogTailLines = 25
    public static let fileName = "summary.json"
    public static let junitFileName = "junit.xml"

    /// The summary document and whether the run passed (every planned step passed, no secret leaked).
    public static func build(
        _ request: SummaryRequest, environment: [String: String], redactor: Redactor = .shared
    ) -> (summary: [String: JSONValue], ok: Bool) {
        let run = request.run
        var steps = Ledger.read(run: run)
        let done = Set(steps.compactMap { $0["step"] })
        for name in request.planned where !name.isEmpty && !done.contains(.string(name)) {
            steps.append([
                "n": .null, "step": .string(name), "stage": .null, "file": .null, "exit": .null, "ok": false,
                "status": "skipped", "elapsed_ms": 0,
                "error_code": request.interrupted ? "interrupted" : "skipped",
                "error_message": request.interrupted
                    ? "not run: the smoke run was interrupted" : "not run: an earlier step failed",
                "artifacts": [],
            ])
        }
        for index in steps.indices {
            if steps[index]["status"] == nil {
                steps[index]["status"] = (steps[index]["ok"]?.isTruthy ?? false) ? "passed" : "failed"
            }
            if case .string(let message)? = steps[index]["error_message"], !message.isEmpty {
                steps[index]["error_message"] = .string(redactor.redact(message))
            }
        }
        // Stage steps carry what the model was offered, called and saw fail.
        for index in steps.indices {
            guard case .string(let name)? = steps[index]["step"], name.hasPrefix("stage-"),
                case .string(let file)? = steps[index]["file"],
                let tools = StageTools.of(answer: RunFiles.load(RunFiles.join(run, file)))
            else { continue }
            steps[index]["tools"] = tools
        }
        // Known failures (SMOKE_BASELINE): a failed step an entry names is expected, not a failure.
        var knownFailures: [JSONValue] = []
        var usedEntries = Set<Int>()
        if let baseline = request.baseline {
            for index in steps.indices where steps[index]["status"] == "failed" {
                let step = steps[index]["step"]?.stringValue
                let code = steps[index]["error_code"]?.stringValue
                guard
                    let entry = baseline.entries.first(where: { $0.step != nil && $0.matches(step: step, code: code) })
                else { continue }
                usedEntries.insert(entry.index)
                steps[index]["status"] = "known_failure"
                steps[index]["baseline_reason"] = .string(entry.reason)
                knownFailures.append([
                    "step": .string(step ?? ""), "code": .string(code ?? ""), "reason": .string(entry.reason),
                ])
            }
        }
        let status = steps.map { $0["status"]?.stringValue }
        let failing = steps.filter { $0["status"] == "failed" }
        let leaks = SecretScan.scan(run: run, values: SecretScan.values(environment: environment))
        let ok =
            !steps.isEmpty && failing.isEmpty && status.allSatisfy { $0 == "passed" || $0 == "known_failure" }
            && leaks.isEmpty

        var summary: [String: JSONValue] = [
            "run_dir": .string(PathResolver.resolve(run)), "first_failure": .null,
            "steps": .array(steps.map(JSONValue.object)),
            "passed": .int(Int64(status.count { $0 == "passed" })), "failed": .int(Int64(failing.count)),
            "skipped": .int(Int64(status.count { $0 == "skipped" })),
        ]
        summary.merge(request.fields) { _, new in new }
        if let baseline = request.baseline {
            summary["known_failures"] = .array(knownFailures)
            // Entries for steps that ran and passed: the fault they excused is gone.
            let passed = Set(steps.filter { $0["status"] == "passed" }.compactMap { $0["step"]?.stringValue })
            summary["stale_baseline"] = .array(
                baseline.entries.filter { entry in
                    guard let step = entry.step else { return false }
                    return !usedEntries.contains(entry.index) && passed.contains(step)
                }.map(\.json))
        }
        if let first = failing.first {
            summary["first_failure"] = [
                "step": first["step"] ?? .null, "stage": first["stage"] ?? .null, "code": first["error_code"] ?? .null,
                "message": first["error_message"] ?? .null, "file": first["file"] ?? .null,
            ]
        } else if !leaks.isEmpty {
            summary["first_failure"] = [
                "step": "secret-scan", "stage": .null, "code": "secret_leak",
                "message": .string("secret values found in \(leaks.joined(separator: ", "))"), "file": .null,
            ]
        } else if !ok, let first = steps.first(where: { $0["status"] != "passed" && $0["status"] != "known_failure" }) {
            summary["first_failure"] = [
                "step": first["step"] ?? .null, "stage": .null, "code": first["error_code"] ?? .null,
                "message": first["error_message"] ?? .null, "file": .null,
            ]
        }
        // The per-server diagnosis, when the chain ran it: which server broke, and why.
        if let diagnose = steps.first(where: { $0["step"] == "diagnose" && ($0["file"]?.isTruthy ?? false) }),
            case .string(let file)? = diagnose["file"],
            case .array(let servers)? = RunFiles.loadObject(RunFiles.join(run, file))?["servers"]
        {
            summary["servers"] = .array(servers)
        }
        summary["interrupted"] = .bool(request.interrupted)
        summary["secret_leaks"] = .array(leaks.map(JSONValue.string))
        let stackLog = RunFiles.join(run, "stack.log")
        if !ok, RunFiles.exists(stackLog) {
            let lines = ChainText.lines(RunFiles.readText(stackLog) ?? "")
            summary["stack_log"] = "stack.log"
            summary["stack_log_tail"] = .array(lines.suffix(stackLogTailLines).map { .string(redactor.redact($0)) })
        }
        // Test steps and restarts: their totals (docs/smoke.md).
        summary.merge(HarnessSummary.fields(steps: steps)) { _, new in new }
        return (Envelope.object(tool: RunFiles.chainTool, ok: ok, elapsedMs: elapsedSum(steps), fields: summary), ok)
    }

    /// Builds the summary and writes summary.json and junit.xml; exit 0 when the run passed, else 1.
    public static func write(
        _ request: SummaryRequest, environment: [String: String], redactor: Redactor = .shared
    ) throws(SmokeError) -> ReportOutput {
        let (summary, ok) = build(request, environment: environment, redactor: redactor)
        try RunFiles.write(.object(summary), to: RunFiles.join(request.run, fileName))
        let junit = HarnessSummary.mergeJUnit(
            JUnitReport.document(summary: .object(summary)), summary: .object(summary), run: request.run)
        try FileIO.writeAtomically(junit, to: RunFiles.join(request.run, junitFileName), durable: false)
        return ReportOutput(exit: ok ? 0 : 1)
    }

    /// The steps' milliseconds added up (integers stay integers).
    private static func elapsedSum(_ steps: [[String: JSONValue]]) -> JSONValue {
        var integer: Int64 = 0
        var real = 0.0
        var isReal = false
        for step in steps {
            switch step["elapsed_ms"] {
            case .int(let number)?: integer &+= number
            case .double(let number)?:
                real += number
                isReal = true
            default: continue
            }
        }
        return isReal ? .double(Double(integer) + real) : .int(integer)
    }
}
