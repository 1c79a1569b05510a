import Foundation
import SmokeCore

/// The probe's reading of one exchange: what happened, whether waiting can help, and the
/// JSON-RPC message when there was one.
struct AnswerVerdict: Sendable {
    var outcome: AttemptOutcome
    var retryable: Bool
    var status: Int?
    var contentType: String?
    var error: String?
    var bodyPreview: String?
    var message: JSONValue?
    var location: String?
    var retryAfter: Duration?
    var sessionID: String?
    /// The JSON-RPC error the answer carried, in a 2xx body or (as the 2026-07-28 transport
    /// sends them, with a status mapped from the code) in an error status's JSON body.
    var rpcError: RPCError?
    /// Body bytes read (for an event stream: up to the response).
    var bytes = 0
    /// Why a 2xx body did not parse as JSON (the parser's words, with line and column).
    var parseFailure: String?
    /// The body is JSON that stops mid-value (an answer cut short, not a wrong one).
    var parseEndedEarly = false

    static let previewLimit = 512

    /// Statuses a restarting server or proxy answers with while it is not up yet. 500 is in
    /// the set because a proxy in front of a crashed or still-starting backend answers 500.
    static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    static func preview(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        var text = String(decoding: bytes.prefix(previewLimit), as: UTF8.self)
        if bytes.count > previewLimit { text += "…" }
        return text
    }

    static func transportFailure(_ failure: TransportFailure) -> AnswerVerdict {
        switch failure {
        case .refused(let text): AnswerVerdict(outcome: .refused, retryable: true, error: text)
        case .reset(let text): AnswerVerdict(outcome: .reset, retryable: true, error: text)
        case .timeout(let text): AnswerVerdict(outcome: .timeout, retryable: true, error: text)
        case .protocolError(let text): AnswerVerdict(outcome: .invalidBody, retryable: false, error: text)
        }
    }

    /// Reads an answer to a request (`expectID` set) or a notification / DELETE (`expectID` nil).
    /// `hasSession` turns a 404 into "session expired" instead of "no such endpoint".
    /// `modern`: the request was a 2026-07-28 one, whose server answers a JSON-RPC error with an
    /// HTTP status mapped from its code (400 for -32020/-32022/-32602, 404 for -32601): such an
    /// answer is that JSON-RPC error, not an HTTP failure (the SDK's client reads it so too).
    static func read(_ answer: HTTPAnswer, expectID: JSONValue?, hasSession: Bool, modern: Bool = false)
        -> AnswerVerdict
    {
        var verdict = AnswerVerdict(
            outcome: .ok, retryable: false, status: answer.status, contentType: answer.contentType)
        verdict.sessionID = answer.headers.first(name: "mcp-session-id")
        verdict.bytes = answer.body.count
        let status = answer.status
        let preview = preview(answer.body)
        if !(200..<300).contains(status), let error = rpcErrorBody(answer.body) {
            verdict.rpcError = RPCError(error)
            if modern, status != 406, expectID != nil, let rpc = verdict.rpcError {
                var failed = verdict.failing(
                    .jsonrpcError, "JSON-RPC error \(rpc.text) (HTTP \(status))", preview: preview)
                failed.message = ["jsonrpc": "2.0", "id": expectID ?? .null, "error": error]
                return failed
            }
        }

        switch status {
        case 200..<300:
            break
        case 307, 308:
            guard let location = answer.headers.first(name: "location") else {
                return verdict.failing(.httpStatus, "\(status) redirect without a Location header", preview: preview)
            }
            verdict.outcome = .redirect
            verdict.location = location
            return verdict
        case 300..<400:
            let location = answer.headers.first(name: "location") ?? "(no Location)"
            return verdict.failing(
                .httpStatus, "HTTP \(status) redirect to \(location) not followed: only 307/308 keep the POST body",
                preview: preview)
        case 406:
            return verdict.failing(
                .notAcceptable,
                "HTTP 406 Not Acceptable\(rpcErrorSuffix(answer.body)): the server refused the Accept header",
                preview: preview)
        case 404 where hasSession:
            var expired = verdict.failing(
                .sessionExpired, "HTTP 404: the session is gone (server restarted?)", preview: preview)
            expired.retryable = true
            return expired
        default:
            var failed = verdict.failing(
                .httpStatus, "HTTP \(status)\(reasonPhrase(status))\(rpcErrorSuffix(answer.body))", preview: preview)
            failed.retryable = retryableStatuses.contains(status)
            if failed.retryable, let value = answer.headers.first(name: "retry-after") {
                failed.retryAfter = parseRetryAfter(value)
            }
            return failed
        }

        guard let expectID else { return verdict }  // a notification or DELETE: 2xx is all it needs

        if answer.tooLarge {
            return verdict.failing(
                .bodyTooLarge,
                "answer larger than \(answer.body.count) bytes (the --max-body-bytes cap); stopped reading",
                preview: preview)
        }
        if let stream = answer.stream {
            return verdict.readingStream(stream, preview: preview, expectID: expectID)
        }
        if answer.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            var empty = verdict.failing(
                .emptyBody,
                "HTTP \(status) with an empty body where the response to id \(describe(expectID)) was expected",
                preview: preview)
            empty.retryable = true
            return empty
        }
        let media = answer.mediaType
        // JSON is accepted whatever the label says; the content type stays visible in the attempt.
        do {
            let json = try JSONValue.parse(Data(answer.body), source: "answer")
            return verdict.readingJSON(json, expectID: expectID, preview: preview)
        } catch {
            verdict.parseFailure = error.message
            verdict.parseEndedEarly = JSONValue.endsMidValue(Data(answer.body))
        }
        if media == "application/json" {
            return verdict.failing(
                .invalidBody,
                "Content-Type application/json but the body is not JSON (\(verdict.parseFailure ?? "?"); first bytes in body_preview)",
                preview: preview)
        }
        if looksLikeEventStream(answer.body) {
            var parser = SSEParser()
            var summary = EventStreamSummary()
            _ = summary.absorb(parser.feed(answer.body), expecting: expectID)
            summary.finish(parser)
            return verdict.readingStream(summary, preview: preview, expectID: expectID)
        }
        return verdict.failing(
            .invalidBody,
            "HTTP \(status) body is neither JSON nor an event stream (Content-Type \(answer.contentType ?? "none"))",
            preview: preview)
    }

    private func failing(_ outcome: AttemptOutcome, _ error: String, preview: String?) -> AnswerVerdict {
        var copy = self
        copy.outcome = outcome
        copy.retryable = false
        copy.error = error
        copy.bodyPreview = preview
        return copy
    }

    private func readingStream(_ stream: EventStreamSummary, preview: String?, expectID: JSONValue) -> AnswerVerdict {
        guard let response = stream.response else {
            var detail = "event stream ended without the response to id \(Self.describe(expectID))"
            detail += " (\(stream.events) events, \(stream.skipped) skipped, \(stream.comments) comments"
            detail += stream.endedMidEvent ? ", ended mid-event without the blank line)" : ")"
            var failed = failing(.sseNoResponse, detail, preview: preview)
            failed.retryable = true
            return failed
        }
        return readingJSON(response, expectID: expectID, preview: preview)
    }

    private func readingJSON(_ json: JSONValue, expectID: JSONValue, preview: String?) -> AnswerVerdict {
        // A batch answer is legal JSON-RPC; the response is the element with our id.
        let candidates = json.arrayValue ?? [json]
        guard let response = candidates.first(where: { MCPHTTPClient.isResponse($0, to: expectID) }) else {
            return failing(
                .invalidBody, "JSON answer holds no JSON-RPC response with id \(Self.describe(expectID))",
                preview: preview)
        }
        if let error = response["error"] {
            var failed = failing(.jsonrpcError, "JSON-RPC error \(Self.rpcErrorText(error))", preview: preview)
            failed.message = response
            failed.rpcError = RPCError(error)
            return failed
        }
        guard response["result"]?.objectValue != nil else {
            return failing(.invalidBody, "JSON-RPC result is not an object", preview: preview)
        }
        var copy = self
        copy.message = response
        return copy
    }

    static func rpcErrorText(_ error: JSONValue) -> String {
        let code = error["code"]?.intValue.map(String.init) ?? "?"
        let message = error["message"]?.stringValue ?? error.encodedString()
        return "\(code): \(message)"
    }

    /// " (JSON-RPC -32600: …)" when an error status carries a JSON-RPC error body.
    static func rpcErrorSuffix(_ body: [UInt8]) -> String {
        guard let error = rpcErrorBody(body) else { return "" }
        return " (JSON-RPC \(rpcErrorText(error)))"
    }

    /// The `error` object of a JSON-RPC error body (whatever its id: servers answer requests
    /// they reject before reading the id with `null` or their own placeholder).
    static func rpcErrorBody(_ body: [UInt8]) -> JSONValue? {
        guard let json = try? JSONValue.parse(Data(body), source: "answer"), let error = json["error"],
            error["code"]?.intValue != nil
        else { return nil }
        return error
    }

    static func reasonPhrase(_ status: Int) -> String {
        let phrases = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            408: "Request Timeout", 415: "Unsupported Media Type", 429: "Too Many Requests",
            500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout",
        ]
        return phrases[status].map { " \($0)" } ?? ""
    }

    static func describe(_ id: JSONValue) -> String { id.encodedString() }

    static func looksLikeEventStream(_ body: [UInt8]) -> Bool {
        let head = String(decoding: body.prefix(16), as: UTF8.self)
        return ["data:", "event:", "id:", ":"].contains { head.hasPrefix($0) }
    }

    /// `Retry-After` as delay-seconds or an HTTP date.
    /// Longer than any deadline the probe takes: a server's larger value (or `inf`) means the
    /// same, and converting it unclamped would trap (found by FuzzSSE).
    static let longestRetryAfter: Double = 1e9

    static func parseRetryAfter(_ value: String) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 {
            return .milliseconds(Int64(min(seconds, longestRetryAfter) * 1000))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int64(min(max(0, date.timeIntervalSinceNow), longestRetryAfter) * 1000))
    }
}
