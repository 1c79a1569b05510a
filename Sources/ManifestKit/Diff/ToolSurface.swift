import SmokeCore

/// The tools a client is offered, by name: from a curated `manifest.json`, a live `tools/list`
/// result or JSON-RPC response, or a render held in memory.
public struct ToolSurface: Sendable {
    /// Each tool's object (`name`, `description`, `inputSchema`, `outputSchema`, `annotations`, …).
    public var tools: [String: JSONValue]
    /// What the surface is, for the answer's `base` / `head` (a file, a revision, the working tree).
    public var origin: [String: JSONValue]
    public var warnings: [String]

    public init(tools: [String: JSONValue], origin: [String: JSONValue], warnings: [String] = []) {
        self.tools = tools
        self.origin = origin
        self.warnings = warnings
    }

    public var names: [String] { tools.keys.sorted() }

    /// The answer's description of this side: its origin plus the number of tools.
    public var json: JSONValue {
        var object = origin
        object["tools"] = .int(Int64(tools.count))
        return .object(object)
    }

    /// Reads the shapes `render-manifest drift` accepts (a curated manifest is an object with a
    /// `tools` array too): Drift's reader validates the shape and names the problem, so both
    /// commands refuse the same inputs with the same codes. A diff also needs each tool's
    /// schemas, so a bare name (which drift accepts) is refused here.
    public static func read(_ value: JSONValue, source: String, origin: [String: JSONValue]) throws(SmokeError)
        -> ToolSurface
    {
        _ = try Drift.liveNames(value, source: source)
        let wrapped = value["result"]?["tools"] != nil
        let entries = (wrapped ? value["result"]?["tools"] : value["tools"])?.arrayValue ?? []
        let prefix = wrapped ? "result." : ""
        var tools: [String: JSONValue] = [:]
        var warnings: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let name = entry["name"]?.stringValue else {
                throw SmokeError(
                    .invalidLiveCatalog,
                    "\(source): \(prefix)tools[\(index)] is a bare name; a diff needs tool objects with their schemas",
                    fields: ["file": .string(source), "json_path": .string("\(prefix)tools[\(index)]")])
            }
            if tools[name] != nil {
                warnings.append("\(source): tool \(name) is listed twice; the first entry is compared")
                continue
            }
            tools[name] = entry
        }
        return ToolSurface(tools: tools, origin: origin, warnings: warnings)
    }

    /// The curated manifest of a render (the first of two same-named tools, as a client sees one).
    public init(manifest: CuratedManifest, origin: [String: JSONValue]) {
        var tools: [String: JSONValue] = [:]
        for tool in manifest.tools where tools[tool.name] == nil { tools[tool.name] = tool.json }
        self.init(tools: tools, origin: origin, warnings: [])
    }
}
