import SmokeCore

/// Schema defects that the pinned Codex lets through but other MCP clients refuse or misread:
/// doubled `required` or `enum` entries, `required` names that `properties` does not define, and
/// `type` lists inside an output schema. The render dedupes such lists in the schemas it writes
/// (ArrayDedupe); this finds them in what a live server serves.
public enum SchemaProblems {
    public struct Problem: Sendable, Equatable {
        public var rule: LintRule
        /// Relative to the tool entry.
        public var path: JSONPath
        public var detail: String
    }

    /// Keywords whose value is one schema.
    static let schemaKeys = [
        "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
        "unevaluatedProperties", "unevaluatedItems",
    ]
    /// Keywords whose value is a list of schemas.
    static let schemaListKeys = ["anyOf", "oneOf", "allOf", "prefixItems"]
    /// Keywords whose value maps names to schemas.
    static let schemaMapKeys = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]

    public static func problems(_ tool: [String: JSONValue]) -> [Problem] {
        var problems: [Problem] = []
        if case .object(let schema)? = tool["inputSchema"] {
            walk(schema, at: JSONPath.root.appending("inputSchema"), output: false, into: &problems)
        }
        if case .object(let schema)? = tool["outputSchema"] {
            walk(schema, at: JSONPath.root.appending("outputSchema"), output: true, into: &problems)
        }
        return problems
    }

    static func walk(_ schema: [String: JSONValue], at path: JSONPath, output: Bool, into problems: inout [Problem]) {
        if output, case .array(let types)? = schema["type"] {
            problems.append(
                Problem(
                    rule: .outputSchemaTypeArray, path: path.appending("type"),
                    detail:
                        "type is a list (\(types.map { $0.stringValue ?? $0.encodedString() }.joined(separator: ", "))); an output schema must name one type, and its root must be an object"
                ))
        }
        if case .array(let required)? = schema["required"] {
            var seen = Set<JSONValue>()
            for (index, name) in required.enumerated() where !seen.insert(name).inserted {
                problems.append(
                    Problem(
                        rule: .duplicateRequired, path: path.appending("required").appending(index: index),
                        detail: "required lists \(name.encodedString()) more than once"))
            }
            let defined = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
            var reported = Set<String>()
            for (index, name) in required.enumerated() {
                guard let name = name.stringValue, !defined.contains(name), reported.insert(name).inserted else {
                    continue
                }
                problems.append(
                    Problem(
                        rule: .requiredNotInProperties, path: path.appending("required").appending(index: index),
                        detail: "required names \"\(name)\", which properties does not define"))
            }
        }
        if case .array(let values)? = schema["enum"] {
            var seen = Set<JSONValue>()
            for (index, value) in values.enumerated() where !seen.insert(value).inserted {
                problems.append(
                    Problem(
                        rule: .duplicateEnum, path: path.appending("enum").appending(index: index),
                        detail: "enum lists \(value.encodedString()) more than once"))
            }
        }
        for key in schemaKeys {
            switch schema[key] {
            case .object(let child)?: walk(child, at: path.appending(key), output: output, into: &problems)
            case .array(let children)? where key == "items":
                for (index, child) in children.enumerated() {
                    if case .object(let child) = child {
                        walk(child, at: path.appending(key).appending(index: index), output: output, into: &problems)
                    }
                }
            default: break
            }
        }
        for key in schemaListKeys {
            guard case .array(let children)? = schema[key] else { continue }
            for (index, child) in children.enumerated() {
                if case .object(let child) = child {
                    walk(child, at: path.appending(key).appending(index: index), output: output, into: &problems)
                }
            }
        }
        for key in schemaMapKeys {
            guard case .object(let children)? = schema[key] else { continue }
            for name in children.keys.sorted() {
                if case .object(let child)? = children[name] {
                    walk(child, at: path.appending(key).appending(name), output: output, into: &problems)
                }
            }
        }
    }
}
