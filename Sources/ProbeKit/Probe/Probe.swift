import Foundation
import NIOHTTP1
import SmokeCore

/// The verdict of one run: its answer (`outcome`: the tool-specific keys, and the error when
/// not ready), and what a per-server check reads besides.
public struct ProbeReport: OutcomeReport, Sendable {
    public var outcome: ToolOutcome

    /// Names of the last complete `tools/list` listing; nil when none was read.
    public var listedTools: [String]?

    init(fields: [String: JSONValue], error: SmokeError?, listedTools: [String]?) {
        outcome = ToolOutcome(fields: fields, error: error)
        self.listedTools = listedTools
    }

    public var ok: Bool { error == nil }
    public var attempts: [JSONValue] { fields["attempts"]?.arrayValue ?? [] }
}

/// One readiness probe of an MCP streamable-HTTP endpoint, in either era: optional TCP wait,
/// era negotiation (`server/discover` and/or `initialize`, with backoff), optional catalog wait
/// (tools/list, resources/list, prompts/list), optional tool call, and for a handshake session
/// the closing DELETE. Every exchange is recorded as an attempt; nothing starts or runs past
/// the deadline (only the closing DELETE may use up to `closeGrace` after it).
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
    var nextRequestID: Int64 = 1
    /// The reading of the last exchange (its JSON-RPC error, partial body, …).
    var lastVerdict: AnswerVerdict?
    var lastPartial: PartialBody?

    // The era the run settled on.
    var era: MCPEra?
    /// The stamp of every modern request once the modern era is adopted.
    var envelope: ModernEnvelope?
    var discoverResult: DiscoverResult?
    var eraFallback: String?
    var negotiatedVersion: String?
    // The handshake era's session.
    var sessionID: String?
    var initializeResult: JSONValue?
    var sessionEnd = "none"

    var readyMs: Int64?
    var toolsReadyMs: Int64?
    /// `--stable-for`: when the tool list was judged stable, and the changes seen meanwhile.
    var stableMs: Int64?
    var stabilityFields: [String: JSONValue] = [:]
    var toolsFields: [String: JSONValue] = [:]
    var catalogFields: [String: JSONValue] = [:]
    var toolsOutWritten: String?
    var lastListing: [String]?
    /// Each listed tool by name (the call checks its answer against the tool's outputSchema).
    var listedTools: [String: JSONValue] = [:]
    var callFields: JSONValue?
    /// Modern results that came without `resultType` (the 2026-07-28 schema requires it).
    var resultTypeMissing: Set<String> = []
    /// The `error` object of the last JSON-RPC error answer, reported as `rpc_error`.
    var lastRPCError: JSONValue?
    /// No attempt starts at or after this instant (a load session's window end); an attempt in
    /// flight keeps its own timeout, bounded by the deadline.
    var startBy: ContinuousClock.Instant?

    /// The closing DELETE is a courtesy: it never holds the verdict back by more than this.
    static let closeGrace: Duration = .milliseconds(500)
    static let maxRedirects = 5
    /// The time kept for a final attempt when a backoff step would cross the deadline.
    static let lastAttemptWindow: Duration = .milliseconds(100)

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
        let failure = await converse()
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

    func converse() async -> SmokeError? {
        if configuration.waitPort, let failure = await waitForPort() { return failure }
        backoff.reset()
        if let failure = await connect() { return failure }
        if configuration.waitsForCatalog, let failure = await waitForCatalog() { return failure }
        if let call = configuration.call { return await callTool(call) }
        return nil
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

    /// A handshake session ends with a DELETE; the modern era has no session to end.
    func closeSession() async {
        guard sessionID != nil else { return }
        let left = deadlineAt - clock.now
        let timeout = min(configuration.attemptTimeout, max(left, Self.closeGrace))
        let began = clock.now
        let (result, _) = await transport.send(
            method: .DELETE, url: endpoint, headers: handshakeHeaders(afterInitialize: true, hasBody: false), body: nil,
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
