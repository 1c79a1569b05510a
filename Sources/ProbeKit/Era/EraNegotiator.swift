import SmokeCore

/// A JSON-RPC error answer: `{code, message, data?}`.
public struct RPCError: Sendable, Equatable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// Reads the `error` member of a JSON-RPC response.
    public init?(_ error: JSONValue?) {
        guard let error, let code = error["code"]?.intValue else { return nil }
        self.code = Int(code)
        self.message = error["message"]?.stringValue ?? ""
        self.data = error["data"]
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    public var text: String { "\(code): \(message)" }
}

/// An answer to `server/discover` or `initialize` as era negotiation sees it. Transport
/// failures (refused, reset, timed out) never reach the negotiator: an outage is not an era
/// verdict (the SDK lets them propagate; the probe retries them until its deadline).
public enum EraAnswer: Sendable, Equatable {
    case result(JSONValue)
    case rpcError(RPCError)
    /// An answer with no JSON-RPC error in it: an HTTP status alone, a body that is not
    /// JSON-RPC. The SDK's transport maps these to errors too, so they are no modern evidence.
    case unusable(String)

    var description: String {
        switch self {
        case .result: "a result"
        case .rpcError(let error): "JSON-RPC \(error.text)"
        case .unusable(let text): text
        }
    }
}

/// Why negotiation ended without an era.
public struct EraFailure: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// -32022 that leaves nothing to speak: a modern-only server sharing no version, or a
        /// handshake refused by a modern-only server.
        case unsupportedProtocolVersion = "unsupported_protocol_version"
        /// -32020: the headers did not agree with the body (a proxy rewrote or dropped them?).
        case headerMismatch = "header_mismatch"
        /// `--era modern` against a server that does not answer `server/discover` with a modern
        /// version (a handshake-only server).
        case modernUnsupported = "modern_unsupported"
        /// A result of the wrong shape (the transport names it: `invalid_body` / `invalid_answer`).
        case invalidResult
        /// The last answer was an error of its own kind (HTTP status, JSON-RPC error, …): the
        /// transport classifies it as it classifies any answer.
        case answerRejected
    }

    public var kind: Kind
    public var message: String
    public var rpcError: RPCError?
    /// The versions the server named (-32022 `data.supported`, or discover's list).
    public var supported: [String]?
}

/// The era decision of one connect, as a pure state machine both transports drive. It mirrors
/// `negotiate_auto` (`mcp/client/_probe.py`) for `auto`, `ClientSession.discover` for `modern`
/// (one corrective re-probe at a mutual version on -32022) and `ClientSession.initialize` for
/// `legacy`:
///
/// - discover at the newest modern version; a result listing a modern version this client
///   speaks adopts the highest mutual one;
/// - -32022 naming a mutual modern version: discover once more at that version;
/// - -32022 whose `supported` list is modern-only and shares nothing: incompatible, no fallback;
/// - anything else (every other JSON-RPC error, an HTTP rejection, a result that does not read,
///   a result listing no modern version): fall back to `initialize`;
/// - the fallback `initialize` answered -32022 naming a mutual modern version (a connection the
///   first probe already locked modern): discover once more at that version.
public struct EraNegotiator: Sendable {
    public enum Step: Sendable, Equatable {
        case discover(version: String)
        case initialize(version: String)
        case modern(version: String, result: DiscoverResult)
        case legacy(result: JSONValue)
        case failed(EraFailure)
    }

    public let settings: EraSettings
    /// 0 before, 1 after the one corrective re-probe (the SDK's loop index).
    private var probe = 0
    /// Why `auto` fell back to the handshake: evidence for the report.
    public private(set) var fallbackReason: String?

    public init(settings: EraSettings) {
        self.settings = settings
    }

    public func start() -> Step {
        settings.choice == .legacy
            ? .initialize(version: settings.handshakeVersion) : .discover(version: settings.modernVersion)
    }

    public mutating func discoverAnswered(_ answer: EraAnswer) -> Step {
        switch answer {
        case .result(let result):
            switch DiscoverResult.parse(result) {
            case .failure(let failure):
                return settings.choice == .auto
                    ? fallBack("the server/discover result does not read (\(failure.reason))")
                    : .failed(
                        EraFailure(
                            kind: .invalidResult, message: "server/discover result does not read: \(failure.reason)"))
            case .success(let discover):
                if let version = ProtocolVersions.mutualModern(discover.supportedVersions).last {
                    return .modern(version: version, result: discover)
                }
                let listed = "[\(discover.supportedVersions.joined(separator: ", "))]"
                if settings.choice == .auto {
                    return fallBack("server/discover lists no modern version this client speaks: \(listed)")
                }
                return .failed(
                    EraFailure(
                        kind: .modernUnsupported,
                        message: "server/discover lists \(listed): no modern version this client speaks "
                            + "(\(ProtocolVersions.modern.joined(separator: ", ")))",
                        supported: discover.supportedVersions))
            }
        case .rpcError(let error) where error.code == MCPErrorCode.unsupportedProtocolVersion:
            let data = UnsupportedVersionData(error.data)
            if probe == 0, let version = ProtocolVersions.mutualModern(data?.supported ?? []).last {
                probe += 1
                return .discover(version: version)
            }
            if settings.choice == .modern || data?.modernOnly == true {
                return .failed(unsupported(error, data, asked: "server/discover"))
            }
            return fallBack("server/discover answered JSON-RPC \(error.text)")
        case .rpcError(let error) where settings.choice == .modern:
            if error.code == MCPErrorCode.headerMismatch {
                return .failed(
                    EraFailure(
                        kind: .headerMismatch, message: "server/discover answered JSON-RPC \(error.text)",
                        rpcError: error))
            }
            return .failed(notModern(answer))
        case .unusable where settings.choice == .modern:
            return .failed(notModern(answer))
        case .rpcError, .unusable:
            return fallBack("server/discover answered \(answer.description)")
        }
    }

    public mutating func initializeAnswered(_ answer: EraAnswer) -> Step {
        switch answer {
        case .result(let result):
            return .legacy(result: result)
        case .rpcError(let error) where error.code == MCPErrorCode.unsupportedProtocolVersion:
            let data = UnsupportedVersionData(error.data)
            // Modern evidence after all: the handshake lands on a connection already locked modern.
            if settings.choice == .auto, probe == 0,
                let version = ProtocolVersions.mutualModern(data?.supported ?? []).last
            {
                probe += 1
                return .discover(version: version)
            }
            return .failed(unsupported(error, data, asked: "initialize"))
        case .rpcError(let error) where error.code == MCPErrorCode.headerMismatch:
            return .failed(
                EraFailure(
                    kind: .headerMismatch, message: "initialize answered JSON-RPC \(error.text)", rpcError: error))
        case .rpcError(let error):
            return .failed(
                EraFailure(
                    kind: .answerRejected, message: "initialize answered JSON-RPC \(error.text)", rpcError: error))
        case .unusable(let text):
            return .failed(EraFailure(kind: .answerRejected, message: "initialize: \(text)"))
        }
    }

    private mutating func fallBack(_ reason: String) -> Step {
        fallbackReason = reason
        return .initialize(version: settings.handshakeVersion)
    }

    private func notModern(_ answer: EraAnswer) -> EraFailure {
        var failure = EraFailure(
            kind: .modernUnsupported,
            message: "server/discover answered \(answer.description): the server does not speak the modern era "
                + "(\(ProtocolVersions.modern.joined(separator: ", "))); a handshake-era server is probed with --era auto or legacy"
        )
        if case .rpcError(let error) = answer { failure.rpcError = error }
        return failure
    }

    private func unsupported(_ error: RPCError, _ data: UnsupportedVersionData?, asked method: String) -> EraFailure {
        var message = "\(method) answered JSON-RPC \(error.text)"
        if let data {
            let served = data.supported.joined(separator: ", ")
            if method == "initialize" && data.modernOnly {
                message += ": the server serves \(served) only (the modern era); probe it with --era auto or modern"
            } else {
                message +=
                    ": the server serves \(served); this client speaks "
                    + (ProtocolVersions.handshake + ProtocolVersions.modern).joined(separator: ", ")
            }
        }
        return EraFailure(
            kind: .unsupportedProtocolVersion, message: message, rpcError: error, supported: data?.supported)
    }
}
