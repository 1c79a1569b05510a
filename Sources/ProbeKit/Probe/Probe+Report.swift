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
            retryAfterMs: verdict?.retryAfter?.milliseconds, rpcCode: verdict?.rpcError?.code)
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
            .deadlineExceeded,
            "\(configuration.url.absoluteString): the --deadline of \(seconds(configuration.deadline)) s ran out "
                + "before a \(phase.rawValue) attempt could run",
            hint: hint(for: .deadlineExceeded))
    }

    /// The run's error after `attempt`. A -32020 or -32022 answer is named as such whatever the
    /// request (and never retried: it says the request is wrong, not that the server is busy).
    func failure(from attempt: Attempt, exhausted: Bool) -> SmokeError {
        if attempt.n == 0 { return deadlineExceeded(phase: attempt.phase) }
        let code = ProbeErrorCode.forRPC(attempt.rpcCode) ?? attempt.outcome.probeCode
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
        if attempt.rpcCode != nil, let rpc = lastRPCError { fields["rpc_error"] = rpc }
        // Every probe failure is a failed check (exit 1), `timeout` included: not timeout(1)'s 124.
        return SmokeError(code.errorCode, message, hint: hint(for: code), exit: .checkFailed, fields: fields)
    }

    /// The catalog wait ran out: named after the first list that is not as asked (tools, then
    /// resources, then prompts); the message names every one.
    func catalogNotReady(_ wait: CatalogWait, lastFailure: Attempt?) -> SmokeError {
        let names = wait.names(.tools)
        let pending = wait.pending
        var parts: [String] = []
        for kind in pending {
            guard let listing = wait.listings[kind] else {
                parts.append("no complete \(kind.method) answer")
                continue
            }
            parts.append("\(listing.count) \(kind.rawValue), wanted \(wait.wanted(kind))")
        }
        var message =
            "\(configuration.url.absoluteString): \(pending.first?.rawValue ?? "tools") not ready within "
            + "\(seconds(configuration.deadline)) s: " + parts.joined(separator: "; ")
        if let lastFailure, let text = lastFailure.error {
            message += "; last \(lastFailure.phase.rawValue) attempt: \(text)"
        }
        var fields: [String: JSONValue] = [
            "tools": .array(names.map(JSONValue.string)),
            "tools_missing": .array(wait.missing(.tools).map(JSONValue.string)),
        ]
        fields.merge(catalogFields) { _, new in new }
        if let tools = wait.listings[.tools], let writeFailure = writeToolsOut(tools) { return writeFailure }
        let code = pending.first.map(ProbeErrorCode.notReady) ?? .toolsNotReady
        return SmokeError(code.errorCode, message, hint: hint(for: code), fields: fields)
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

    func hint(for code: ProbeErrorCode) -> String {
        let host = "\(configuration.url.host ?? "?"):\(configuration.url.port.map(String.init) ?? "default port")"
        switch code {
        case .connectionRefused:
            return "nothing listens on \(host): is the server running, and on this port (PROXY_PORT)?"
        case .connectionReset: return "the server dropped the connection before a full answer; see its log"
        case .timeout:
            return
                "the server accepted the connection but did not answer within --attempt-timeout; it is stuck or still starting"
        case .httpStatus:
            return "the HTTP status says why; a 4xx means the URL, method or headers are wrong for this server"
        case .notAcceptable:
            return
                "the server refused 'Accept: application/json, text/event-stream': not a streamable-HTTP MCP endpoint?"
        case .invalidBody:
            return
                "the answer was neither a JSON-RPC response nor an event stream carrying one; body_preview shows its first bytes"
        case .jsonrpcError: return "the server rejected the request; check --protocol-version and the server log"
        case .toolsNotReady:
            return "downstream servers may have crashed at start, or the catalog is empty; see the server log"
        case .resourcesNotReady, .promptsNotReady:
            return "the server answered, but does not list what --require-resource / --require-prompt ask for"
        case .toolsUnstable:
            return
                "servers behind the endpoint are still registering tools (catalog_changes); raise --deadline, or check what keeps changing the list"
        case .deadlineExceeded: return "--deadline is shorter than one attempt needs; raise it"
        case .headerMismatch:
            return
                "the server saw MCP-Protocol-Version / Mcp-Method / Mcp-Name headers that disagree with the body: a proxy or --header rewrote them?"
        case .unsupportedProtocolVersion:
            return
                "the server serves none of the versions asked (rpc_error.data.supported lists its own); pick one with --era / --protocol-version"
        case .modernUnsupported:
            return "the server speaks the handshake era only: probe it with --era auto or --era legacy"
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
            "protocol_version": negotiatedVersion.map(JSONValue.string) ?? .null,
            "capabilities": .null,
            "era": era.map { .string($0.rawValue) } ?? .null,
            "era_asked": .string(configuration.era.choice.rawValue),
            "supported_versions": .null,
        ]
        if endpoint != configuration.url { fields["endpoint"] = .string(endpoint.absoluteString) }
        if let eraFallback { fields["era_fallback"] = .string(eraFallback) }
        if let result = discoverResult {
            fields["server_info"] = [
                "name": result.serverInfo?["name"] ?? .null, "version": result.serverInfo?["version"] ?? .null,
            ]
            fields["capabilities"] = result.capabilities
            fields["supported_versions"] = .array(result.supportedVersions.map(JSONValue.string))
            if let instructions = result.instructions { fields["instructions"] = .string(instructions) }
        } else if let result = initializeResult {
            let info = result["serverInfo"]
            fields["server_info"] = ["name": info?["name"] ?? .null, "version": info?["version"] ?? .null]
            fields["protocol_version"] = result["protocolVersion"] ?? .null
            fields["capabilities"] = result["capabilities"] ?? .null
            fields["supported_versions"] = result["protocolVersion"].map { [$0] } ?? .null
        }
        if !resultTypeMissing.isEmpty {
            fields["result_type_missing"] = .array(resultTypeMissing.sorted().map(JSONValue.string))
        }
        if let toolsReadyMs { fields["tools_ready_ms"] = .int(toolsReadyMs) }
        if configuration.stableFor != nil {
            fields["stable_ms"] = stableMs.map(JSONValue.int) ?? .null
            fields["catalog_changes"] = stabilityFields["catalog_changes"] ?? []
        }
        fields.merge(toolsFields) { _, new in new }
        fields.merge(catalogFields) { _, new in new }
        if let toolsOutWritten { fields["tools_out"] = .string(toolsOutWritten) }
        if let callFields { fields["call"] = callFields }
        return fields
    }
}
