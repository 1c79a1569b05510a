import SmokeCore

/// Entries of a tools/list that the pinned Codex's MCP client cannot decode. One such entry makes
/// the client reject the whole answer, so the server fails to start and none of its tools reach
/// the model (with `required = true` the run stops: `required MCP servers failed to initialize:
/// <server>: Unexpected response type`).
///
/// Source: the rmcp `Tool` and `ToolAnnotations` model that codex-rs/codex-mcp/src/rmcp_client.rs
/// lists tools into (a string `name`, an object `inputSchema`, optional string `title` and
/// `description`, optional object `outputSchema`, `annotations` and `_meta`, optional list
/// `icons`; `null` counts as absent for the optional ones), and serde_json's recursion limit of
/// 128 on the JSON-RPC message. Each check was seen rejecting the list in the real binary.
public enum CodexListDecoding {
    public struct Problem: Sendable, Equatable {
        /// Relative to the tool entry.
        public var path: JSONPath
        public var detail: String
    }

    /// The deepest nesting a tool entry may have (the entry itself is level 1): serde_json refuses
    /// a message nested 128 levels deep, and the entry already sits at level 4 of
    /// `{"result": {"tools": [ {…} ]}}`.
    public static let maximumToolDepth = 124

    static let annotationHints = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]

    public static func problems(_ entry: JSONValue) -> [Problem] {
        guard case .object(let tool) = entry else {
            return [Problem(path: .root, detail: "a tool entry must be an object, found \(entry.typeName)")]
        }
        var problems: [Problem] = []
        func expect(
            _ key: String, _ value: JSONValue?, at path: JSONPath, _ what: String, required: Bool = false,
            _ accepts: (JSONValue) -> Bool
        ) {
            guard let value, required || value != .null else {
                if required { problems.append(Problem(path: path, detail: "\(key) is missing; it must be \(what)")) }
                return
            }
            if !accepts(value) {
                problems.append(Problem(path: path, detail: "\(key) must be \(what), found \(value.typeName)"))
            }
        }
        let root = JSONPath.root
        expect("name", tool["name"], at: root.appending("name"), "a string", required: true) { $0.stringValue != nil }
        expect("title", tool["title"], at: root.appending("title"), "a string") { $0.stringValue != nil }
        expect("description", tool["description"], at: root.appending("description"), "a string") {
            $0.stringValue != nil
        }
        expect("inputSchema", tool["inputSchema"], at: root.appending("inputSchema"), "an object", required: true) {
            $0.objectValue != nil
        }
        expect("outputSchema", tool["outputSchema"], at: root.appending("outputSchema"), "an object") {
            $0.objectValue != nil
        }
        expect("annotations", tool["annotations"], at: root.appending("annotations"), "an object") {
            $0.objectValue != nil
        }
        if case .object(let annotations)? = tool["annotations"] {
            let path = root.appending("annotations")
            expect("annotations.title", annotations["title"], at: path.appending("title"), "a string") {
                $0.stringValue != nil
            }
            for hint in annotationHints {
                expect("annotations.\(hint)", annotations[hint], at: path.appending(hint), "true or false") {
                    $0.boolValue != nil
                }
            }
        }
        expect("icons", tool["icons"], at: root.appending("icons"), "a list") { $0.arrayValue != nil }
        expect("_meta", tool["_meta"], at: root.appending("_meta"), "an object") { $0.objectValue != nil }
        if let (depth, path) = deepest(entry, at: .root, depth: 1), depth > maximumToolDepth {
            problems.append(
                Problem(
                    path: path,
                    detail:
                        "the entry nests \(depth) levels deep; Codex's JSON reader refuses a tools/list answer nested more than 127 levels (\(maximumToolDepth) for a tool entry)"
                ))
        }
        return problems
    }

    /// The depth and location of the first most deeply nested object or list.
    static func deepest(_ value: JSONValue, at path: JSONPath, depth: Int) -> (Int, JSONPath)? {
        var best: (Int, JSONPath)?
        switch value {
        case .object(let map):
            best = (depth, path)
            for key in map.keys.sorted() {
                if let child = deepest(map[key]!, at: path.appending(key), depth: depth + 1), child.0 > best!.0 {
                    best = child
                }
            }
        case .array(let items):
            best = (depth, path)
            for (index, item) in items.enumerated() {
                if let child = deepest(item, at: path.appending(index: index), depth: depth + 1), child.0 > best!.0 {
                    best = child
                }
            }
        default:
            return nil
        }
        return best
    }
}
