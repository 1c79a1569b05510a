import SmokeCore

/// Whether the pinned Codex can turn an MCP input schema into the model's function parameters,
/// and where it cannot.
///
/// Codex 0.163.0 (codex-rs/tools/src/mcp_tool.rs `mcp_tool_definition`, codex-rs/tools/src/
/// json_schema.rs `parse_tool_input_schema`) first adds `"properties": {}` to a root without
/// them, then rewrites the schema leniently (`sanitize_json_schema`: boolean schemas become
/// strings, unknown type names are dropped, a type is inferred from the keywords, a schema with no
/// recognisable keyword becomes `{}`, `const` becomes a one-value `enum`, definition tables that
/// are not objects are removed), drops root definitions nothing reaches
/// (`prune_unreachable_definitions`), and finally deserializes the result into its `JsonSchema`
/// struct. Keywords outside that struct are ignored; the ones inside must have the struct's
/// types, recursively, or the tool is skipped. A root whose type is the single name `null` is
/// refused too. This enum replays those steps on the JSON value and reports each place where the
/// deserialization would fail. Every case below was seen failing (or passing) in the real binary.
public enum CodexSchemaConversion {
    public struct Failure: Sendable, Equatable {
        /// Relative to the tool's `inputSchema`.
        public var path: JSONPath
        public var detail: String
    }

    /// The type names Codex's schema type enum knows (`JsonSchemaPrimitiveType`).
    static let primitiveTypes: Set<String> = ["string", "number", "boolean", "integer", "object", "array", "null"]
    static let compositionKeys = ["anyOf", "oneOf", "allOf"]
    static let definitionTables = ["$defs", "definitions"]
    /// At most this many failures are reported per tool (one is enough to lose it).
    static let reportLimit = 10

    /// The places where Codex would fail to convert `inputSchema` (an object); empty when it converts.
    public static func failures(inputSchema: [String: JSONValue]) -> [Failure] {
        var root = inputSchema
        if root["properties"] == nil || root["properties"] == .null { root["properties"] = .object([:]) }
        var sanitized = sanitize(.object(root))
        pruneUnreachableDefinitions(&sanitized)
        var failures: [Failure] = []
        check(sanitized, at: .root, into: &failures)
        if sanitized["type"] == "null" {
            failures.append(
                Failure(
                    path: JSONPath.root.appending("type"),
                    detail: "the input schema's type is the single type null, which Codex refuses"))
        }
        return Array(failures.prefix(reportLimit))
    }

    // MARK: sanitize_json_schema

    static func sanitize(_ value: JSONValue) -> JSONValue {
        switch value {
        case .bool:
            return ["type": "string"]
        case .array(let items):
            return .array(items.map(sanitize))
        case .object(var map):
            if case .object(var properties)? = map["properties"] {
                for (key, property) in properties { properties[key] = sanitize(property) }
                map["properties"] = .object(properties)
            }
            if let items = map["items"] { map["items"] = sanitize(items) }
            if let additional = map["additionalProperties"], additional.boolValue == nil {
                map["additionalProperties"] = sanitize(additional)
            }
            if let prefixItems = map["prefixItems"] { map["prefixItems"] = sanitize(prefixItems) }
            for key in compositionKeys { if let branch = map[key] { map[key] = sanitize(branch) } }
            for table in definitionTables {
                switch map[table] {
                case .object(var definitions)?:
                    for (name, definition) in definitions { definitions[name] = sanitize(definition) }
                    map[table] = .object(definitions)
                case .some:
                    map[table] = nil
                case nil:
                    break
                }
            }
            if let constant = map.removeValue(forKey: "const") { map["enum"] = [constant] }
            var types = normalizedTypes(map["type"])
            if types.isEmpty && (map["$ref"] != nil || compositionKeys.contains { map[$0] != nil }) {
                return .object(map)
            }
            if types.isEmpty {
                if ["properties", "required", "additionalProperties"].contains(where: { map[$0] != nil }) {
                    types = ["object"]
                } else if map["items"] != nil || map["prefixItems"] != nil {
                    types = ["array"]
                } else if map["enum"] != nil || map["format"] != nil {
                    types = ["string"]
                } else if ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].contains(where: {
                    map[$0] != nil
                }) {
                    types = ["number"]
                } else {
                    return .object([:])
                }
            }
            map["type"] = types.count == 1 ? .string(types[0]) : .array(types.map(JSONValue.string))
            if types.contains("object") && map["properties"] == nil { map["properties"] = .object([:]) }
            if types.contains("array") && map["items"] == nil { map["items"] = ["type": "string"] }
            return .object(map)
        default:
            return value
        }
    }

    static func normalizedTypes(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let name)?: primitiveTypes.contains(name) ? [name] : []
        case .array(let names)?: names.compactMap(\.stringValue).filter(primitiveTypes.contains)
        default: []
        }
    }

    // MARK: prune_unreachable_definitions

    struct DefinitionPointer: Hashable {
        var table: String
        var name: String
    }

    static func pruneUnreachableDefinitions(_ root: inout JSONValue) {
        guard case .object(var map) = root else { return }
        var reachable = Set<DefinitionPointer>()
        var pending: [DefinitionPointer] = []
        collectReferencesOutsideDefinitions(root, into: &pending)
        while let pointer = pending.popLast() {
            guard reachable.insert(pointer).inserted else { continue }
            if let definition = map[pointer.table]?[pointer.name] { collectAllReferences(definition, into: &pending) }
        }
        for table in definitionTables {
            guard case .object(var definitions)? = map[table] else { continue }
            definitions = definitions.filter { reachable.contains(DefinitionPointer(table: table, name: $0.key)) }
            map[table] = definitions.isEmpty ? nil : .object(definitions)
        }
        root = .object(map)
    }

    /// References reachable through schema keywords, not entering definition tables.
    static func collectReferencesOutsideDefinitions(_ value: JSONValue, into pointers: inout [DefinitionPointer]) {
        switch value {
        case .array(let items):
            for item in items { collectReferencesOutsideDefinitions(item, into: &pointers) }
        case .object(let map):
            if let pointer = map["$ref"]?.stringValue.flatMap(localDefinition) { pointers.append(pointer) }
            if case .object(let properties)? = map["properties"] {
                for property in properties.values { collectReferencesOutsideDefinitions(property, into: &pointers) }
            }
            for key in ["items"] + compositionKeys {
                if let child = map[key] { collectReferencesOutsideDefinitions(child, into: &pointers) }
            }
            if let additional = map["additionalProperties"], additional.boolValue == nil {
                collectReferencesOutsideDefinitions(additional, into: &pointers)
            }
        default:
            break
        }
    }

    /// Inside a definition every `$ref`, under any key, keeps its target.
    static func collectAllReferences(_ value: JSONValue, into pointers: inout [DefinitionPointer]) {
        switch value {
        case .array(let items):
            for item in items { collectAllReferences(item, into: &pointers) }
        case .object(let map):
            if let pointer = map["$ref"]?.stringValue.flatMap(localDefinition) { pointers.append(pointer) }
            for child in map.values { collectAllReferences(child, into: &pointers) }
        default:
            break
        }
    }

    /// `#/$defs/<name>[/…]` or `#/definitions/<name>[/…]`, percent-decoded, JSON-pointer unescaped.
    static func localDefinition(_ reference: String) -> DefinitionPointer? {
        guard reference.hasPrefix("#"), let pointer = percentDecoded(String(reference.dropFirst())),
            pointer.hasPrefix("/")
        else { return nil }
        var tokens: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = unescapedPointerToken(String(raw)) else { return nil }
            tokens.append(token)
        }
        guard tokens.count >= 2, definitionTables.contains(tokens[0]) else { return nil }
        return DefinitionPointer(table: tokens[0], name: tokens[1])
    }

    static func unescapedPointerToken(_ token: String) -> String? {
        var result = ""
        var iterator = token.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: return nil
            }
        }
        return result
    }

    /// `%XX` sequences decoded as UTF-8; a `%` not followed by two hex digits stays as it is.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "%"), index + 2 < source.count, let high = hexValue(source[index + 1]),
                let low = hexValue(source[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: deserializing into JsonSchema

    /// A schema position: must be an object whose known keywords have the struct's types.
    static func check(_ value: JSONValue, at path: JSONPath, into failures: inout [Failure]) {
        guard failures.count < reportLimit else { return }
        guard case .object(let map) = value else {
            // An array would be read as the struct's fields in order; no real schema is written so.
            failures.append(
                Failure(path: path, detail: "a schema must be an object (or true/false), found \(value.typeName)"))
            return
        }
        func fail(_ key: String, _ expected: String) {
            failures.append(
                Failure(path: path.appending(key), detail: "\(key) must be \(expected), found \(map[key]!.typeName)"))
        }
        for key in map.keys.sorted() {
            let item = map[key]!
            if item == .null { continue }  // every keyword of the struct is optional
            switch key {
            case "$ref", "description":
                if item.stringValue == nil { fail(key, "a string") }
            case "encrypted":
                if item.boolValue == nil { fail(key, "a boolean") }
            case "type":
                switch item {
                case .string(let name):
                    if !primitiveTypes.contains(name) {
                        failures.append(
                            Failure(
                                path: path.appending(key),
                                detail:
                                    "type \"\(name)\" is not one of \(primitiveTypes.sorted().joined(separator: ", "))")
                        )
                    }
                case .array(let names):
                    if !names.allSatisfy({ $0.stringValue.map(primitiveTypes.contains) ?? false }) {
                        failures.append(
                            Failure(
                                path: path.appending(key),
                                detail:
                                    "every type in the list must be one of \(primitiveTypes.sorted().joined(separator: ", "))"
                            ))
                    }
                default:
                    fail(key, "a type name or a list of them")
                }
            case "enum":
                if item.arrayValue == nil { fail(key, "a list") }
            case "required":
                guard let names = item.arrayValue else {
                    fail(key, "a list of names")
                    continue
                }
                for (index, name) in names.enumerated() where name.stringValue == nil {
                    failures.append(
                        Failure(
                            path: path.appending(key).appending(index: index),
                            detail: "required names must be strings, found \(name.typeName)"))
                }
            case "minItems":
                let valid: Bool =
                    switch item {
                    case .int(let count): count >= 0
                    case .double(let count):
                        count.rounded() == count && count > 0 && count <= 18_446_744_073_709_551_615
                    default: false
                    }
                if !valid { fail(key, "a whole number of at least 0") }
            case "items":
                check(item, at: path.appending(key), into: &failures)
            case "additionalProperties":
                if item.boolValue == nil { check(item, at: path.appending(key), into: &failures) }
            case "properties", "$defs", "definitions":
                guard case .object(let children) = item else {
                    fail(key, "an object of schemas")
                    continue
                }
                for name in children.keys.sorted() {
                    check(children[name]!, at: path.appending(key).appending(name), into: &failures)
                }
            case "anyOf", "oneOf", "allOf":
                guard let branches = item.arrayValue else {
                    fail(key, "a list of schemas")
                    continue
                }
                for (index, branch) in branches.enumerated() {
                    check(branch, at: path.appending(key).appending(index: index), into: &failures)
                }
            default:
                continue  // not a field of Codex's JsonSchema: ignored
            }
        }
    }
}
