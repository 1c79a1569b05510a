import Foundation
import SmokeCore

/// The MCP tools Codex offered to the model, per server, as read from the model request's `tools`
/// (namespace entries `mcp__<server>`). Saved as `<stage>.offered.json` beside the transcript.
public struct OfferedTools: Sendable, Equatable {
    public var byServer: [String: [String]]

    public init(byServer: [String: [String]]) { self.byServer = byServer }

    public var allTools: [String] { Array(Set(byServer.values.joined())).sorted() }

    public func offers(tool: String, server: String?) -> Bool {
        if let server { return byServer[server]?.contains(tool) ?? false }
        return byServer.values.contains { $0.contains(tool) }
    }

    /// Reads the namespaces out of a Responses-API request.
    public init?(request: JSONValue) {
        guard let tools = request["tools"]?.arrayValue else { return nil }
        var byServer: [String: [String]] = [:]
        for entry in tools where entry["type"]?.stringValue == "namespace" {
            guard let name = entry["name"]?.stringValue, name.hasPrefix("mcp__") else { continue }
            let server = String(name.dropFirst("mcp__".count))
            byServer[server, default: []].append(
                contentsOf: (entry["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        }
        self.byServer = byServer.mapValues { Array(Set($0)).sorted() }
    }

    public var json: JSONValue {
        ["servers": .object(byServer.mapValues { .array($0.map(JSONValue.string)) })]
    }

    public init?(json: JSONValue) {
        guard let servers = json["servers"]?.objectValue else { return nil }
        byServer = servers.mapValues { ($0.arrayValue ?? []).compactMap(\.stringValue) }
    }
}
