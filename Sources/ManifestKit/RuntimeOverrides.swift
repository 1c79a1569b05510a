import SmokeCore

/// Builds `tool_overrides.json` (schemaVersion 2) from a merged catalog, once: the original
/// merged the file with itself, which doubled every list.
public struct RuntimeOverrides: Sendable {
    public var document: JSONValue
    public var warnings: [String]

    public static let defaultSchema: JSONValue = ["type": "object"]

    public init(catalog: MergedCatalog) {
        var warnings: [String] = []
        var servers = catalog.toolOverrides["servers"]?.objectValue ?? [:]

        func update(_ server: String, _ tool: String, _ change: (inout [String: JSONValue]) -> Void) {
            var serverEntry = servers[server]?.objectValue ?? [:]
            var tools = serverEntry["tools"]?.objectValue ?? [:]
            var entry = tools[tool]?.objectValue ?? [:]
            change(&entry)
            tools[tool] = .object(entry)
            serverEntry["tools"] = .object(tools)
            servers[server] = .object(serverEntry)
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
        for (serverName, serverValue) in servers {
            guard var serverEntry = serverValue.objectValue, var tools = serverEntry["tools"]?.objectValue else { continue }
            for (toolName, toolValue) in tools {
                guard var entry = toolValue.objectValue, var output = entry["outputSchema"]?.objectValue,
                    case .array = output["type"]
                else { continue }
                output["type"] = "object"
                entry["outputSchema"] = .object(output)
                tools[toolName] = .object(entry)
            }
            serverEntry["tools"] = .object(tools)
            servers[serverName] = .object(serverEntry)
        }
        servers = servers.filter { !($0.value["tools"]?.objectValue ?? [:]).isEmpty }

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
