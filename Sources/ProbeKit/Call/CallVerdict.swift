import SmokeCore

/// How the answer to a `tools/call` arrived, as far as the transport could read it.
public enum CallAnswer: Sendable, Equatable {
    /// A whole JSON-RPC result of `bytes` bytes.
    case result(JSONValue, bytes: Int)
    /// A JSON-RPC error answer: the server rejected the call (unknown tool, bad arguments).
    case rpcError(RPCError, bytes: Int)
    /// The answer stopped before its end: fewer bytes than its `Content-Length`, JSON that ends
    /// mid-value, a stdout line cut by the server's exit.
    case truncated(received: Int, expected: Int?, detail: String)
    /// Nothing usable came: an empty body, or bytes that are not a JSON-RPC response.
    case invalid(bytes: Int, detail: String)
    /// More than `--max-body-bytes`: reading stopped at the cap.
    case tooLarge(bytes: Int)
}

/// Why a call is not what it should be (all exit 1).
public enum CallErrorCode: Sendable {
    /// The tool answered `isError: true`.
    case toolError
    /// `structuredContent` breaks the tool's `outputSchema` (or is missing while one is declared).
    case outputSchemaMismatch
    /// The answer did not arrive whole.
    case answerTruncated
    /// The answer is empty or not a JSON-RPC response / `CallToolResult`.
    case invalidAnswer
    /// The answer was larger than `--max-body-bytes`.
    case answerTooLarge
    /// A JSON-RPC error: the server refused the call itself (unknown tool, arguments rejected).
    case callRejected
    /// `resultType: "input_required"`: the server wants input the probe cannot give.
    case inputRequired
    /// `--expect-error`, but the call succeeded.
    case unexpectedSuccess

    /// The stable code this stands for.
    public var errorCode: ErrorCode {
        switch self {
        case .toolError: .toolError
        case .outputSchemaMismatch: .outputSchemaMismatch
        case .answerTruncated: .answerTruncated
        case .invalidAnswer: .invalidAnswer
        case .answerTooLarge: .answerTooLarge
        case .callRejected: .callRejected
        case .inputRequired: .inputRequired
        case .unexpectedSuccess: .unexpectedSuccess
        }
    }
}

/// The verdict on one `tools/call`: the `call` object of the report and, when the call is not
/// what it should be, why. Transport-neutral (the HTTP and stdio probes both feed it).
public struct CallVerdict: Sendable {
    public var fields: [String: JSONValue]
    public var failure: (code: CallErrorCode, message: String)?

    public var ok: Bool { failure == nil }
    public var json: JSONValue { .object(fields) }

    /// Longest text kept from the result's content in the report.
    public static let textLimit = 1000

    /// `tool` is the tool's entry from `tools/list` (its `outputSchema` is what the result is
    /// checked against), nil when it was not listed.
    public static func evaluate(_ call: ToolCall, _ answer: CallAnswer, tool: JSONValue?, durationMs: Int64)
        -> CallVerdict
    {
        var verdict = CallVerdict(fields: [
            "name": .string(call.name), "arguments": call.arguments, "duration_ms": .int(durationMs),
        ])
        if call.expectError { verdict.fields["expect_error"] = true }
        verdict.read(answer, call: call, tool: tool)
        verdict.applyExpectation(call)
        verdict.fields["ok"] = .bool(verdict.ok)
        return verdict
    }

    private mutating func read(_ answer: CallAnswer, call: ToolCall, tool: JSONValue?) {
        switch answer {
        case .truncated(let received, let expected, let detail):
            fields["answer_bytes"] = .int(Int64(received))
            if let expected { fields["expected_bytes"] = .int(Int64(expected)) }
            fail(
                .answerTruncated,
                "the answer to tools/call \(call.name) was cut after \(received) bytes"
                    + (expected.map { " of \($0)" } ?? "") + ": \(detail)")
        case .invalid(let bytes, let detail):
            fields["answer_bytes"] = .int(Int64(bytes))
            fail(.invalidAnswer, "the answer to tools/call \(call.name) (\(bytes) bytes) is not usable: \(detail)")
        case .tooLarge(let bytes):
            fields["answer_bytes"] = .int(Int64(bytes))
            fail(
                .answerTooLarge,
                "the answer to tools/call \(call.name) is larger than \(bytes) bytes (--max-body-bytes); reading stopped"
            )
        case .rpcError(let error, let bytes):
            fields["answer_bytes"] = .int(Int64(bytes))
            fields["rpc_error"] = error.json
            fail(.callRejected, "tools/call \(call.name) was rejected: JSON-RPC \(error.text)")
        case .result(let result, let bytes):
            fields["answer_bytes"] = .int(Int64(bytes))
            readResult(result, call: call, tool: tool)
        }
    }

    private mutating func readResult(_ result: JSONValue, call: ToolCall, tool: JSONValue?) {
        let resultType = result["resultType"]?.stringValue
        if let resultType { fields["result_type"] = .string(resultType) }
        if resultType == "input_required" {
            fail(
                .inputRequired,
                "tools/call \(call.name) answered resultType input_required: the server wants input a probe cannot give"
            )
            return
        }
        if let resultType, resultType != "complete" {
            fail(.invalidAnswer, "tools/call \(call.name) answered resultType \(resultType), not a complete result")
            return
        }
        guard let content = result["content"]?.arrayValue else {
            fail(.invalidAnswer, "the tools/call \(call.name) result has no content array")
            return
        }
        fields["content_types"] = .array(content.map { $0["type"] ?? .null })
        let text = content.compactMap { $0["type"] == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
        fields["text"] = .string(text.count > Self.textLimit ? String(text.prefix(Self.textLimit)) + "…" : text)
        let isError = result["isError"] == .bool(true)
        fields["is_error"] = .bool(isError)
        let structured = result["structuredContent"]
        fields["structured"] = .bool(structured != nil && structured?.isNull == false)
        if isError {
            // The SDK checks the schema of a successful result only; an error's text is its content.
            fields["output_schema"] = "not_checked"
            let first = text.split(separator: "\n").first.map(String.init) ?? "(no text)"
            fail(.toolError, "tools/call \(call.name) answered isError: \(first)")
            return
        }
        guard let schema = tool?["outputSchema"], !schema.isNull else {
            fields["output_schema"] = "absent"
            return
        }
        guard let structured, !structured.isNull else {
            fields["output_schema"] = "mismatch"
            let mismatch = SchemaCheck.Mismatch(
                path: "$", message: "the tool declares an outputSchema but the result has no structuredContent")
            fields["schema_errors"] = [mismatch.json]
            fail(.outputSchemaMismatch, "tools/call \(call.name): \(mismatch.message)")
            return
        }
        let check = SchemaCheck.check(structured, against: schema)
        fields["output_schema"] = check.mismatches.isEmpty ? "valid" : "mismatch"
        if !check.mismatches.isEmpty { fields["schema_errors"] = .array(check.mismatches.map(\.json)) }
        if !check.unchecked.isEmpty { fields["unchecked"] = .array(check.sortedUnchecked.map(\.json)) }
        if let first = check.mismatches.first {
            let more = check.mismatches.count > 1 ? " (and \(check.mismatches.count - 1) more in schema_errors)" : ""
            fail(
                .outputSchemaMismatch,
                "tools/call \(call.name): structuredContent breaks the outputSchema at \(first.path): \(first.message)\(more)"
            )
        }
    }

    /// `--expect-error`: the tool failing (isError) or the server refusing the call is the
    /// expected outcome; an answer that is broken (cut, invalid, off-schema) stays a failure.
    private mutating func applyExpectation(_ call: ToolCall) {
        guard call.expectError else { return }
        switch failure?.code {
        case .toolError?, .callRejected?:
            fields["failed_as_expected"] = .string(failure!.code.errorCode.rawValue)
            failure = nil
        case nil:
            fail(.unexpectedSuccess, "tools/call \(call.name) succeeded, but --expect-error wants it to fail")
        default:
            break
        }
    }

    private mutating func fail(_ code: CallErrorCode, _ message: String) {
        failure = (code, message)
    }
}
