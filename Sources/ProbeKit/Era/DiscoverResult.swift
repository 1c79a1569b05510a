import SmokeCore

/// A `server/discover` result read as the SDK's `DiscoverResult` model reads it
/// (`mcp_types/_types.py`): `supportedVersions` (strings) and `capabilities` (an object) are
/// required; `ttlMs` is an integer (a negative one is floored to 0, as `_clamp_inbound_ttl`
/// does); `cacheScope` is `public` or `private`; `resultType` defaults to `complete`. A result
/// that does not read is no evidence of a modern server: `auto` falls back to the handshake.
public struct DiscoverResult: Sendable, Equatable {
    public var supportedVersions: [String]
    public var capabilities: JSONValue
    public var instructions: String?
    /// `{name, version}` from `_meta["io.modelcontextprotocol/serverInfo"]`, when stamped.
    public var serverInfo: JSONValue?
    public var resultType: String?

    public static func parse(_ result: JSONValue) -> Result<DiscoverResult, ParseFailure> {
        guard let versions = result["supportedVersions"]?.arrayValue else {
            return .failure(ParseFailure(reason: "no supportedVersions array"))
        }
        let strings = versions.compactMap(\.stringValue)
        guard strings.count == versions.count else {
            return .failure(ParseFailure(reason: "supportedVersions holds a value that is not a string"))
        }
        guard let capabilities = result["capabilities"], capabilities.objectValue != nil else {
            return .failure(ParseFailure(reason: "no capabilities object"))
        }
        if let ttl = result["ttlMs"], ttl.intValue == nil {
            return .failure(ParseFailure(reason: "ttlMs is not an integer"))
        }
        if let scope = result["cacheScope"], scope != "public", scope != "private" {
            return .failure(ParseFailure(reason: "cacheScope is neither public nor private"))
        }
        if let instructions = result["instructions"], !instructions.isNull, instructions.stringValue == nil {
            return .failure(ParseFailure(reason: "instructions is not a string"))
        }
        let info = result["_meta"]?[EnvelopeKey.serverInfo]
        return .success(
            DiscoverResult(
                supportedVersions: strings, capabilities: capabilities,
                instructions: result["instructions"]?.stringValue,
                serverInfo: info?.objectValue != nil ? info : nil, resultType: result["resultType"]?.stringValue))
    }

    public struct ParseFailure: Error, Sendable, Equatable {
        public var reason: String
    }
}

/// `data` of a -32022 answer, read as `UnsupportedProtocolVersionErrorData`: `supported` (strings)
/// and `requested` (a string) are both required, else the answer is not actionable (`nil`), as
/// in the SDK's `_parse_supported`.
public struct UnsupportedVersionData: Sendable, Equatable {
    public var supported: [String]
    public var requested: String

    public init?(_ data: JSONValue?) {
        guard let list = data?["supported"]?.arrayValue, let requested = data?["requested"]?.stringValue else {
            return nil
        }
        let strings = list.compactMap(\.stringValue)
        guard strings.count == list.count else { return nil }
        self.supported = strings
        self.requested = requested
    }

    /// Served by the server, but only in the modern era: no handshake version among them.
    public var modernOnly: Bool { !supported.contains(where: ProtocolVersions.isHandshake) }
}
