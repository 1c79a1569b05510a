import Foundation
import NIOHTTP1
import SmokeCore

/// The verdict of one run: the tool-specific JSON keys, and the error when not ready.
public struct ProbeReport: Sendable {
    public var fields: [String: JSONValue]
    public var error: SmokeError?

    public var ok: Bool { error == nil }
    public var attempts: [JSONValue] { fields["attempts"]?.arrayValue ?? [] }
}

/// One readiness probe of an MCP streamable-HTTP endpoint: optional TCP wait, `initialize` with
/// backoff, `notifications/initialized`, optional tool wait, session DELETE. Every exchange is
/// recorded as an attempt; nothing starts or runs past the deadline (only the closing DELETE
/// may use up to `closeGrace` after it).
public final class Probe {
    let configuration: ProbeConfiguration
    let log: Log?
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    let deadlineAt: ContinuousClock.Instant
    let transport: MCPHTTPClient
    var backoff: Backoff

    var attempts: [Attempt] = []
    var endpoint: URL
    var dropCredentials = false
    var sessionID: String?
    var negotiatedVersion: String?
    var initializeResult: JSONValue?
    var readyMs: Int64?
    var toolsReadyMs: Int64?
    var nextRequestID: Int64 = 1
    var sessionEnd = "none"

    /// The closing DELETE is a courtesy: it never holds the verdict back by more than this.
    static let closeGrace: Duration = .milliseconds(500)
    static let maxRedirects = 5
    /// The time kept for a final attempt when a backoff step would cross the deadline.
    static let lastAttemptWindow: Duration = .milliseconds(100)
    static let maxToolPages = 1000

    public init(
        configuration: ProbeConfiguration, log: Log? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.log = log
        self.start = clock.now
        self.deadlineAt = start + configuration.deadline
        self.endpoint = configuration.url
        self.backoff = Backoff(initial: configuration.initialDelay, max: configuration.maxDelay, random: random)
        self.transport = MCPHTTPClient(
            maxBodyBytes: configuration.maxBodyBytes, connectTimeout: configuration.attemptTimeout)
    }

    public func run() async -> ProbeReport {
        let failure = await handshakeAndWait()
        await closeSession()
        await transport.shutdown()
        var fields = reportFields()
        var error = failure
        if let failure {
            fields.merge(failure.fields) { _, new in new }
            error?.fields = [:]
        }
        return ProbeReport(fields: fields, error: error)
    }

    // MARK: - Phases

    private func handshakeAndWait() async -> SmokeError? {
        if configuration.waitPort, let failure = await waitForPort() { return failure }
        backoff.reset()
        if let failure = await initializeSession() { return failure }
        guard configuration.waitsForTools else { return nil }
        return await waitForTools()
    }

    private func waitForPort() async -> SmokeError? {
        let host = configuration.url.host ?? "127.0.0.1"
        let port = configuration.url.port ?? (configuration.url.scheme?.lowercased() == "https" ? 443 : 80)
        var delay: Duration = .zero
        while true {
            let left = deadlineAt - clock.now
            guard left > .milliseconds(1) else { return exhausted(phase: .waitPort) }
            let timeout = min(configuration.attemptTimeout, left)
            let began = clock.now
            let (outcome, text) = await PortWaiter.connect(host: host, port: port, timeout: timeout)
            var attempt = record(phase: .waitPort, began: began, delay: delay, verdict: nil)
            attempt.outcome = outcome
            attempt.error = text
            attempts[attempts.count - 1] = attempt
            log?.info("attempt \(attempt.n) wait_port \(host):\(port): \(outcome.rawValue)")
            if outcome == .portOpen { return nil }
            guard let wait = nextWait() else { return exhausted(phase: .waitPort) }
            try? await Task.sleep(for: wait)
            delay = wait
        }
    }

    private func initializeSession() async -> SmokeError? {
        sessionID = nil
        let params: JSONValue = [
            "protocolVersion": .string(configuration.protocolVersion),
            "capabilities": [:],
            "clientInfo": ["name": "probe-initialize", "version": .string(configuration.clientVersion)],
        ]
        let verdict: AnswerVerdict
        switch await request(phase: .initialize, method: "initialize", params: params) {
        case .answered(let answer): verdict = answer
        case .failed(let attempt, let exhausted): return failure(from: attempt, exhausted: exhausted)
        }
        let result = verdict.message?["result"] ?? [:]
        initializeResult = result
        negotiatedVersion = result["protocolVersion"]?.stringValue
        if let session = verdict.sessionID, !session.isEmpty {
            Redactor.shared.add(session)
            sessionID = session
        }
        if readyMs == nil { readyMs = (clock.now - start).milliseconds }
        log?.info("initialized: \(result["serverInfo"]?["name"]?.stringValue ?? "?") protocol \(negotiatedVersion ?? "?")")
        backoff.reset()
        switch await request(phase: .initialized, method: "notifications/initialized", params: nil, notification: true) {
        case .answered: return nil
        case .failed(let attempt, let exhausted): return failure(from: attempt, exhausted: exhausted)
        }
    }

    private func waitForTools() async -> SmokeError? {
        backoff.reset()
        var lastFull: [JSONValue]?
        var lastFailure: Attempt?
        polling: while true {
            switch await listTools() {
            case .tools(let tools):
                lastFull = tools
                let names = Self.toolNames(tools)
                if missing(from: names).isEmpty && names.count >= configuration.minTools {
                    toolsReadyMs = (clock.now - start).milliseconds
                    toolsFields = ["tools": .array(names.map(JSONValue.string))]
                    return writeToolsOut(tools)
                }
                log?.info("tools/list: \(names.count) tools, waiting for \(missingDescription(names))")
            case .failed(let attempt, let exhausted):
                if attempt.outcome == .sessionExpired {
                    if let failure = await initializeSession() { return failure }
                    continue polling
                }
                lastFailure = attempt
                if exhausted { break polling }
                return failure(from: attempt, exhausted: false)
            }
            guard let wait = nextWait() else { break polling }
            try? await Task.sleep(for: wait)
        }
        return toolsNotReady(lastFull: lastFull, lastFailure: lastFailure)
    }

    private enum Listing {
        case tools([JSONValue])
        case failed(Attempt, exhausted: Bool)
    }

    /// One complete listing, following `nextCursor` to the last page.
    private func listTools() async -> Listing {
        var tools: [JSONValue] = []
        var cursor: String?
        var seenCursors: Set<String> = []
        for _ in 0..<Self.maxToolPages {
            let params: JSONValue? = cursor.map { ["cursor": .string($0)] }
            let verdict: AnswerVerdict
            switch await request(phase: .toolsList, method: "tools/list", params: params) {
            case .answered(let answer): verdict = answer
            case .failed(let attempt, let exhausted): return .failed(attempt, exhausted: exhausted)
            }
            let result = verdict.message?["result"]
            guard let page = result?["tools"]?.arrayValue else {
                return .failed(markLast(.invalidBody, "tools/list result has no \"tools\" array"), exhausted: false)
            }
            tools += page
            guard let next = result?["nextCursor"]?.stringValue, !next.isEmpty else { return .tools(tools) }
            guard seenCursors.insert(next).inserted else {
                return .failed(markLast(.invalidBody, "tools/list nextCursor repeats (\(next)): pagination loops"), exhausted: false)
            }
            cursor = next
        }
        return .failed(markLast(.invalidBody, "tools/list has more than \(Self.maxToolPages) pages"), exhausted: false)
    }

    private func closeSession() async {
        guard sessionID != nil else { return }
        let left = deadlineAt - clock.now
        let timeout = min(configuration.attemptTimeout, max(left, Self.closeGrace))
        let began = clock.now
        let result = await transport.send(
            method: .DELETE, url: endpoint, headers: headers(afterInitialize: true, hasBody: false), body: nil,
            expectID: nil, timeout: timeout)
        let verdict: AnswerVerdict
        switch result {
        case .success(let answer): verdict = AnswerVerdict.read(answer, expectID: nil, hasSession: false)
        case .failure(let failure): verdict = AnswerVerdict.transportFailure(failure)
        }
        let attempt = record(phase: .deleteSession, began: began, delay: .zero, verdict: verdict)
        sessionEnd =
            switch (attempt.outcome, attempt.status) {
            case (.ok, _): "deleted"
            case (_, 405): "not_allowed"
            default: "failed"
            }
        log?.info("attempt \(attempt.n) delete_session: \(sessionEnd)")
    }

    // MARK: - One request with retries

    private enum RequestResult {
        case answered(AnswerVerdict)
        /// `exhausted`: the failure was retryable but the deadline leaves no room for another try.
        case failed(Attempt, exhausted: Bool)
    }

    private func request(
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
    private func nextWait(retryAfter: Duration? = nil) -> Duration? {
        let wait = backoff.nextDelay(retryAfter: retryAfter)
        let left = deadlineAt - clock.now
        let lastAttempt = min(configuration.attemptTimeout, Self.lastAttemptWindow)
        if wait <= left - lastAttempt { return wait }
        if let retryAfter, retryAfter >= left { return nil }
        let clamped = left - lastAttempt
        return clamped > .milliseconds(1) ? clamped : nil
    }

    private func headers(afterInitialize: Bool, hasBody: Bool) -> [(String, String)] {
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

    // MARK: - Records and verdicts

    @discardableResult
    private func record(phase: ProbePhase, began: ContinuousClock.Instant, delay: Duration, verdict: AnswerVerdict?)
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
    private func markLast(_ outcome: AttemptOutcome, _ error: String) -> Attempt {
        var attempt = attempts[attempts.count - 1]
        attempt.outcome = outcome
        attempt.error = error
        attempts[attempts.count - 1] = attempt
        return attempt
    }

    private func deadlineAttempt(phase: ProbePhase) -> Attempt {
        Attempt(
            n: 0, phase: phase, atMs: (clock.now - start).milliseconds, delayMs: 0, durationMs: 0,
            outcome: .timeout, error: "the deadline left no time for an attempt")
    }

    private func exhausted(phase: ProbePhase) -> SmokeError {
        if let last = attempts.last, last.phase == phase, last.outcome != .ok, last.outcome != .portOpen {
            return failure(from: last, exhausted: true)
        }
        return deadlineExceeded(phase: phase)
    }

    private func deadlineExceeded(phase: ProbePhase) -> SmokeError {
        SmokeError(
            ProbeErrorCode.deadlineExceeded.rawValue,
            "\(configuration.url.absoluteString): the --deadline of \(seconds(configuration.deadline)) s ran out "
                + "before a \(phase.rawValue) attempt could run",
            hint: hint(for: .deadlineExceeded), exit: .checkFailed)
    }

    private func failure(from attempt: Attempt, exhausted: Bool) -> SmokeError {
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

    /// Kept from the last JSON-RPC error answer so the failure can carry its code and message.
    private var lastRPCError: JSONValue? {
        guard let preview = attempts.last(where: { $0.outcome == .jsonrpcError })?.bodyPreview else { return nil }
        if let json = try? JSONValue.parse(Data(preview.utf8), source: "preview") {
            let candidates = json.arrayValue ?? [json]
            return candidates.compactMap { $0["error"] }.first
        }
        // An event stream: the error sits in one of its data lines.
        for line in preview.split(separator: "\n") where line.hasPrefix("data:") {
            if let json = try? JSONValue.parse(Data(line.dropFirst(5).utf8), source: "preview"), let error = json["error"] {
                return error
            }
        }
        return nil
    }

    private func toolsNotReady(lastFull: [JSONValue]?, lastFailure: Attempt?) -> SmokeError {
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
    private func writeToolsOut(_ tools: [JSONValue]) -> SmokeError? {
        guard let path = configuration.toolsOut else { return nil }
        do {
            try FileIO.writeJSON(["tools": .array(tools)], to: path)
            toolsOutWritten = path
            return nil
        } catch {
            return error
        }
    }

    private var toolsFields: [String: JSONValue] = [:]
    private var toolsOutWritten: String?

    private func missing(from names: [String]) -> [String] {
        let present = Set(names)
        return configuration.requiredTools.filter { !present.contains($0) }
    }

    private func missingDescription(_ names: [String]) -> String {
        var parts: [String] = []
        if names.count < configuration.minTools { parts.append("at least \(configuration.minTools)") }
        let missing = missing(from: names)
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        return parts.isEmpty ? "nothing more" : parts.joined(separator: "; ")
    }

    static func toolNames(_ tools: [JSONValue]) -> [String] {
        tools.compactMap { $0["name"]?.stringValue }
    }

    private func hint(for code: ProbeErrorCode) -> String {
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

    private func seconds(_ duration: Duration) -> String {
        let value = Double(duration.milliseconds) / 1000
        return value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
    }

    private func reportFields() -> [String: JSONValue] {
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
