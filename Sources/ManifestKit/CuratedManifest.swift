import SmokeCore

/// `manifest.json`: exactly the tools a client should see — every `servers.<s>.tools.<t>` not
/// `enabled: false` on a server that is not disabled, minus hidden tools — with their schemas.
public struct CuratedManifest: Sendable {
    public struct Tool: Sendable {
        public var name: String
        public var server: String
        public var json: JSONValue
    }

    public var tools: [Tool]
    public var warnings: [String]

    public init(overrides: JSONValue, hidden: [HiddenTool]) {
        let hiddenKeys = Set(hidden.map(\.key))
        let masterAnnotations = overrides["master"]?["tools"]?["*"]?["annotations"]?.objectValue ?? [:]
        var tools: [Tool] = []
        var warnings: [String] = []
        for (server, serverValue) in overrides["servers"]?.objectValue ?? [:] {
            if serverValue["enabled"]?.boolValue == false { continue }
            for (toolName, entry) in serverValue["tools"]?.objectValue ?? [:] {
                if hiddenKeys.contains("\(server)::\(toolName)") { continue }
                // Stelae's proxy shows a tool unless it says `enabled: false`.
                if entry["enabled"]?.boolValue == false { continue }
                let name = entry["name"]?.stringValue ?? toolName
                var annotations = masterAnnotations
                for (key, value) in entry["annotations"]?.objectValue ?? [:] { annotations[key] = value }
                // No description here means the server's own is published.
                let description = entry["description"]?.stringValue ?? ""
                let json: JSONValue = [
                    "name": .string(name),
                    "server": .string(server),
                    "description": .string(description),
                    "inputSchema": entry["inputSchema"] ?? RuntimeOverrides.defaultSchema,
                    "outputSchema": entry["outputSchema"].flatMap { $0.isNull ? nil : $0 }
                        ?? RuntimeOverrides.defaultSchema,
                    "annotations": .object(annotations),
                ]
                tools.append(Tool(name: name, server: server, json: json))
            }
        }
        tools.sort { ($0.name, $0.server) < ($1.name, $1.server) }
        for (index, tool) in tools.enumerated().dropFirst() where tools[index - 1].name == tool.name {
            warnings.append("tool name \(tool.name) is published by both \(tools[index - 1].server) and \(tool.server)")
        }
        self.tools = tools
        self.warnings = warnings.sorted()
    }

    public var names: [String] { tools.map(\.name) }

    /// Built from deduplicated overrides, so free of duplicates by construction (a test checks).
    public var document: JSONValue {
        ["schemaVersion": 1, "tools": .array(tools.map(\.json))]
    }
}
