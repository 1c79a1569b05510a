import Foundation
import SmokeCore

/// `--call` over HTTP: one tools/call, sent once, its answer read whole and judged by
/// `CallVerdict`.
extension Probe {
    /// How one call ended: judged on its answer, or failed before there was one to judge.
    enum CallOutcome {
        case judged(CallVerdict)
        case failed(SmokeError, Attempt)
    }

    func callTool(_ call: ToolCall) async -> SmokeError? {
        let verdict: CallVerdict
        switch await sendCall(call) {
        case .judged(let judged): verdict = judged
        case .failed(let failure, _): return failure
        }
        callFields = verdict.json
        log?.info(
            "tools/call \(call.name): "
                + (verdict.failure.map { "\($0.code.errorCode.rawValue): \($0.message)" } ?? "ok"))
        guard let failure = verdict.failure else { return nil }
        return SmokeError(failure.code.errorCode, failure.message, hint: Self.callHint(failure.code))
    }

    /// One tools/call, sent once (the load mode repeats this).
    func sendCall(_ call: ToolCall) async -> CallOutcome {
        let tool = listedTools[call.name]
        let params: JSONValue = ["name": .string(call.name), "arguments": call.arguments]
        var stamp = currentStamp
        if case .modern(let envelope, _) = stamp { stamp = .modern(envelope, inputSchema: tool?["inputSchema"]) }
        let began = clock.now
        let answer: CallAnswer
        switch await request(phase: .toolsCall, method: "tools/call", params: params, stamp: stamp, retry: .once) {
        case .answered(let verdict):
            answer = .result(verdict.message?["result"] ?? [:], bytes: verdict.bytes)
        case .failed(let attempt, let exhausted):
            guard let read = callAnswer(attempt) else {
                return .failed(failure(from: attempt, exhausted: exhausted), attempt)
            }
            answer = read
        }
        return .judged(CallVerdict.evaluate(call, answer, tool: tool, durationMs: (clock.now - began).milliseconds))
    }

    /// What the failed exchange tells about the answer; nil when it was no answer to judge (the
    /// server refused the connection, a 4xx without JSON-RPC error, …: the probe's own codes).
    private func callAnswer(_ attempt: Attempt) -> CallAnswer? {
        let verdict = lastVerdict
        if let error = verdict?.rpcError, attempt.outcome == .jsonrpcError {
            return .rpcError(error, bytes: verdict?.bytes ?? 0)
        }
        switch attempt.outcome {
        case .reset:
            guard let partial = lastPartial else { return nil }
            return .truncated(
                received: partial.received, expected: partial.expected, detail: attempt.error ?? "connection closed")
        case .timeout:
            guard let partial = lastPartial, partial.received > 0 else { return nil }
            return .truncated(
                received: partial.received, expected: partial.expected, detail: attempt.error ?? "timed out mid-body")
        case .emptyBody:
            return .invalid(bytes: verdict?.bytes ?? 0, detail: "an empty body where the JSON-RPC response was due")
        case .bodyTooLarge:
            return .tooLarge(bytes: verdict?.bytes ?? configuration.maxBodyBytes)
        case .sseNoResponse:
            return .truncated(
                received: verdict?.bytes ?? 0, expected: nil,
                detail: attempt.error ?? "event stream ended without the response")
        case .invalidBody:
            let bytes = verdict?.bytes ?? 0
            // JSON that stops mid-value is an answer cut short, not a wrong one.
            if let detail = attempt.error, Self.endsEarly(verdict) {
                return .truncated(received: bytes, expected: nil, detail: detail)
            }
            return .invalid(bytes: bytes, detail: attempt.error ?? "not a JSON-RPC response")
        default:
            return nil
        }
    }

    /// Whether the body is the beginning of a JSON document that ran out of bytes.
    private static func endsEarly(_ verdict: AnswerVerdict?) -> Bool {
        guard let verdict, verdict.bytes > 0 else { return false }
        return verdict.parseEndedEarly
    }

    static func callHint(_ code: CallErrorCode) -> String {
        switch code {
        case .toolError: "the tool ran and reported failure: call.text holds what it said"
        case .outputSchemaMismatch:
            "call.schema_errors lists each value that breaks the tool's outputSchema, with its JSON path"
        case .answerTruncated:
            "the answer stopped before its end (a proxy or server cutting large answers?): call.answer_bytes is what arrived"
        case .invalidAnswer: "the answer was empty or not a JSON-RPC response: call.answer_bytes is its size"
        case .answerTooLarge: "raise --max-body-bytes, or make the tool answer less"
        case .callRejected: "the server refused the call: call.rpc_error says why (unknown tool, arguments rejected)"
        case .inputRequired: "the tool asks for user input (resultType input_required), which a probe cannot give"
        case .unexpectedSuccess: "the call was expected to fail (--expect-error) but succeeded"
        }
    }
}
