import Foundation
import SmokeCore

/// One conversation with a started stdio server, on the probe's stdio thread: era negotiation
/// (the same `EraNegotiator` as over HTTP), the catalog wait, the call. A stdio server has no
/// headers: the modern envelope rides in `params._meta` alone. The server's first request
/// decides its connection's era (the SDK's `serve_dual_era_loop`), which is why a fallback
/// `initialize` answered -32022 sends the negotiation back to discover.
struct StdioConversation {
    let session: StdioSession
    let configuration: StdioProbeConfiguration
    let start: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let log: Log?
    let clock = ContinuousClock()
    /// The stamp of every request once the modern era is adopted.
    private var envelope: ModernEnvelope?
    private var listedTools: [String: JSONValue] = [:]

    init(
        session: StdioSession, configuration: StdioProbeConfiguration, start: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant, log: Log?
    ) {
        self.session = session
        self.configuration = configuration
        self.start = start
        self.deadline = deadline
        self.log = log
    }

    mutating func run(into result: inout StdioProbeResult) {
        guard negotiate(into: &result) else { return }
        if configuration.waitsForCatalog {
            guard waitForCatalog(into: &result) else { return }
        }
        if let call = configuration.call { callTool(call, into: &result) }
    }

    // MARK: - One request

    struct Failure: Error {
        var code: StdioFailureCode
        var message: String
        var rpcError: JSONValue?
    }

    enum Reply {
        case result(JSONValue, bytes: Int)
        case rpcError(RPCError, bytes: Int)
        case failed(Failure)
    }

    /// Sends `method` (stamped with the modern envelope once adopted, or with `stamp`) and
    /// reads its answer, bounded by the deadline.
    private func send(_ method: String, _ params: JSONValue?, stamp: ModernEnvelope? = nil) -> Reply {
        let envelope = stamp ?? self.envelope
        let body = envelope.map { $0.stamp(params) } ?? params
        switch session.request(method: method, params: body, until: deadline) {
        case .response(let response, let bytes):
            if let error = RPCError(response["error"]) { return .rpcError(error, bytes: bytes) }
            guard let result = response["result"], result.objectValue != nil else {
                return .failed(
                    Failure(code: .invalidAnswer, message: "\(method): the JSON-RPC result is not an object"))
            }
            return .result(result, bytes: bytes)
        case .closed:
            if session.child.status == nil {
                return .failed(
                    Failure(
                        code: .invalidAnswer, message: "closed its stdout without answering \(method) (still running)"))
            }
            return .failed(Failure(code: .exited, message: "ended before answering \(method)"))
        case .writeFailed(let problem):
            return .failed(Failure(code: .invalidAnswer, message: "\(method) could not be sent: \(problem)"))
        case .overlong:
            return .failed(
                Failure(
                    code: .invalidAnswer,
                    message: "\(method): a stdout line longer than \(configuration.maxLineBytes) bytes"))
        case .deadline:
            let within = "no answer to \(method) within \(StdioProbe.seconds(configuration.deadline)) s"
            if session.skippedLines > 0 {
                let first = session.skippedSample.first.map { " (first: \"\($0)\")" } ?? ""
                return .failed(
                    Failure(
                        code: .invalidAnswer,
                        message: "\(within); stdout carried \(session.skippedLines) lines that are not JSON-RPC\(first)"
                    ))
            }
            return .failed(Failure(code: .timeout, message: within))
        }
    }

    private func fail(_ failure: Failure, into result: inout StdioProbeResult) {
        result.failure = (failure.code, failure.message)
        result.rpcError = failure.rpcError
    }

    // MARK: - Era

    /// Settles the era; false (with `result.failure` set) when no era could be spoken.
    private mutating func negotiate(into result: inout StdioProbeResult) -> Bool {
        var negotiator = EraNegotiator(settings: configuration.era)
        var step = negotiator.start()
        while true {
            switch step {
            case .discover(let version):
                let stamp = ModernEnvelope(protocolVersion: version, clientVersion: configuration.clientVersion)
                switch send("server/discover", nil, stamp: stamp) {
                case .result(let discover, _): step = negotiator.discoverAnswered(.result(discover))
                case .rpcError(let error, _): step = negotiator.discoverAnswered(.rpcError(error))
                case .failed(let failure):
                    // A server that died or stays silent gives no era verdict.
                    fail(failure, into: &result)
                    return false
                }
                result.eraFallback = negotiator.fallbackReason
                if case .initialize = step, let reason = negotiator.fallbackReason {
                    log?.info("era: falling back to the handshake (\(reason))")
                }
            case .initialize(let version):
                let params: JSONValue = [
                    "protocolVersion": .string(version), "capabilities": [:],
                    "clientInfo": ["name": "probe-initialize", "version": .string(configuration.clientVersion)],
                ]
                switch send("initialize", params) {
                case .result(let initialize, _): step = negotiator.initializeAnswered(.result(initialize))
                case .rpcError(let error, _): step = negotiator.initializeAnswered(.rpcError(error))
                case .failed(let failure):
                    fail(failure, into: &result)
                    return false
                }
            case .modern(let version, let discover):
                envelope = ModernEnvelope(protocolVersion: version, clientVersion: configuration.clientVersion)
                result.era = .modern
                result.protocolVersion = version
                result.supportedVersions = discover.supportedVersions
                result.serverInfo = discover.serverInfo
                result.capabilities = discover.capabilities
                result.readyMs = (clock.now - start).milliseconds
                log?.info(
                    "discovered: \(discover.serverInfo?["name"]?.stringValue ?? "?") era modern protocol \(version)")
                return true
            case .legacy(let initialize):
                result.era = .legacy
                result.initializeResult = initialize
                result.protocolVersion = initialize["protocolVersion"]?.stringValue
                result.supportedVersions = result.protocolVersion.map { [$0] }
                result.serverInfo = initialize["serverInfo"]
                result.capabilities = initialize["capabilities"]
                result.readyMs = (clock.now - start).milliseconds
                log?.info(
                    "initialized: \(initialize["serverInfo"]?["name"]?.stringValue ?? "?") era legacy protocol "
                        + (result.protocolVersion ?? "?"))
                if let problem = session.notify(method: "notifications/initialized", until: deadline) {
                    session.settle()
                    fail(
                        Failure(code: .exited, message: "notifications/initialized could not be sent: \(problem)"),
                        into: &result)
                    return false
                }
                return true
            case .failed(let failure):
                let code: StdioFailureCode =
                    switch failure.kind {
                    case .unsupportedProtocolVersion: .unsupportedProtocolVersion
                    case .headerMismatch: .headerMismatch
                    case .modernUnsupported: .modernUnsupported
                    case .invalidResult, .answerRejected: .invalidAnswer
                    }
                fail(Failure(code: code, message: failure.message, rpcError: failure.rpcError?.json), into: &result)
                if let supported = failure.supported { result.supportedVersions = supported }
                return false
            }
        }
    }

    // MARK: - Catalog

    /// Lists what was asked (every page), polling with backoff until satisfied or the deadline.
    private mutating func waitForCatalog(into result: inout StdioProbeResult) -> Bool {
        var wait = CatalogWait(requirements: configuration.catalogRequirements, capabilities: result.capabilities)
        var backoff = Backoff(initial: configuration.initialDelay, max: configuration.maxDelay)
        while true {
            for kind in wait.pending {
                switch list(kind) {
                case .success(let items):
                    wait.record(kind, items)
                    if kind == .tools {
                        result.tools = items
                        for tool in items { if let name = tool["name"]?.stringValue { listedTools[name] = tool } }
                    }
                    if !wait.satisfied(kind) {
                        log?.info("\(kind.method): \(items.count) \(kind.rawValue), waiting for \(wait.wanted(kind))")
                    }
                case .failure(let failure):
                    if !wait.isRequired(kind), failure.code == .invalidAnswer {
                        wait.recordError(kind, failure.message)  // nothing was asked of it: only its count is lost
                        continue
                    }
                    fail(failure, into: &result)
                    result.catalogFields = wait.fields(failed: true)
                    return false
                }
            }
            if wait.done {
                log?.info("tools/list: \(wait.names(.tools).count) tools")
                result.toolsReadyMs = (clock.now - start).milliseconds
                result.toolsMissing = []
                result.catalogFields = wait.fields(failed: false)
                return true
            }
            // Poll again after a backoff step, keeping the last attempt inside the deadline.
            let next = min(clock.now + backoff.nextDelay(), deadline - .milliseconds(100))
            guard next > clock.now else { break }
            guard session.idle(until: next) else {
                fail(Failure(code: .exited, message: "ended during the tool wait"), into: &result)
                return false
            }
        }
        let kind = wait.pending.first ?? .tools
        result.toolsMissing = wait.missing(.tools)
        result.catalogFields = wait.fields(failed: true)
        let parts = wait.pending.map { kind in
            "\(wait.listings[kind]?.count ?? 0) \(kind.rawValue) listed, wanted \(wait.wanted(kind))"
        }
        fail(
            Failure(
                code: .missing(kind),
                message: "\(kind.rawValue) not ready within \(StdioProbe.seconds(configuration.deadline)) s: "
                    + parts.joined(separator: "; ")), into: &result)
        return false
    }

    /// One complete listing, following `nextCursor` to the last page.
    private func list(_ kind: CatalogKind) -> Result<[JSONValue], Failure> {
        var pager = CatalogPager(kind: kind)
        while true {
            switch send(kind.method, pager.params) {
            case .result(let page, _):
                switch pager.absorb(page) {
                case .more: continue
                case .done(let items): return .success(items)
                case .failed(let message): return .failure(Failure(code: .invalidAnswer, message: message))
                }
            case .rpcError(let error, _):
                let code: StdioFailureCode =
                    switch error.code {
                    case MCPErrorCode.unsupportedProtocolVersion: .unsupportedProtocolVersion
                    case MCPErrorCode.headerMismatch: .headerMismatch
                    default: .invalidAnswer
                    }
                return .failure(
                    Failure(code: code, message: "\(kind.method): JSON-RPC error \(error.text)", rpcError: error.json))
            case .failed(let failure):
                return .failure(failure)
            }
        }
    }

    // MARK: - Call

    /// One tools/call, its answer judged by `CallVerdict` (the line it came on is its size).
    private func callTool(_ call: ToolCall, into result: inout StdioProbeResult) {
        let began = clock.now
        let params: JSONValue = ["name": .string(call.name), "arguments": call.arguments]
        let answer: CallAnswer
        switch send("tools/call", params) {
        case .result(let value, let bytes): answer = .result(value, bytes: bytes)
        case .rpcError(let error, let bytes): answer = .rpcError(error, bytes: bytes)
        case .failed(let failure):
            if let cut = session.cutLineBytes {
                answer = .truncated(
                    received: cut, expected: nil, detail: "stdout ended in the middle of the answer's line")
            } else if session.overlong {
                answer = .tooLarge(bytes: configuration.maxLineBytes)
            } else {
                fail(failure, into: &result)
                return
            }
        }
        let verdict = CallVerdict.evaluate(
            call, answer, tool: listedTools[call.name], durationMs: (clock.now - began).milliseconds)
        result.call = verdict
        log?.info(
            "tools/call \(call.name): "
                + (verdict.failure.map { "\($0.code.errorCode.rawValue): \($0.message)" } ?? "ok"))
        if let failure = verdict.failure { result.failure = (.callFailed, failure.message) }
    }
}
