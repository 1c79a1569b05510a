import Foundation
import SmokeCore

/// What makes a 2026-07-28 request self-contained: the `params._meta` envelope and, over HTTP,
/// the routing headers that must agree with it. Mirrors the pinned SDK's client stamp
/// (`mcp/client/session.py`: `send_discover`, `_make_modern_stamp`) and its header codec
/// (`mcp/shared/inbound.py`: `encode_header_value`, `mcp_param_headers`), because a server checks
/// exactly these: the envelope pair present (else -32602), headers equal to the body (else
/// -32020), the version served (else -32022).
public struct ModernEnvelope: Sendable, Equatable {
    public var protocolVersion: String
    public var clientInfo: JSONValue
    /// The probe declares no optional client capability: it answers no server requests.
    public var clientCapabilities: JSONValue = [:]

    public init(protocolVersion: String, clientVersion: String) {
        self.protocolVersion = protocolVersion
        self.clientInfo = ["name": "probe-initialize", "version": .string(clientVersion)]
    }

    /// The methods whose target is mirrored as `Mcp-Name`, and the param that holds it
    /// (`NAME_BEARING_METHODS`).
    static let nameBearing = ["tools/call": "name", "prompts/get": "name", "resources/read": "uri"]

    /// `params` with the envelope stamped into `_meta` (other `_meta` keys are kept).
    public func stamp(_ params: JSONValue?) -> JSONValue {
        var object = params?.objectValue ?? [:]
        var meta = object["_meta"]?.objectValue ?? [:]
        meta[EnvelopeKey.protocolVersion] = .string(protocolVersion)
        meta[EnvelopeKey.clientInfo] = clientInfo
        meta[EnvelopeKey.clientCapabilities] = clientCapabilities
        object["_meta"] = .object(meta)
        return .object(object)
    }

    /// The headers a modern POST carries for `method` with (stamped or unstamped) `params`:
    /// `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` for a named target, and for `tools/call`
    /// an `Mcp-Param-*` header per argument the tool's `inputSchema` marks with `x-mcp-header`.
    public func headers(method: String, params: JSONValue?, inputSchema: JSONValue? = nil) -> [(String, String)] {
        var list: [(String, String)] = [("MCP-Protocol-Version", protocolVersion), ("Mcp-Method", method)]
        if let key = Self.nameBearing[method], let name = params?[key]?.stringValue {
            list.append(("Mcp-Name", Self.encodeHeaderValue(name)))
        }
        if method == "tools/call", let inputSchema, let arguments = params?["arguments"]?.objectValue {
            list += Self.paramHeaders(inputSchema: inputSchema, arguments: arguments)
        }
        return list
    }

    /// Printable ASCII without edge whitespace goes verbatim; anything else is sent as
    /// `=?base64?…?=` so the server recovers the exact bytes (`encode_header_value`).
    public static func encodeHeaderValue(_ value: String) -> String {
        let printable = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E }
        let trimmed = value.trimmingCharacters(in: .whitespaces) == value
        let looksEncoded = value.hasPrefix("=?base64?") && value.hasSuffix("?=")
        if printable && trimmed && !looksEncoded { return value }
        return "=?base64?" + Data(value.utf8).base64EncodedString() + "?="
    }

    /// `Mcp-Param-<token>` for every property reached from the schema root by `properties` keys
    /// alone that carries a valid `x-mcp-header` (a token, on a string/integer/boolean property)
    /// and has a value among the arguments (`x_mcp_header_map` + `mcp_param_headers`).
    static func paramHeaders(inputSchema: JSONValue, arguments: [String: JSONValue]) -> [(String, String)] {
        var headers: [(String, String)] = []
        var stack: [(path: [String], schema: JSONValue)] = [([], inputSchema)]
        while let (path, schema) = stack.popLast() {
            guard let object = schema.objectValue else { continue }
            if !path.isEmpty, let token = object["x-mcp-header"]?.stringValue, isToken(token),
                let type = object["type"]?.stringValue, ["string", "integer", "boolean"].contains(type),
                let value = value(at: path, in: arguments), let rendered = render(value)
            {
                headers.append(("Mcp-Param-\(token)", encodeHeaderValue(rendered)))
            }
            for (name, sub) in object["properties"]?.objectValue ?? [:] { stack.append((path + [name], sub)) }
        }
        return headers.sorted { $0.0 < $1.0 }
    }

    private static func isToken(_ text: String) -> Bool {
        let allowed = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return !text.isEmpty && text.allSatisfy { allowed.contains($0) }
    }

    private static func value(at path: [String], in arguments: [String: JSONValue]) -> JSONValue? {
        var node: JSONValue = .object(arguments)
        for key in path {
            guard let next = node[key] else { return nil }
            node = next
        }
        return node.isNull ? nil : node
    }

    /// A scalar as the SDK renders it into a header (`_render_header_scalar`).
    private static func render(_ value: JSONValue) -> String? {
        switch value {
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): text
        default: nil
        }
    }
}
