import SmokeCore

/// Builds `tool_overrides.json` (schemaVersion 2) from a merged catalog, once: the original
/// merged the file with itself, which doubled every list.
public struct RuntimeOverrides: Sendable {
    public var document: JSONValue
    public var warnings: [String]

    public static let defaultSchema: JSONValue = ["type": "object"]

    public init(catalog: MergedCatalog) {
        var warnings: [String] = []
        // Unwrapped while editing so each change is in place (one rebuild at the end, not one
        // copy of a server's whole tool map per tool).
        var serverFields: [String: [String: JSONValue]] = [:]
        var tools: [String: [String: [String: JSONValue]]] = [:]
        for (server, value) in catalog.toolOverrides["servers"]?.objectValue ?? [:] {
            var fields = value.objectValue ?? [:]
            tools[server] = (fields.removeValue(forKey: "tools")?.objectValue ?? [:]).mapValues { $0.objectValue ?? [:] }
            serverFields[server] = fields
        }

        func update(_ server: String, _ tool: String, _ change: (inout [String: JSONValue]) -> Void) {
            change(&tools[server, default: [:]][tool, default: [:]])
        }

        // Wrapped downstream tools first, so an aggregate that reuses a wrapped name stays on.
        for aggregate in catalog.aggregations {
            let name = aggregate["name"]?.stringValue ?? ""
            for (index, operation) in (aggregate["operations"]?.arrayValue ?? []).enumerated() {
                guard let tool = operation["downstreamTool"]?.stringValue else { continue }
                guard let server = operation["downstreamServer"]?.stringValue else {
                    warnings.append(
                        "\(catalog.aggregationSource[name] ?? "catalog"): aggregate \(name) operations[\(index)] "
                            + "(\(tool)) has no downstreamServer: the wrapped tool cannot be disabled and the "
                            + "aggregator may answer 'Unknown tool: \(tool)'")
                    continue
                }
                update(server, tool) { $0["enabled"] = false }
            }
        }
        for aggregate in catalog.aggregations {
            guard let name = aggregate["name"]?.stringValue else { continue }
            update(catalog.server(of: aggregate), name) { entry in
                entry["enabled"] = true
                if let description = aggregate["description"] { entry["description"] = description }
                var annotations = entry["annotations"]?.objectValue ?? [:]
                for (key, value) in aggregate["annotations"]?.objectValue ?? [:] { annotations[key] = value }
                entry["annotations"] = .object(annotations)
                entry["inputSchema"] = aggregate["inputSchema"] ?? Self.defaultSchema
                let output = aggregate["outputSchema"] ?? .null
                entry["outputSchema"] = output.isNull ? Self.defaultSchema : output
            }
        }
        for hidden in catalog.allHiddenTools {
            update(hidden.server, hidden.tool) { $0["enabled"] = false }
        }

        // Codex rejects a `type` list at the root of an outputSchema; MCP requires "object" there.
        var servers: [String: JSONValue] = [:]
        for (server, serverTools) in tools where !serverTools.isEmpty {
            var fields = serverFields[server] ?? [:]
            fields["tools"] = .object(serverTools.mapValues { entry in
                var entry = entry
                if var output = entry["outputSchema"]?.objectValue, case .array = output["type"] {
                    output["type"] = "object"
                    entry["outputSchema"] = .object(output)
                }
                return .object(entry)
            })
            servers[server] = .object(fields)
        }

        var master = catalog.toolOverrides["master"]?.objectValue ?? [:]
        if master["tools"] == nil { master["tools"] = ["*": ["annotations": [:]]] }
        let document: JSONValue = [
            "schemaVersion": 2,
            "master": .object(master),
            "servers": .object(servers),
        ]
        self.document = ArrayDedupe.dedupe(document)
        self.warnings = warnings
    }
}
