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
    public var probeCode: ProbeErrorCode {
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

/// The stable error codes of probe-initialize's HTTP probe (the call's own codes are
/// `CallErrorCode`).
public enum ProbeErrorCode: Sendable {
    case connectionRefused
    case connectionReset
    case timeout
    case httpStatus
    case notAcceptable
    case invalidBody
    case jsonrpcError
    case toolsNotReady
    case resourcesNotReady
    case promptsNotReady
    /// `--stable-for`: the tool list was still changing when the deadline came.
    case toolsUnstable
    case deadlineExceeded
    /// -32020: the request's headers and body disagree (reported with the server's data).
    case headerMismatch
    /// -32022 with no version left to speak.
    case unsupportedProtocolVersion
    /// `--era modern`, but the server does not answer `server/discover` with a modern version.
    case modernUnsupported

    /// The stable code this stands for.
    public var errorCode: ErrorCode {
        switch self {
        case .connectionRefused: .connectionRefused
        case .connectionReset: .connectionReset
        case .timeout: .timeout
        case .httpStatus: .httpStatus
        case .notAcceptable: .notAcceptable
        case .invalidBody: .invalidBody
        case .jsonrpcError: .jsonrpcError
        case .toolsNotReady: .toolsNotReady
        case .resourcesNotReady: .resourcesNotReady
        case .promptsNotReady: .promptsNotReady
        case .toolsUnstable: .toolsUnstable
        case .deadlineExceeded: .deadlineExceeded
        case .headerMismatch: .headerMismatch
        case .unsupportedProtocolVersion: .unsupportedProtocolVersion
        case .modernUnsupported: .modernUnsupported
        }
    }

    /// The code for a catalog list that is not as asked by the deadline.
    static func notReady(_ kind: CatalogKind) -> ProbeErrorCode {
        switch kind {
        case .tools: .toolsNotReady
        case .resources: .resourcesNotReady
        case .prompts: .promptsNotReady
        }
    }

    /// The era codes a JSON-RPC error code stands for, whatever the request.
    static func forRPC(_ code: Int?) -> ProbeErrorCode? {
        switch code {
        case MCPErrorCode.headerMismatch?: .headerMismatch
        case MCPErrorCode.unsupportedProtocolVersion?: .unsupportedProtocolVersion
        default: nil
        }
    }
}

/// Which step of the conversation an attempt belongs to.
public enum ProbePhase: String, Sendable {
    case waitPort = "wait_port"
    case discover = "server/discover"
    case initialize
    case initialized = "notifications/initialized"
    case toolsList = "tools/list"
    case resourcesList = "resources/list"
    case promptsList = "prompts/list"
    case toolsCall = "tools/call"
    case deleteSession = "delete_session"

    static func list(_ kind: CatalogKind) -> ProbePhase {
        switch kind {
        case .tools: .toolsList
        case .resources: .resourcesList
        case .prompts: .promptsList
        }
    }
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
    /// The JSON-RPC error code the answer carried (in a 2xx body or an error status's body).
    public var rpcCode: Int?
    /// The version a `server/discover` or `initialize` attempt asked for.
    public var protocolVersion: String?

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
        if let rpcCode { object["rpc_code"] = .int(Int64(rpcCode)) }
        if let protocolVersion { object["protocol_version"] = .string(protocolVersion) }
        return .object(object)
    }
}
