import SmokeCore

/// Builds `tool_overrides.json` (schemaVersion 2), the file the proxy filters tools on, as
/// Stelae's renderer does: the defaults' overrides (and the user's own overrides file, when
/// there is one), then every hidden tool disabled, then every aggregate enabled with its
/// descriptor. Tools an aggregate wraps are left alone unless a `hideTools` entry names them.
/// Built once from the inputs, so a second render gives the same bytes (the original merged the
/// file with itself, which doubled every list, and lost the defaults on its second run).
public struct RuntimeOverrides: Sendable {
    public var document: JSONValue

    public static let defaultSchema: JSONValue = ["type": "object"]

    public init(catalog: MergedCatalog, userOverrides: [String: JSONValue] = [:]) {
        let base = DeepMerge.merge(catalog.defaultToolOverrides, userOverrides)
        // Unwrapped while editing so each change is in place (one rebuild at the end, not one
        // copy of a server's whole tool map per tool).
        var serverFields: [String: [String: JSONValue]] = [:]
        var tools: [String: [String: [String: JSONValue]]] = [:]
        for (server, value) in base["servers"]?.objectValue ?? [:] {
            var fields = value.objectValue ?? [:]
            tools[server] = (fields.removeValue(forKey: "tools")?.objectValue ?? [:]).mapValues {
                $0.objectValue ?? [:]
            }
            serverFields[server] = fields
        }

        // A server or tool first named here starts enabled, as Stelae's store creates it.
        func update(_ server: String, _ tool: String, _ change: (inout [String: JSONValue]) -> Void) {
            if serverFields[server] == nil { serverFields[server] = ["enabled": true] }
            change(&tools[server, default: [:]][tool, default: ["enabled": true]])
        }

        for hidden in catalog.allHiddenTools {
            update(hidden.server, hidden.tool) { $0["enabled"] = false }
        }
        // Aggregates after hidden tools: an aggregate that reuses a hidden name stays on.
        for aggregate in catalog.aggregations {
            guard let name = aggregate["name"]?.stringValue else { continue }
            update(catalog.server(of: aggregate), name) { entry in
                entry["enabled"] = true
                if let description = aggregate["description"]?.stringValue, !description.isEmpty {
                    entry["description"] = .string(description)
                }
                var annotations = entry["annotations"]?.objectValue ?? [:]
                for (key, value) in aggregate["annotations"]?.objectValue ?? [:] { annotations[key] = value }
                if !annotations.isEmpty || entry["annotations"] != nil { entry["annotations"] = .object(annotations) }
                entry["inputSchema"] = aggregate["inputSchema"] ?? Self.defaultSchema
                let output = aggregate["outputSchema"] ?? .null
                entry["outputSchema"] = output.isNull ? Self.defaultSchema : output
            }
        }

        // Codex rejects a `type` list at the root of an outputSchema; MCP requires "object" there.
        // Servers left without tools are dropped, as the runtime export does.
        var servers: [String: JSONValue] = [:]
        for (server, serverTools) in tools where !serverTools.isEmpty {
            var fields = serverFields[server] ?? [:]
            fields["tools"] = .object(
                serverTools.mapValues { entry in
                    var entry = entry
                    if var output = entry["outputSchema"]?.objectValue, case .array = output["type"] {
                        output["type"] = "object"
                        entry["outputSchema"] = .object(output)
                    }
                    return .object(entry)
                })
            servers[server] = .object(fields)
        }

        var master = base["master"]?.objectValue ?? [:]
        var masterTools = master["tools"]?.objectValue ?? [:]
        if masterTools["*"]?.objectValue == nil { masterTools["*"] = ["annotations": [:]] }
        master["tools"] = .object(masterTools)
        let document: JSONValue = [
            "schemaVersion": 2,
            "master": .object(master),
            "servers": .object(servers),
        ]
        self.document = ArrayDedupe.dedupe(document)
    }
}
