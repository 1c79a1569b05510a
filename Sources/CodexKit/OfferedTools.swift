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

    /// Reads the namespaces out of a Responses-API request body.
    public init?(requestBody: Data) {
        guard let request = try? JSONDecoder().decode(RequestTools.self, from: requestBody), let tools = request.tools else {
            return nil
        }
        var byServer: [String: [String]] = [:]
        for entry in tools where entry.type == "namespace" {
            guard let name = entry.name, name.hasPrefix("mcp__") else { continue }
            let server = String(name.dropFirst("mcp__".count))
            byServer[server, default: []].append(contentsOf: (entry.tools ?? []).compactMap(\.name))
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

    private struct RequestTools: Decodable {
        var tools: [Entry]?
        struct Entry: Decodable {
            var type: String?
            var name: String?
            var tools: [Named]?
        }
        struct Named: Decodable { var name: String? }
    }
}
