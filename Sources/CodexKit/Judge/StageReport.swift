import Foundation
import SmokeCore

/// The verdict of `run` and `check`: their answer (`outcome`, which the envelope wraps) and
/// what the judge adds to it (the baseline).
public struct StageReport: OutcomeReport, Sendable {
    public var outcome: ToolOutcome

    init(fields: [String: JSONValue], error: SmokeError?) {
        outcome = ToolOutcome(fields: fields, error: error)
    }

    static func make(
        judge: StageJudge, transcriptPath: String, stderrPath: String, duration: Duration?, extra: [String: JSONValue]
    ) -> StageReport {
        let transcript = judge.transcript
        var fields: [String: JSONValue] = [
            "stage": .string(judge.stage.name),
            "transcript": .string(transcriptPath),
            "stderr_log": .string(stderrPath),
            "exit_code": judge.end?.exitCode.map { .int(Int64($0)) } ?? .null,
            "duration_ms": duration.map { .int($0.milliseconds) } ?? .null,
            "calls": .array(transcript.calls.map(\.json)),
            "expectations": .array(judge.expectations.map(\.json)),
            "offered_tools": judge.offered.map { .array($0.allTools.map(JSONValue.string)) } ?? .null,
            "nonjson_lines": .int(Int64(transcript.nonJSONLines)),
            "transcript_lines": .int(Int64(transcript.lines)),
            "turn": .string(
                transcript.turnCompleted ? "completed" : transcript.turnFailure != nil ? "failed" : "incomplete"),
            "end": .string(judge.end.map(Self.endName) ?? "unknown"),
        ]
        if let offered = judge.offered {
            fields["offered_by_server"] = .object(offered.byServer.mapValues { .array($0.map(JSONValue.string)) })
        }
        if !transcript.nonJSONSamples.isEmpty {
            fields["nonjson_samples"] = .array(transcript.nonJSONSamples.map(JSONValue.string))
        }
        if case .signalled(let signal) = judge.end { fields["signal"] = .int(Int64(signal)) }
        if transcript.errorEvents > 0 {
            fields["error_events"] = .int(Int64(transcript.errorEvents))
            if let last = transcript.lastErrorEvent { fields["last_error_event"] = .string(last) }
        }
        if !judge.stderr.unsupportedCalls.isEmpty {
            fields["unsupported_calls"] = .array(judge.stderr.unsupportedCalls.map(JSONValue.string))
        }
        if let message = transcript.lastAgentMessage { fields["agent_message"] = .string(message) }
        fields.merge(extra) { _, new in new }
        var error = judge.error
        if error != nil, error?.code == .toolMissing, let offered = judge.offered,
            let unmet = judge.expectations.first(where: { !$0.met && $0.code == .toolMissing })
        {
            error?.fields["tool_offered"] = .bool(
                offered.offers(tool: unmet.expectation.tool, server: unmet.expectation.server))
        }
        return StageReport(fields: fields, error: error)
    }

    static func endName(_ end: RunEnd) -> String {
        switch end {
        case .exited: "exited"
        case .signalled: "signalled"
        case .timeout: "timeout"
        case .heartbeatTimeout: "heartbeat_timeout"
        }
    }
}

extension StageReport {
    /// The report with the baseline's known failures of this stage taken out of the verdict:
    /// each listed under `known_failures` with the baseline's reason; the stage still fails on
    /// any failure the baseline does not name. Entries for this stage that match nothing are
    /// `stale_baseline`: the fault they excused is gone.
    public func applying(_ baseline: Baseline, judge: StageJudge) -> StageReport {
        let stage = judge.stage.name
        let mine = baseline.entries.filter { $0.stage == stage }
        guard !mine.isEmpty else { return self }
        var used = Set<Int>()
        var known: [JSONValue] = []
        var unknown = 0
        var firstUnknown: ExpectationResult?
        let unmet = judge.expectations.filter { !$0.met }
        func excuse(tool: String?, code: ErrorCode?, reason: String?, result: ExpectationResult? = nil) {
            if let entry = mine.first(where: { $0.matches(stage: stage, tool: tool, code: code?.rawValue) }) {
                used.insert(entry.index)
                var object: [String: JSONValue] = ["baseline_reason": .string(entry.reason)]
                if let tool { object["tool"] = .string(tool) }
                if let code { object["code"] = .string(code.rawValue) }
                if let reason { object["reason"] = .string(reason) }
                known.append(.object(object))
            } else {
                unknown += 1
                if firstUnknown == nil { firstUnknown = result }
            }
        }
        if let error, unmet.isEmpty || !unmet.contains(where: { $0.code == error.code }) {
            // The run itself failed (timeout, turn failed, ...): a stage-level entry can excuse it.
            excuse(tool: nil, code: error.code, reason: error.message)
        }
        for result in unmet {
            excuse(tool: result.expectation.tool, code: result.code, reason: result.reason, result: result)
        }
        var report = self
        if !known.isEmpty { report.fields["known_failures"] = .array(known) }
        let stale = mine.filter { !used.contains($0.index) }
        if !stale.isEmpty { report.fields["stale_baseline"] = .array(stale.map(\.json)) }
        if error != nil, unknown == 0 { report.error = nil }
        // The verdict names a failure nobody excused, not the first one in stage order.
        if let firstUnknown, !known.isEmpty, unmet.first?.expectation != firstUnknown.expectation {
            report.error = SmokeError(
                firstUnknown.code ?? .toolMissing, "stage '\(stage)': \(firstUnknown.reason ?? "expectation not met")",
                hint: firstUnknown.hint)
        }
        return report
    }
}
