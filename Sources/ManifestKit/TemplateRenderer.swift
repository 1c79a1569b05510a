import Foundation
import SmokeCore

/// Fills `{{ NAME }}` placeholders in a parsed proxy template. Substitution happens inside JSON
/// strings (values and keys), so a value holding a quote or backslash cannot break the JSON as
/// the original's text substitution could.
public enum TemplateRenderer {
    public struct Placeholder: Sendable, Hashable {
        public var name: String
        public var path: JSONPath
    }

    public static func render(_ template: JSONValue, variables: [String: String], source: String) throws(SmokeError)
        -> JSONValue
    {
        var missing: [Placeholder] = []
        let rendered = substitute(template, at: .root, variables: variables, missing: &missing)
        if let first = missing.first {
            let names = Array(Set(missing.map(\.name))).sorted()
            throw SmokeError(
                .missingVariable,
                "\(source): {{\(first.name)}} at \(first.path) is not set by any env layer, --set or built-in"
                    + (names.count > 1 ? " (missing: \(names.joined(separator: ", ")))" : ""),
                hint: "define it in the env file or pass --set \(first.name)=VALUE",
                fields: [
                    "variable": .string(first.name), "file": .string(source),
                    "missing_variables": .array(names.map { .string($0) }),
                ])
        }
        return rendered
    }

    /// Every placeholder name used in `template`, sorted.
    public static func placeholders(in template: JSONValue) -> [String] {
        var missing: [Placeholder] = []
        _ = substitute(template, at: .root, variables: [:], missing: &missing)
        return Array(Set(missing.map(\.name))).sorted()
    }

    static func substitute(
        _ value: JSONValue, at path: JSONPath, variables: [String: String], missing: inout [Placeholder]
    ) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(fill(text, at: path, variables: variables, missing: &missing))
        case .array(let items):
            return .array(
                items.enumerated().map {
                    substitute($1, at: path.appending(index: $0), variables: variables, missing: &missing)
                })
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for key in object.keys.sorted() {
                let newKey = fill(key, at: path.appending(key), variables: variables, missing: &missing)
                result[newKey] = substitute(
                    object[key]!, at: path.appending(key), variables: variables, missing: &missing)
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Replaces `{{ NAME }}` (NAME of letters, digits, `_`; spaces inside the braces allowed).
    static func fill(_ text: String, at path: JSONPath, variables: [String: String], missing: inout [Placeholder])
        -> String
    {
        guard text.contains("{{") else { return text }
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let isName =
                !inner.isEmpty
                && inner.unicodeScalars.allSatisfy {
                    ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_"
                }
            if isName {
                if let value = variables[inner] {
                    output += value
                } else {
                    missing.append(Placeholder(name: inner, path: path))
                    output += rest[open.lowerBound..<close.upperBound]
                }
            } else {
                output += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }
}
