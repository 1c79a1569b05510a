import SmokeCore

/// `render-manifest diff`: two tool surfaces compared tool by tool, every change classified.
public enum SurfaceDiff {
    /// The schema a tool without one has: MCP requires an object input, and structured output is
    /// an object (the curated manifest writes this default for a tool that names none).
    static let defaultSchema: JSONValue = ["type": "object"]

    public static func compare(base: ToolSurface, head: ToolSurface) -> SurfaceDiffReport {
        var changes: [SurfaceChange] = []
        for name in Set(base.tools.keys).union(head.tools.keys).sorted() {
            switch (base.tools[name], head.tools[name]) {
            case (let old?, nil):
                changes.append(SurfaceChange(tool: name, kind: .toolRemoved, jsonPath: .root, before: old))
            case (nil, let new?):
                changes.append(SurfaceChange(tool: name, kind: .toolAdded, jsonPath: .root, after: new))
            case (let old?, let new?):
                changes += compareTool(name, old, new)
            case (nil, nil):
                break
            }
        }
        return SurfaceDiffReport(
            changes: changes, base: base.json, head: head.json, warnings: base.warnings + head.warnings)
    }

    /// One tool in both surfaces. Compared: `description`, `title`, `annotations` (key by key),
    /// `inputSchema`, `outputSchema`. Other keys (`server` in a curated manifest, `_meta`,
    /// `icons`) do not change what a caller sends or reads and are not compared.
    static func compareTool(_ name: String, _ old: JSONValue, _ new: JSONValue) -> [SurfaceChange] {
        var changes: [SurfaceChange] = []
        let root = JSONPath.root
        // A curated manifest writes "" for "the server's own description": absent, null and "" are one.
        let description = { (tool: JSONValue) -> JSONValue in present(tool["description"]) ?? "" }
        if description(old) != description(new) {
            changes.append(
                SurfaceChange(
                    tool: name, kind: .descriptionChanged, jsonPath: root.appending("description"),
                    before: description(old), after: description(new)))
        }
        let title = { (tool: JSONValue) -> JSONValue? in present(tool["title"]) }
        if title(old) != title(new) {
            changes.append(
                SurfaceChange(
                    tool: name, kind: .titleChanged, jsonPath: root.appending("title"), before: title(old),
                    after: title(new)))
        }
        changes += compareAnnotations(name, old["annotations"], new["annotations"])

        let schema = { (tool: JSONValue, key: String) -> JSONValue in
            present(tool[key]) ?? defaultSchema
        }
        var input = SchemaComparison(role: .input, tool: name)
        input.compare(schema(old, "inputSchema"), schema(new, "inputSchema"), at: root.appending("inputSchema"))
        var output = SchemaComparison(role: .output, tool: name)
        output.compare(schema(old, "outputSchema"), schema(new, "outputSchema"), at: root.appending("outputSchema"))
        return changes + input.changes + output.changes
    }

    /// The value, unless it is absent or JSON null (which mean the same in a tool object).
    static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    /// Annotations key by key (absent and null annotations are `{}`); every change is compatible.
    static func compareAnnotations(_ tool: String, _ old: JSONValue?, _ new: JSONValue?) -> [SurfaceChange] {
        let path = JSONPath.root.appending("annotations")
        let before = present(old) ?? [:]
        let after = present(new) ?? [:]
        if before == after { return [] }
        guard let beforeObject = before.objectValue, let afterObject = after.objectValue else {
            return [SurfaceChange(tool: tool, kind: .annotationChanged, jsonPath: path, before: before, after: after)]
        }
        return Set(beforeObject.keys).union(afterObject.keys).sorted().compactMap { key in
            beforeObject[key] == afterObject[key]
                ? nil
                : SurfaceChange(
                    tool: tool, kind: .annotationChanged, jsonPath: path.appending(key), before: beforeObject[key],
                    after: afterObject[key])
        }
    }
}

/// The answer of `render-manifest diff`.
public struct SurfaceDiffReport: Sendable {
    public var changes: [SurfaceChange]
    public var base: JSONValue
    public var head: JSONValue
    public var warnings: [String]

    public var breaking: [SurfaceChange] { changes.filter { $0.severity == .breaking } }
    public var compatible: [SurfaceChange] { changes.filter { $0.severity == .compatible } }

    public func summary(allowBreaking: Bool) -> [String: JSONValue] {
        [
            "changes": .array(changes.map(\.json)),
            "breaking": .int(Int64(breaking.count)),
            "compatible": .int(Int64(compatible.count)),
            "allow_breaking": .bool(allowBreaking),
            "base": base,
            "head": head,
            "warnings": .array(warnings.map(JSONValue.string)),
        ]
    }

    /// Exit 1 with `breaking_change` when a change is breaking, unless it is allowed.
    public func error(allowBreaking: Bool) -> SmokeError? {
        let breaking = self.breaking
        guard !breaking.isEmpty, !allowBreaking else { return nil }
        let shown = breaking.prefix(5).map { "\($0.tool): \($0.kind.rawValue) at \($0.jsonPath)" }
        let more = breaking.count > shown.count ? "; and \(breaking.count - shown.count) more" : ""
        let count = breaking.count == 1 ? "1 breaking change" : "\(breaking.count) breaking changes"
        return SmokeError(
            .breakingChange, "\(count): \(shown.joined(separator: "; "))\(more)",
            hint: "pass --allow-breaking to accept them")
    }
}
