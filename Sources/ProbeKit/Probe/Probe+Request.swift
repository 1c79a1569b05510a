import Foundation
import NIOHTTP1
import SmokeCore

/// One JSON-RPC request with its retries, redirects and headers, in either era.
extension Probe {
    enum RequestResult {
        case answered(AnswerVerdict)
        /// `exhausted`: the failure was retryable but the deadline leaves no room for another try.
        case failed(Attempt, exhausted: Bool)
    }

    /// How a request is stamped: with the handshake's session headers, or with the modern
    /// envelope (and, for tools/call, the `Mcp-Param-*` headers the tool's inputSchema asks for).
    enum Stamp {
        case handshake
        case modern(ModernEnvelope, inputSchema: JSONValue? = nil)
    }

    /// Which failures a request retries by itself until the deadline.
    enum RetryPolicy {
        /// Every retryable failure (refusals, timeouts, 502/503, …): waiting for readiness.
        case untilDeadline
        /// Only failures with no HTTP answer at all. `auto`'s discover: an HTTP answer, even a
        /// 503, is an answer the SDK falls back on; an outage is no era verdict.
        case transportOnly
        /// None: the fallback handshake of one negotiation round (the round is retried as a
        /// whole), and tools/call (a call is not idempotent: it is never sent twice).
        case once
    }

    func request(
        phase: ProbePhase, method: String, params: JSONValue?, notification: Bool = false, stamp: Stamp = .handshake,
        retry: RetryPolicy = .untilDeadline, version: String? = nil, waited: Duration = .zero
    ) async -> RequestResult {
        var delay = waited  // shown as the first attempt's delay_ms
        var redirects = 0
        var lastFailed: Attempt?
        let body: JSONValue? =
            switch stamp {
            case .handshake: params
            case .modern(let envelope, _): envelope.stamp(params)
            }
        while true {
            let left = deadlineAt - clock.now
            guard left > .milliseconds(1), startBy.map({ clock.now < $0 }) ?? true else {
                return .failed(lastFailed ?? deadlineAttempt(phase: phase), exhausted: true)
            }
            let timeout = min(configuration.attemptTimeout, left)
            var message: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
            var id: JSONValue?
            if !notification {
                id = .int(nextRequestID)
                message["id"] = id
                nextRequestID += 1
            }
            if let body { message["params"] = body }
            let began = clock.now
            let (result, partial) = await transport.send(
                method: .POST, url: endpoint,
                headers: headers(phase: phase, method: method, params: body, stamp: stamp),
                body: JSONValue.object(message).encoded(), expectID: id, timeout: timeout)
            lastPartial = partial
            var verdict: AnswerVerdict
            switch result {
            case .success(let answer):
                let modern = if case .modern = stamp { true } else { false }
                verdict = AnswerVerdict.read(
                    answer, expectID: id, hasSession: sessionID != nil && phase != .initialize && !modern,
                    modern: modern)
                if modern, verdict.outcome == .ok { checkResultType(&verdict, method: method) }
            case .failure(let failure):
                verdict = AnswerVerdict.transportFailure(failure)
                if verdict.outcome == .timeout, timeout < configuration.attemptTimeout {
                    verdict.error = (verdict.error ?? "timeout") + " (cut short by --deadline)"
                }
            }
            lastVerdict = verdict
            if let error = verdict.rpcError { lastRPCError = error.json }
            var attempt = record(phase: phase, began: began, delay: delay, verdict: verdict)
            if let version {
                attempt.protocolVersion = version
                attempts[attempts.count - 1] = attempt
            }
            log?.info(
                "attempt \(attempt.n) \(phase.rawValue): \(attempt.outcome.rawValue)"
                    + (attempt.status.map { " \($0)" } ?? "") + (attempt.error.map { " (\($0))" } ?? ""))
            switch verdict.outcome {
            case .ok:
                return .answered(verdict)
            case .redirect:
                redirects += 1
                guard redirects <= Self.maxRedirects, let location = verdict.location,
                    let target = URL(string: location, relativeTo: endpoint)?.absoluteURL
                else {
                    return .failed(
                        markLast(.httpStatus, "more than \(Self.maxRedirects) redirects or a bad Location"),
                        exhausted: false)
                }
                if target.host != configuration.url.host || target.port != configuration.url.port
                    || target.scheme != configuration.url.scheme
                {
                    if configuration.stayOnOrigin {
                        return .failed(
                            markLast(
                                .httpStatus,
                                "redirect to \(target.absoluteString) not followed: --load sends only to the URL's own host and port"
                            ),
                            exhausted: false)
                    }
                    dropCredentials = true  // credentials go only to the origin they were given for
                }
                endpoint = target
                delay = .zero
                continue
            case .sessionExpired:
                return .failed(attempt, exhausted: false)
            default:
                guard verdict.retryable else { return .failed(attempt, exhausted: false) }
                switch retry {
                case .once: return .failed(attempt, exhausted: false)
                case .transportOnly where verdict.status != nil: return .failed(attempt, exhausted: false)
                case .transportOnly, .untilDeadline: break
                }
                lastFailed = attempt
                guard let wait = nextWait(retryAfter: verdict.retryAfter) else {
                    return .failed(attempt, exhausted: true)
                }
                try? await Task.sleep(for: wait)
                delay = wait
            }
        }
    }

    /// Every modern result carries `resultType` (`complete` for an ordinary answer); absent
    /// reads as `complete`, as in the SDK, but is noted. Another type where a list or discover
    /// result was due is not a usable answer. (tools/call judges its own: `CallVerdict`.)
    private func checkResultType(_ verdict: inout AnswerVerdict, method: String) {
        guard method != "tools/call", let result = verdict.message?["result"] else { return }
        switch result["resultType"] {
        case nil: resultTypeMissing.insert(method)
        case .string("complete")?: break
        case let other?:
            verdict.outcome = .invalidBody
            verdict.error = "\(method) answered resultType \(other.encodedString()) where a complete result was due"
        }
    }

    /// The wait before the next try. When the backoff step would cross the deadline, the wait
    /// shrinks so that one last attempt still runs just before it (a server that comes up late
    /// in the budget is still seen); nil when not even that fits, or when the server's
    /// Retry-After points past the deadline.
    func nextWait(retryAfter: Duration? = nil) -> Duration? {
        let wait = backoff.nextDelay(retryAfter: retryAfter)
        let left = deadlineAt - clock.now
        let lastAttempt = min(configuration.attemptTimeout, Self.lastAttemptWindow)
        if wait <= left - lastAttempt { return wait }
        if let retryAfter, retryAfter >= left { return nil }
        let clamped = left - lastAttempt
        return clamped > .milliseconds(1) ? clamped : nil
    }

    func headers(phase: ProbePhase, method: String, params: JSONValue?, stamp: Stamp) -> [(String, String)] {
        switch stamp {
        case .handshake:
            return handshakeHeaders(afterInitialize: phase != .initialize, hasBody: true)
        case .modern(let envelope, let inputSchema):
            // No session: every modern request stands alone.
            return withConfiguredHeaders(
                baseHeaders(hasBody: true) + envelope.headers(method: method, params: params, inputSchema: inputSchema))
        }
    }

    func handshakeHeaders(afterInitialize: Bool, hasBody: Bool) -> [(String, String)] {
        var list = baseHeaders(hasBody: hasBody)
        if afterInitialize {
            list.append(("MCP-Protocol-Version", negotiatedVersion ?? configuration.era.handshakeVersion))
            if let sessionID { list.append(("Mcp-Session-Id", sessionID)) }
        }
        return withConfiguredHeaders(list)
    }

    private func baseHeaders(hasBody: Bool) -> [(String, String)] {
        var list: [(String, String)] = [("User-Agent", "probe-initialize/\(configuration.clientVersion)")]
        if hasBody {
            list.append(("Content-Type", "application/json"))
            list.append(("Accept", "application/json, text/event-stream"))
        }
        return list
    }

    /// `--header` values replace the probe's own of the same name (a gateway's routing header
    /// included: that is how a proxy that rewrites headers is reproduced).
    private func withConfiguredHeaders(_ base: [(String, String)]) -> [(String, String)] {
        var list = base
        for header in configuration.headers {
            if dropCredentials, Self.isCredential(header.name) { continue }
            list.removeAll { $0.0.lowercased() == header.name.lowercased() }
            list.append((header.name, header.value))
        }
        return list
    }

    static func isCredential(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie"
            || Redactor.isSecretName(name.replacingOccurrences(of: "-", with: "_"))
    }
}
