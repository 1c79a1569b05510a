import SmokeCore

/// What one attempt (a TCP connect or one HTTP exchange) ended with. The raw values are part of
/// the output contract (docs/probe-initialize.md).
public enum AttemptOutcome: String, Sendable, Codable {
    case ok
    case portOpen = "port_open"
    case portRefused = "port_refused"
    case portTimeout = "port_timeout"
    case refused
    case reset
    case timeout
    case redirect
    case httpStatus = "http_status"
    case notAcceptable = "not_acceptable"
    case emptyBody = "empty_body"
    case sseNoResponse = "sse_no_response"
    case invalidBody = "invalid_body"
    case bodyTooLarge = "body_too_large"
    case jsonrpcError = "jsonrpc_error"
    case sessionExpired = "session_expired"

    /// The stable `error.code` a run ends with when this was the deciding attempt.
    public var errorCode: ProbeErrorCode {
        switch self {
        case .ok, .portOpen, .redirect, .httpStatus, .sessionExpired: .httpStatus
        case .portRefused, .refused: .connectionRefused
        case .portTimeout, .timeout: .timeout
        case .reset: .connectionReset
        case .notAcceptable: .notAcceptable
        case .emptyBody, .sseNoResponse, .invalidBody, .bodyTooLarge: .invalidBody
        case .jsonrpcError: .jsonrpcError
        }
    }
}

/// The stable error codes of probe-initialize.
public enum ProbeErrorCode: String, Sendable {
    case connectionRefused = "connection_refused"
    case connectionReset = "connection_reset"
    case timeout
    case httpStatus = "http_status"
    case notAcceptable = "not_acceptable"
    case invalidBody = "invalid_body"
    case jsonrpcError = "jsonrpc_error"
    case toolsNotReady = "tools_not_ready"
    case deadlineExceeded = "deadline_exceeded"
}

/// Which step of the handshake an attempt belongs to.
public enum ProbePhase: String, Sendable {
    case waitPort = "wait_port"
    case initialize
    case initialized = "notifications/initialized"
    case toolsList = "tools/list"
    case deleteSession = "delete_session"
}

/// One line of the `attempts` diagnostics.
public struct Attempt: Sendable {
    public var n: Int
    public var phase: ProbePhase
    /// Milliseconds from the start of the run to the start of this attempt.
    public var atMs: Int64
    /// How long the probe waited before this attempt.
    public var delayMs: Int64
    public var durationMs: Int64
    public var outcome: AttemptOutcome
    public var status: Int?
    public var contentType: String?
    public var error: String?
    public var bodyPreview: String?
    public var location: String?
    public var retryAfterMs: Int64?

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "n": .int(Int64(n)), "phase": .string(phase.rawValue), "at_ms": .int(atMs),
            "delay_ms": .int(delayMs), "duration_ms": .int(durationMs), "outcome": .string(outcome.rawValue),
        ]
        if let status { object["status"] = .int(Int64(status)) }
        if let contentType { object["content_type"] = .string(contentType) }
        if let error { object["error"] = .string(error) }
        if let bodyPreview { object["body_preview"] = .string(bodyPreview) }
        if let location { object["location"] = .string(location) }
        if let retryAfterMs { object["retry_after_ms"] = .int(retryAfterMs) }
        return .object(object)
    }
}
