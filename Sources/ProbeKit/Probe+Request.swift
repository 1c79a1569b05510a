import Foundation
import NIOHTTP1
import SmokeCore

/// One JSON-RPC request with its retries, redirects and headers.
extension Probe {
    enum RequestResult {
        case answered(AnswerVerdict)
        /// `exhausted`: the failure was retryable but the deadline leaves no room for another try.
        case failed(Attempt, exhausted: Bool)
    }

    func request(
        phase: ProbePhase, method: String, params: JSONValue?, notification: Bool = false
    ) async -> RequestResult {
        var delay: Duration = .zero
        var redirects = 0
        var lastFailed: Attempt?
        while true {
            let left = deadlineAt - clock.now
            guard left > .milliseconds(1) else {
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
            if let params { message["params"] = params }
            let began = clock.now
            let result = await transport.send(
                method: .POST, url: endpoint, headers: headers(afterInitialize: phase != .initialize, hasBody: true),
                body: JSONValue.object(message).encoded(), expectID: id, timeout: timeout)
            var verdict: AnswerVerdict
            switch result {
            case .success(let answer):
                verdict = AnswerVerdict.read(answer, expectID: id, hasSession: sessionID != nil && phase != .initialize)
            case .failure(let failure):
                verdict = AnswerVerdict.transportFailure(failure)
                if verdict.outcome == .timeout, timeout < configuration.attemptTimeout {
                    verdict.error = (verdict.error ?? "timeout") + " (cut short by --deadline)"
                }
            }
            if verdict.outcome == .jsonrpcError { lastRPCError = verdict.message?["error"] }
            let attempt = record(phase: phase, began: began, delay: delay, verdict: verdict)
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
                    return .failed(markLast(.httpStatus, "more than \(Self.maxRedirects) redirects or a bad Location"), exhausted: false)
                }
                if target.host != configuration.url.host || target.port != configuration.url.port
                    || target.scheme != configuration.url.scheme
                {
                    dropCredentials = true  // credentials go only to the origin they were given for
                }
                endpoint = target
                delay = .zero
                continue
            case .sessionExpired:
                return .failed(attempt, exhausted: false)
            default:
                guard verdict.retryable else { return .failed(attempt, exhausted: false) }
                lastFailed = attempt
                guard let wait = nextWait(retryAfter: verdict.retryAfter) else { return .failed(attempt, exhausted: true) }
                try? await Task.sleep(for: wait)
                delay = wait
            }
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

    func headers(afterInitialize: Bool, hasBody: Bool) -> [(String, String)] {
        var list: [(String, String)] = [("User-Agent", "probe-initialize/\(configuration.clientVersion)")]
        if hasBody {
            list.append(("Content-Type", "application/json"))
            list.append(("Accept", "application/json, text/event-stream"))
        }
        if afterInitialize {
            list.append(("MCP-Protocol-Version", negotiatedVersion ?? configuration.protocolVersion))
            if let sessionID { list.append(("Mcp-Session-Id", sessionID)) }
        }
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
