import Foundation
import SmokeCore

/// Checks a tool's `structuredContent` against its `outputSchema` with the JSON Schema keywords
/// MCP tool schemas use. A keyword it cannot check is never passed silently: it is listed in
/// `unchecked` (with where it sits in the schema), so "valid" always means "valid for what was
/// checked, and here is what was not".
public struct SchemaCheck: Sendable {
    public struct Mismatch: Sendable, Equatable {
        /// JSON path of the offending value in the instance (`$.items[1]`).
        public var path: String
        public var message: String

        public var json: JSONValue { ["path": .string(path), "message": .string(message)] }
    }

    public struct Unchecked: Sendable, Hashable, Comparable {
        public var keyword: String
        /// JSON pointer of the schema object holding it (`#/properties/id`).
        public var schemaPath: String

        public var json: JSONValue { ["keyword": .string(keyword), "schema_path": .string(schemaPath)] }

        public static func < (lhs: Unchecked, rhs: Unchecked) -> Bool {
            (lhs.schemaPath, lhs.keyword) < (rhs.schemaPath, rhs.keyword)
        }
    }

    public private(set) var mismatches: [Mismatch] = []
    public private(set) var unchecked: Set<Unchecked> = []
    private let root: JSONValue

    /// Keywords that constrain nothing (annotations, containers, identifiers).
    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "$anchor", "deprecated",
        "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "$defs", "definitions",
    ]
    /// Keywords this checker evaluates.
    static let checked: Set<String> = [
        "type", "properties", "required", "items", "enum", "const", "anyOf", "oneOf", "allOf", "not",
        "additionalProperties", "$ref", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
    ]
    /// `$ref` hops followed on one path before giving up (a schema may refer to itself).
    static let maxDepth = 128

    public static func check(_ instance: JSONValue, against schema: JSONValue) -> SchemaCheck {
        var check = SchemaCheck(root: schema)
        check.mismatches = check.validate(instance, schema, path: "$", schemaPath: "#", depth: 0)
        return check
    }

    private init(root: JSONValue) {
        self.root = root
    }

    public var sortedUnchecked: [Unchecked] { unchecked.sorted() }

    // MARK: - Validation

    private mutating func validate(
        _ value: JSONValue, _ schema: JSONValue, path: String, schemaPath: String, depth: Int
    ) -> [Mismatch] {
        if case .bool(let allowed) = schema {
            return allowed ? [] : [Mismatch(path: path, message: "no value is allowed here (schema false)")]
        }
        guard let keywords = schema.objectValue else { return [] }
        guard depth < Self.maxDepth else {
            unchecked.insert(Unchecked(keyword: "$ref", schemaPath: schemaPath))
            return []
        }
        for keyword in keywords.keys
        where !Self.checked.contains(keyword) && !Self.annotations.contains(keyword) && !keyword.hasPrefix("x-") {
            unchecked.insert(Unchecked(keyword: keyword, schemaPath: schemaPath))
        }
        var found: [Mismatch] = []
        if let ref = keywords["$ref"]?.stringValue {
            if let target = resolve(ref) {
                found += validate(value, target, path: path, schemaPath: ref, depth: depth + 1)
            } else {
                unchecked.insert(Unchecked(keyword: "$ref", schemaPath: schemaPath))
            }
        }
        if let type = keywords["type"], let mismatch = checkType(value, type, path: path) {
            // The other keywords describe a value of the right type: checking them now only adds noise.
            return found + [mismatch]
        }
        if let options = keywords["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            found.append(
                Mismatch(path: path, message: "\(Self.show(value)) is not one of \(Self.show(.array(options)))"))
        }
        if let constant = keywords["const"], !Self.equal(constant, value) {
            found.append(
                Mismatch(path: path, message: "\(Self.show(value)) is not the constant \(Self.show(constant))"))
        }
        found += combinators(value, keywords, path: path, schemaPath: schemaPath, depth: depth)
        switch value {
        case .object(let object):
            found += objectKeywords(object, keywords, path: path, schemaPath: schemaPath, depth: depth)
        case .array(let array):
            found += arrayKeywords(array, keywords, path: path, schemaPath: schemaPath, depth: depth)
        case .string(let text): found += stringKeywords(text, keywords, path: path)
        case .int, .double: found += numberKeywords(value, keywords, path: path, schemaPath: schemaPath)
        case .null, .bool: break
        }
        return found
    }

    private mutating func combinators(
        _ value: JSONValue, _ keywords: [String: JSONValue], path: String, schemaPath: String, depth: Int
    ) -> [Mismatch] {
        var found: [Mismatch] = []
        if let all = keywords["allOf"]?.arrayValue {
            for (index, sub) in all.enumerated() {
                found += validate(value, sub, path: path, schemaPath: "\(schemaPath)/allOf/\(index)", depth: depth + 1)
            }
        }
        if let any = keywords["anyOf"]?.arrayValue {
            let matching = any.enumerated().filter { index, sub in
                validate(value, sub, path: path, schemaPath: "\(schemaPath)/anyOf/\(index)", depth: depth + 1).isEmpty
            }
            if matching.isEmpty {
                found.append(
                    Mismatch(
                        path: path, message: "\(Self.show(value)) matches none of the \(any.count) anyOf alternatives"))
            }
        }
        if let one = keywords["oneOf"]?.arrayValue {
            let matching = one.enumerated().filter { index, sub in
                validate(value, sub, path: path, schemaPath: "\(schemaPath)/oneOf/\(index)", depth: depth + 1).isEmpty
            }
            if matching.count != 1 {
                found.append(
                    Mismatch(
                        path: path,
                        message:
                            "\(Self.show(value)) matches \(matching.count) of the \(one.count) oneOf alternatives (exactly one wanted)"
                    ))
            }
        }
        if let not = keywords["not"],
            validate(value, not, path: path, schemaPath: "\(schemaPath)/not", depth: depth + 1).isEmpty
        {
            found.append(Mismatch(path: path, message: "\(Self.show(value)) matches the schema under not"))
        }
        return found
    }

    private mutating func objectKeywords(
        _ object: [String: JSONValue], _ keywords: [String: JSONValue], path: String, schemaPath: String, depth: Int
    ) -> [Mismatch] {
        var found: [Mismatch] = []
        for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            found.append(Mismatch(path: Self.member(path, name), message: "required property is missing"))
        }
        let properties = keywords["properties"]?.objectValue ?? [:]
        for name in object.keys.sorted() {
            let child = Self.member(path, name)
            if let sub = properties[name] {
                found += validate(
                    object[name]!, sub, path: child, schemaPath: "\(schemaPath)/properties/\(Self.escape(name))",
                    depth: depth + 1)
            } else if keywords["patternProperties"] != nil {
                continue  // Which pattern applies is not known here: patternProperties is listed unchecked.
            } else if let additional = keywords["additionalProperties"] {
                if additional == .bool(false) {
                    found.append(Mismatch(path: child, message: "property not allowed (additionalProperties is false)"))
                } else {
                    found += validate(
                        object[name]!, additional, path: child, schemaPath: "\(schemaPath)/additionalProperties",
                        depth: depth + 1)
                }
            }
        }
        if let least = keywords["minProperties"]?.intValue, object.count < least {
            found.append(Mismatch(path: path, message: "\(object.count) properties, at least \(least) wanted"))
        }
        if let most = keywords["maxProperties"]?.intValue, object.count > most {
            found.append(Mismatch(path: path, message: "\(object.count) properties, at most \(most) allowed"))
        }
        return found
    }

    private mutating func arrayKeywords(
        _ array: [JSONValue], _ keywords: [String: JSONValue], path: String, schemaPath: String, depth: Int
    ) -> [Mismatch] {
        var found: [Mismatch] = []
        switch keywords["items"] {
        case .array(let tuple)?:
            // The draft-04 tuple form: one schema per position (more items: additionalItems, unchecked).
            for (index, sub) in tuple.enumerated() where index < array.count {
                found += validate(
                    array[index], sub, path: "\(path)[\(index)]", schemaPath: "\(schemaPath)/items/\(index)",
                    depth: depth + 1)
            }
        case let items?:
            for (index, element) in array.enumerated() {
                found += validate(
                    element, items, path: "\(path)[\(index)]", schemaPath: "\(schemaPath)/items", depth: depth + 1)
            }
        case nil:
            break
        }
        if let least = keywords["minItems"]?.intValue, array.count < least {
            found.append(Mismatch(path: path, message: "\(array.count) items, at least \(least) wanted"))
        }
        if let most = keywords["maxItems"]?.intValue, array.count > most {
            found.append(Mismatch(path: path, message: "\(array.count) items, at most \(most) allowed"))
        }
        if keywords["uniqueItems"] == .bool(true) {
            for (index, element) in array.enumerated()
            where array[..<index].contains(where: { Self.equal($0, element) }) {
                found.append(Mismatch(path: "\(path)[\(index)]", message: "repeats an earlier item (uniqueItems)"))
            }
        }
        return found
    }

    private func stringKeywords(_ text: String, _ keywords: [String: JSONValue], path: String) -> [Mismatch] {
        var found: [Mismatch] = []
        let length = text.unicodeScalars.count  // JSON Schema counts code points
        if let least = keywords["minLength"]?.intValue, length < least {
            found.append(Mismatch(path: path, message: "\(length) characters, at least \(least) wanted"))
        }
        if let most = keywords["maxLength"]?.intValue, length > most {
            found.append(Mismatch(path: path, message: "\(length) characters, at most \(most) allowed"))
        }
        return found
    }

    private mutating func numberKeywords(
        _ value: JSONValue, _ keywords: [String: JSONValue], path: String, schemaPath: String
    ) -> [Mismatch] {
        guard let number = Self.number(value) else { return [] }
        var found: [Mismatch] = []
        func bound(_ keyword: String, _ holds: (Double, Double) -> Bool, _ words: String) {
            guard let limitValue = keywords[keyword] else { return }
            guard let limit = Self.number(limitValue) else {
                // Draft-04's boolean exclusiveMinimum/Maximum modifies minimum/maximum: not checked.
                unchecked.insert(Unchecked(keyword: keyword, schemaPath: schemaPath))
                return
            }
            if !holds(number, limit) {
                found.append(
                    Mismatch(path: path, message: "\(Self.show(value)) is not \(words) \(Self.show(limitValue))"))
            }
        }
        bound("minimum", >=, "at least")
        bound("maximum", <=, "at most")
        bound("exclusiveMinimum", >, "greater than")
        bound("exclusiveMaximum", <, "less than")
        if let divisor = keywords["multipleOf"].flatMap(Self.number), divisor > 0 {
            let quotient = number / divisor
            if abs(quotient - quotient.rounded()) > 1e-9 * max(1, abs(quotient)) {
                found.append(
                    Mismatch(
                        path: path,
                        message: "\(Self.show(value)) is not a multiple of \(Self.show(keywords["multipleOf"]!))"))
            }
        }
        return found
    }

    private func checkType(_ value: JSONValue, _ type: JSONValue, path: String) -> Mismatch? {
        let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
        guard !allowed.isEmpty, !allowed.contains(where: { Self.hasType(value, $0) }) else { return nil }
        return Mismatch(
            path: path, message: "expected \(allowed.joined(separator: " or ")), found \(Self.typeName(value))")
    }

    /// Resolves a local `$ref` (`#`, `#/$defs/x`, JSON pointer escapes); nil for anything else.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key =
                token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                .removingPercentEncoding ?? String(token)
            if let array = node.arrayValue, let index = Int(key), array.indices.contains(index) {
                node = array[index]
            } else if let next = node[key] {
                node = next
            } else {
                return nil
            }
        }
        return node
    }

    // MARK: - JSON helpers

    static func hasType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .int), ("number", .double), ("integer", .int): true
        case ("integer", .double(let number)): number.rounded() == number && number.isFinite
        default: false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .int: "integer"
        case .double(let number) where number.rounded() == number: "number (integral)"
        default: value.typeName
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    /// JSON equality, with 1 and 1.0 the same number.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int, .double), (.double, .int): number(lhs) == number(rhs)
        case (.array(let left), .array(let right)):
            left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
        case (.object(let left), .object(let right)):
            left.count == right.count && left.allSatisfy { key, value in right[key].map { equal(value, $0) } ?? false }
        default: lhs == rhs
        }
    }

    static func member(_ path: String, _ name: String) -> String {
        let plain =
            !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            && !(name.first?.isNumber ?? true)
        return plain ? "\(path).\(name)" : "\(path)[\(JSONValue.string(name).encodedString())]"
    }

    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func show(_ value: JSONValue) -> String {
        let text = value.encodedString()
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }
}
