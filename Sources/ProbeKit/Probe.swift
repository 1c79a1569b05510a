import Foundation
import NIOHTTP1
import SmokeCore

/// The verdict of one run: the tool-specific JSON keys, and the error when not ready.
public struct ProbeReport: Sendable {
    public var fields: [String: JSONValue]
    public var error: SmokeError?

    /// Names of the last complete `tools/list` listing; nil when none was read.
    public var listedTools: [String]?

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
    var toolsFields: [String: JSONValue] = [:]
    var toolsOutWritten: String?
    var lastListing: [String]?
    /// The `error` object of the last JSON-RPC error answer, reported as `rpc_error`.
    var lastRPCError: JSONValue?

    /// The closing DELETE is a courtesy: it never holds the verdict back by more than this.
    static let closeGrace: Duration = .milliseconds(500)
    static let maxRedirects = 5
    /// The time kept for a final attempt when a backoff step would cross the deadline.
    static let lastAttemptWindow: Duration = .milliseconds(100)
    static let maxToolPages = 1000

    /// The deadline clock starts here, and the HTTP client is made here: call `run()` once,
    /// right away (it shuts the client down).
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
        return ProbeReport(fields: fields, error: error, listedTools: lastListing)
    }

    // MARK: - Phases

    func handshakeAndWait() async -> SmokeError? {
        if configuration.waitPort, let failure = await waitForPort() { return failure }
        backoff.reset()
        if let failure = await initializeSession() { return failure }
        guard configuration.waitsForTools else { return nil }
        return await waitForTools()
    }

    func waitForPort() async -> SmokeError? {
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

    func initializeSession() async -> SmokeError? {
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

    func waitForTools() async -> SmokeError? {
        backoff.reset()
        var lastFull: [JSONValue]?
        var lastFailure: Attempt?
        polling: while true {
            switch await listTools() {
            case .tools(let tools):
                lastFull = tools
                let names = Self.toolNames(tools)
                lastListing = names
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

    enum Listing {
        case tools([JSONValue])
        case failed(Attempt, exhausted: Bool)
    }

    /// One complete listing, following `nextCursor` to the last page.
    func listTools() async -> Listing {
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

    func closeSession() async {
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
}
