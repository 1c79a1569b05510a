import Foundation
import SmokeCore

/// Era negotiation over streamable HTTP: `EraNegotiator` decides, this drives it.
///
/// One negotiation round is one connect of the SDK's client: discover (retried while nothing
/// answers: an outage is no era verdict), then the fallback `initialize` when the answer says
/// so. A round whose fallback handshake meets a failure that waiting may cure (a refusal, a
/// 503 of a proxy whose backend is still starting) is run again from discover after a backoff
/// step, so a dual-era server that comes up late is still met in the modern era.
extension Probe {
    func connect() async -> SmokeError? {
        let settings = configuration.era
        var roundWait: Duration = .zero
        while true {
            var negotiator = EraNegotiator(settings: settings)
            var step = negotiator.start()
            var roundAgain = false
            negotiation: while !roundAgain {
                switch step {
                case .discover(let version):
                    let stamp = Stamp.modern(
                        ModernEnvelope(protocolVersion: version, clientVersion: configuration.clientVersion))
                    let policy: RetryPolicy = settings.choice == .auto ? .transportOnly : .untilDeadline
                    let waited = roundWait
                    roundWait = .zero
                    switch await request(
                        phase: .discover, method: "server/discover", params: nil, stamp: stamp, retry: policy,
                        version: version,
                        waited: waited)
                    {
                    case .answered(let verdict):
                        step = negotiator.discoverAnswered(.result(verdict.message?["result"] ?? [:]))
                    case .failed(let attempt, let exhausted):
                        if exhausted || attempt.n == 0 || attempt.status == nil {
                            return failure(from: attempt, exhausted: exhausted)  // an outage: no era verdict
                        }
                        step = negotiator.discoverAnswered(eraAnswer(attempt))
                    }
                    eraFallback = negotiator.fallbackReason ?? eraFallback
                    if case .initialize = step, let reason = negotiator.fallbackReason {
                        log?.info("era: falling back to the handshake (\(reason))")
                    }
                case .initialize(let version):
                    let policy: RetryPolicy = settings.choice == .auto ? .once : .untilDeadline
                    switch await sendInitialize(version: version, retry: policy) {
                    case .answered(let verdict):
                        step = negotiator.initializeAnswered(.result(verdict.message?["result"] ?? [:]))
                    case .failed(let attempt, let exhausted):
                        if exhausted || attempt.n == 0 { return failure(from: attempt, exhausted: exhausted) }
                        if settings.choice == .auto, lastVerdict?.retryable == true {
                            roundAgain = true
                            continue negotiation
                        }
                        step = negotiator.initializeAnswered(eraAnswer(attempt))
                    }
                case .modern(let version, let result):
                    adoptModern(version: version, result: result)
                    return nil
                case .legacy(let result):
                    return await adoptLegacy(result)
                case .failed(let failure):
                    return eraFailure(failure)
                }
            }
            guard let wait = nextWait() else { return failure(from: attempts[attempts.count - 1], exhausted: true) }
            try? await Task.sleep(for: wait)
            roundWait = wait
        }
    }

    /// A failed exchange as the negotiator sees it: its JSON-RPC error, or what was wrong.
    func eraAnswer(_ attempt: Attempt) -> EraAnswer {
        if let error = lastVerdict?.rpcError { return .rpcError(error) }
        return .unusable(attempt.error ?? attempt.outcome.rawValue)
    }

    func sendInitialize(version: String, retry: RetryPolicy) async -> RequestResult {
        sessionID = nil
        let params: JSONValue = [
            "protocolVersion": .string(version),
            "capabilities": [:],
            "clientInfo": ["name": "probe-initialize", "version": .string(configuration.clientVersion)],
        ]
        return await request(phase: .initialize, method: "initialize", params: params, retry: retry, version: version)
    }

    func adoptModern(version: String, result: DiscoverResult) {
        era = .modern
        negotiatedVersion = version
        discoverResult = result
        envelope = ModernEnvelope(protocolVersion: version, clientVersion: configuration.clientVersion)
        if readyMs == nil { readyMs = (clock.now - start).milliseconds }
        log?.info(
            "discovered: \(result.serverInfo?["name"]?.stringValue ?? "?") era modern protocol \(version) "
                + "(serves \(result.supportedVersions.joined(separator: ", ")))")
        backoff.reset()
    }

    /// Keeps the session of an `initialize` answer and sends `notifications/initialized`.
    func adoptLegacy(_ result: JSONValue) async -> SmokeError? {
        era = .legacy
        initializeResult = result
        negotiatedVersion = result["protocolVersion"]?.stringValue
        if let session = lastVerdict?.sessionID, !session.isEmpty {
            Redactor.shared.add(session)
            sessionID = session
        }
        if readyMs == nil { readyMs = (clock.now - start).milliseconds }
        log?.info(
            "initialized: \(result["serverInfo"]?["name"]?.stringValue ?? "?") era legacy protocol \(negotiatedVersion ?? "?")"
        )
        backoff.reset()
        switch await request(phase: .initialized, method: "notifications/initialized", params: nil, notification: true)
        {
        case .answered: return nil
        case .failed(let attempt, let exhausted): return failure(from: attempt, exhausted: exhausted)
        }
    }

    /// A handshake session the server forgot (404): a new handshake, same era.
    func reinitialize() async -> SmokeError? {
        switch await sendInitialize(version: configuration.era.handshakeVersion, retry: .untilDeadline) {
        case .answered(let verdict): return await adoptLegacy(verdict.message?["result"] ?? [:])
        case .failed(let attempt, let exhausted): return failure(from: attempt, exhausted: exhausted)
        }
    }

    /// The run's error when negotiation ended without an era.
    func eraFailure(_ failure: EraFailure) -> SmokeError {
        let code: ProbeErrorCode
        switch failure.kind {
        case .unsupportedProtocolVersion: code = .unsupportedProtocolVersion
        case .headerMismatch: code = .headerMismatch
        case .modernUnsupported: code = .modernUnsupported
        case .invalidResult:
            return self.failure(from: markLast(.invalidBody, failure.message), exhausted: false)
        case .answerRejected:
            return self.failure(from: attempts[attempts.count - 1], exhausted: false)
        }
        var fields: [String: JSONValue] = [:]
        if let rpc = failure.rpcError { fields["rpc_error"] = rpc.json }
        if let supported = failure.supported { fields["supported_versions"] = .array(supported.map(JSONValue.string)) }
        return SmokeError(
            code.errorCode, "\(endpoint.absoluteString): \(failure.message)", hint: hint(for: code),
            fields: fields)
    }
}
