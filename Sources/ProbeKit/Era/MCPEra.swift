/// MCP's two eras (../shared/docs/mcp-eras.md): the `initialize` handshake with a session
/// (2024-11-05 … 2025-11-25), and the stateless revision 2026-07-28, where every request carries
/// its own version and client capabilities and `server/discover` says what a server serves.
public enum MCPEra: String, Sendable, Equatable {
    case modern
    case legacy
}

/// `--era`: which era to speak. `auto` asks `server/discover` first and falls back to the
/// handshake exactly where the pinned SDK's client does (`mcp/client/_probe.py`).
public enum EraChoice: String, Sendable, CaseIterable, Equatable {
    case auto
    case modern
    case legacy
}

/// The protocol versions this client speaks, as `mcp_types/version.py` of the pinned SDK lists them.
/// Versions are an enumerated set, not dates to compare: "newest" means last in these lists.
public enum ProtocolVersions {
    /// Reached by `initialize` (`HANDSHAKE_PROTOCOL_VERSIONS`).
    public static let handshake = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    /// The per-request envelope (`MODERN_PROTOCOL_VERSIONS`).
    public static let modern = ["2026-07-28"]
    /// `server/discover` is sent at this version first (`LATEST_MODERN_VERSION`).
    public static let latestModern = "2026-07-28"
    /// What `initialize` offers unless told otherwise. The SDK offers 2025-11-25; the probe keeps
    /// 2025-06-18, the version its handshake has always offered (a server answers with the
    /// version it prefers anyway, and stacks pinned to older SDKs know this one).
    public static let defaultHandshake = "2025-06-18"

    public static func isHandshake(_ version: String) -> Bool { handshake.contains(version) }
    public static func isModern(_ version: String) -> Bool { modern.contains(version) }

    /// The modern versions both sides speak, oldest to newest (the SDK's `mutual`).
    public static func mutualModern(_ supported: [String]) -> [String] {
        modern.filter { supported.contains($0) }
    }
}

/// The reserved `_meta` keys of the modern envelope (`mcp_types/_types.py`).
public enum EnvelopeKey {
    public static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
    public static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    public static let clientInfo = "io.modelcontextprotocol/clientInfo"
    /// A server stamps its identity here on modern results (display only).
    public static let serverInfo = "io.modelcontextprotocol/serverInfo"
}

/// JSON-RPC error codes the eras give meaning to (`mcp_types/jsonrpc.py`).
public enum MCPErrorCode {
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    /// The HTTP headers do not agree with the body (2026-07-28).
    public static let headerMismatch = -32020
    /// The server needs a client capability the request did not declare (2026-07-28).
    public static let missingClientCapability = -32021
    /// The request's protocol version is not served; `data = {supported, requested}` (2026-07-28).
    public static let unsupportedProtocolVersion = -32022
}

/// Which era to speak and at which versions: `--era` and `--protocol-version` together.
public struct EraSettings: Sendable, Equatable {
    public var choice: EraChoice
    /// Offered in `initialize`.
    public var handshakeVersion: String
    /// Asked first in `server/discover`.
    public var modernVersion: String

    /// `protocolVersion` (`--protocol-version`) goes to the era it belongs to: with `--era
    /// legacy` it is what `initialize` offers, with `--era modern` what `server/discover` asks;
    /// with `auto` a handshake version is the fallback's offer and anything else (a modern
    /// version, or one this client does not know) the discover version.
    public init(choice: EraChoice = .auto, protocolVersion: String? = nil) {
        self.choice = choice
        handshakeVersion = ProtocolVersions.defaultHandshake
        modernVersion = ProtocolVersions.latestModern
        guard let protocolVersion, !protocolVersion.isEmpty else { return }
        switch choice {
        case .legacy: handshakeVersion = protocolVersion
        case .modern: modernVersion = protocolVersion
        case .auto:
            if ProtocolVersions.isHandshake(protocolVersion) {
                handshakeVersion = protocolVersion
            } else {
                modernVersion = protocolVersion
            }
        }
    }
}
