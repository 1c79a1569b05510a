import Foundation
import SmokeCore

/// Attempt records, failure verdicts with their codes and hints, and the report keys.
extension Probe {
    @discardableResult
    func record(phase: ProbePhase, began: ContinuousClock.Instant, delay: Duration, verdict: AnswerVerdict?)
        -> Attempt
    {
        let attempt = Attempt(
            n: attempts.count + 1, phase: phase, atMs: (began - start).milliseconds, delayMs: delay.milliseconds,
            durationMs: (clock.now - began).milliseconds, outcome: verdict?.outcome ?? .ok, status: verdict?.status,
            contentType: verdict?.contentType, error: verdict?.error,
            bodyPreview: verdict?.outcome == .ok ? nil : verdict?.bodyPreview, location: verdict?.location,
            retryAfterMs: verdict?.retryAfter?.milliseconds)
        attempts.append(attempt)
        return attempt
    }

    /// Rewrites the last attempt when its answer was well-formed HTTP but unusable MCP.
    func markLast(_ outcome: AttemptOutcome, _ error: String) -> Attempt {
        var attempt = attempts[attempts.count - 1]
        attempt.outcome = outcome
        attempt.error = error
        attempts[attempts.count - 1] = attempt
        return attempt
    }

    func deadlineAttempt(phase: ProbePhase) -> Attempt {
        Attempt(
            n: 0, phase: phase, atMs: (clock.now - start).milliseconds, delayMs: 0, durationMs: 0,
            outcome: .timeout, error: "the deadline left no time for an attempt")
    }

    func exhausted(phase: ProbePhase) -> SmokeError {
        if let last = attempts.last, last.phase == phase, last.outcome != .ok, last.outcome != .portOpen {
            return failure(from: last, exhausted: true)
        }
        return deadlineExceeded(phase: phase)
    }

    func deadlineExceeded(phase: ProbePhase) -> SmokeError {
        SmokeError(
            ProbeErrorCode.deadlineExceeded.rawValue,
            "\(configuration.url.absoluteString): the --deadline of \(seconds(configuration.deadline)) s ran out "
                + "before a \(phase.rawValue) attempt could run",
            hint: hint(for: .deadlineExceeded), exit: .checkFailed)
    }

    func failure(from attempt: Attempt, exhausted: Bool) -> SmokeError {
        if attempt.n == 0 { return deadlineExceeded(phase: attempt.phase) }
        let code = attempt.outcome.errorCode
        let detail = attempt.error ?? attempt.outcome.rawValue
        let message: String
        if exhausted {
            message =
                "\(configuration.url.absoluteString) not ready within \(seconds(configuration.deadline)) s "
                + "(\(attempts.count) attempts); last \(attempt.phase.rawValue) attempt: \(detail)"
        } else {
            message = "\(attempt.phase.rawValue) to \(endpoint.absoluteString) failed: \(detail)"
        }
        var fields: [String: JSONValue] = [:]
        if attempt.outcome == .jsonrpcError, let rpc = lastRPCError { fields["rpc_error"] = rpc }
        return SmokeError(code.rawValue, message, hint: hint(for: code), exit: .checkFailed, fields: fields)
    }

    func toolsNotReady(lastFull: [JSONValue]?, lastFailure: Attempt?) -> SmokeError {
        let names = Self.toolNames(lastFull ?? [])
        let missing = missing(from: names)
        var message =
            "\(configuration.url.absoluteString): tools not ready within \(seconds(configuration.deadline)) s: "
            + (lastFull == nil ? "no complete tools/list answer" : "\(names.count) tools, wanted \(missingDescription(names))")
        if let lastFailure, let text = lastFailure.error { message += "; last tools/list attempt: \(text)" }
        let fields: [String: JSONValue] = [
            "tools": .array(names.map(JSONValue.string)),
            "tools_missing": .array(missing.map(JSONValue.string)),
        ]
        if let lastFull, let writeFailure = writeToolsOut(lastFull) { return writeFailure }
        return SmokeError(
            ProbeErrorCode.toolsNotReady.rawValue, message, hint: hint(for: .toolsNotReady), exit: .checkFailed,
            fields: fields)
    }

    /// Writes `--tools-out` when asked; returns an error only if the write failed.
    func writeToolsOut(_ tools: [JSONValue]) -> SmokeError? {
        guard let path = configuration.toolsOut else { return nil }
        do {
            try FileIO.writeJSON(["tools": .array(tools)], to: path)
            toolsOutWritten = path
            return nil
        } catch {
            return error
        }
    }


    func missing(from names: [String]) -> [String] {
        let present = Set(names)
        return configuration.requiredTools.filter { !present.contains($0) }
    }

    func missingDescription(_ names: [String]) -> String {
        var parts: [String] = []
        if names.count < configuration.minTools { parts.append("at least \(configuration.minTools)") }
        let missing = missing(from: names)
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        return parts.isEmpty ? "nothing more" : parts.joined(separator: "; ")
    }

    static func toolNames(_ tools: [JSONValue]) -> [String] {
        tools.compactMap { $0["name"]?.stringValue }
    }

    func hint(for code: ProbeErrorCode) -> String {
        let host = "\(configuration.url.host ?? "?"):\(configuration.url.port.map(String.init) ?? "default port")"
        switch code {
        case .connectionRefused: return "nothing listens on \(host): is the server running, and on this port (PROXY_PORT)?"
        case .connectionReset: return "the server dropped the connection before a full answer; see its log"
        case .timeout: return "the server accepted the connection but did not answer within --attempt-timeout; it is stuck or still starting"
        case .httpStatus: return "the HTTP status says why; a 4xx means the URL, method or headers are wrong for this server"
        case .notAcceptable: return "the server refused 'Accept: application/json, text/event-stream': not a streamable-HTTP MCP endpoint?"
        case .invalidBody: return "the answer was neither a JSON-RPC response nor an event stream carrying one; body_preview shows its first bytes"
        case .jsonrpcError: return "the server rejected the request; check --protocol-version and the server log"
        case .toolsNotReady: return "downstream servers may have crashed at start, or the catalog is empty; see the server log"
        case .deadlineExceeded: return "--deadline is shorter than one attempt needs; raise it"
        }
    }

    func seconds(_ duration: Duration) -> String {
        let value = Double(duration.milliseconds) / 1000
        return value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
    }

    func reportFields() -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "url": .string(configuration.url.absoluteString),
            "ready_ms": readyMs.map(JSONValue.int) ?? .null,
            "attempts": .array(attempts.map(\.json)),
            "session": .bool(sessionID != nil),
            "session_end": .string(sessionEnd),
            "server_info": .null,
            "protocol_version": .null,
            "capabilities": .null,
        ]
        if endpoint != configuration.url { fields["endpoint"] = .string(endpoint.absoluteString) }
        if let result = initializeResult {
            let info = result["serverInfo"]
            fields["server_info"] = [
                "name": info?["name"] ?? .null, "version": info?["version"] ?? .null,
            ]
            fields["protocol_version"] = result["protocolVersion"] ?? .null
            fields["capabilities"] = result["capabilities"] ?? .null
        }
        if let toolsReadyMs { fields["tools_ready_ms"] = .int(toolsReadyMs) }
        fields.merge(toolsFields) { _, new in new }
        if let toolsOutWritten { fields["tools_out"] = .string(toolsOutWritten) }
        return fields
    }
}
