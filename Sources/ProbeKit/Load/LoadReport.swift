import SmokeCore

/// The stable error codes of the load mode (the readiness probe before it keeps its own).
public enum LoadErrorCode: Sendable {
    /// A request or a session open failed: `load.errors` / `load.session_errors` say which and why.
    case loadErrors
    /// The sessions opened but the window closed before any request was sent.
    case loadNoRequests
    /// Nothing accepted a connection at the URL: the load never started (exit 3).
    case serverUnreachable

    /// The stable code this stands for.
    public var errorCode: ErrorCode {
        switch self {
        case .loadErrors: .loadErrors
        case .loadNoRequests: .loadNoRequests
        case .serverUnreachable: .serverUnreachable
        }
    }

    var hint: String {
        switch self {
        case .loadErrors:
            "load.errors counts failed requests by code with the first message and body of each; a request's timeout is --attempt-timeout"
        case .loadNoRequests: "raise --duration: the window closed before the sessions sent a request"
        case .serverUnreachable:
            "nothing listens at the URL's host and port: start the server, or check --url / PROXY_PORT"
        }
    }
}

/// The `load` object of the report, and the verdict on it.
struct LoadReport {
    var configuration: LoadConfiguration
    var era: MCPEra
    var protocolVersion: String?
    var request: LoadRequest
    var sessions: [LoadSessionResult]
    /// From the window's start to the last session's end (its in-flight request and DELETE included).
    var elapsed: Duration

    var requests: Int { sessions.reduce(0) { $0 + $1.requests } }
    var ok: Int { sessions.reduce(0) { $0 + $1.ok } }

    var errors: ErrorTally {
        sessions.reduce(into: ErrorTally()) { $0.merge($1.errors) }
    }

    var sessionErrors: ErrorTally {
        sessions.reduce(into: ErrorTally()) { tally, session in session.openError.map { tally.add($0) } }
    }

    var json: JSONValue {
        let latency = sessions.reduce(into: LatencySummary()) { $0.merge($1.latency) }
        let seconds = Double(configuration.duration.milliseconds) / 1000
        var object: [String: JSONValue] = [
            "sessions": .int(Int64(configuration.sessions)),
            "duration_s": .double(seconds),
            "attempt_timeout_s": .double(Double(configuration.probe.attemptTimeout.milliseconds) / 1000),
            "grace_s": .double(Double(configuration.grace.milliseconds) / 1000),
            "era": .string(era.rawValue),
            "protocol_version": protocolVersion.map(JSONValue.string) ?? .null,
            "request": .string(request.method),
            "requests": .int(Int64(requests)),
            "ok": .int(Int64(ok)),
            "failed": .int(Int64(requests - ok)),
            "requests_per_s": .double((Double(requests) / seconds * 10).rounded() / 10),
            "latency_ms": latency.json,
            "errors": errors.json,
            "sessions_opened": .int(Int64(sessions.filter(\.opened).count)),
            "session_errors": sessionErrors.json,
            "window_ms": .int(elapsed.milliseconds),
            "per_session": .array(sessions.map(\.json)),
        ]
        if case .toolsCall(let call) = request { object["tool"] = .string(call.name) }
        return .object(object)
    }

    /// Nil when every request succeeded and every session opened.
    var error: SmokeError? {
        let failed = requests - ok
        let sessionFailures = sessionErrors.total
        let url = configuration.probe.url.absoluteString
        if failed > 0 || sessionFailures > 0 {
            var parts: [String] = []
            if failed > 0 { parts.append("\(failed) of \(requests) requests failed (\(errors.summary))") }
            if sessionFailures > 0 {
                parts.append(
                    "\(sessionFailures) of \(configuration.sessions) sessions could not open (\(sessionErrors.summary))"
                )
            }
            return SmokeError(
                LoadErrorCode.loadErrors.errorCode, "load on \(url): " + parts.joined(separator: "; "),
                hint: LoadErrorCode.loadErrors.hint)
        }
        if requests == 0 {
            return SmokeError(
                LoadErrorCode.loadNoRequests.errorCode,
                "load on \(url): no request was sent within --duration \(Double(configuration.duration.milliseconds) / 1000) s",
                hint: LoadErrorCode.loadNoRequests.hint)
        }
        return nil
    }
}
