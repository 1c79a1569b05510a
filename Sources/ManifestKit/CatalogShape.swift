import Foundation
import SmokeCore

/// The expected shape of a catalog value. Validation is strict where Stelae's JSON schemas say
/// `additionalProperties: false`, and free where a value is user data (schemas, annotations).
public indirect enum CatalogShape: Sendable {
    case anyValue
    case string(nonEmpty: Bool)
    case boolean
    case number(positive: Bool)
    case integer(only: Int64?)
    /// Any JSON object, kept as is (JSON schemas, annotations, metadata).
    case freeObject
    /// An object or null (aggregation `outputSchema`).
    case freeObjectOrNull
    case array(CatalogShape, minItems: Int)
    /// An object with a closed set of keys (camelCase); snake_case spellings are accepted.
    case record([String: CatalogShape], required: Set<String>)
    /// An object whose keys are names chosen by the user (servers, tools); every value has `value`.
    case map(CatalogShape)
}

/// A validation failure: which rule, and where.
public struct CatalogIssue: Error, Sendable {
    public var code: ErrorCode
    public var path: JSONPath
    public var detail: String

    /// Issues are raised without a location and gain one component per level as they unwind,
    /// so a valid catalog never pays for building paths.
    func located(under component: JSONPath.Component) -> CatalogIssue {
        CatalogIssue(code: code, path: JSONPath([component] + path.components), detail: detail)
    }

    public func error(file: String) -> SmokeError {
        SmokeError(
            code, "\(file): \(path): \(detail)",
            fields: ["file": .string(file), "json_path": .string(path.description)])
    }
}

/// snake_case → camelCase ("downstream_tool" → "downstreamTool", "proxy_url" → "proxyURL").
func camelCaseKey(_ key: String) -> String {
    guard key.contains("_") else { return key }
    var result = ""
    for (index, part) in key.split(separator: "_", omittingEmptySubsequences: true).enumerated() {
        if index == 0 { result += part } else { result += part.prefix(1).uppercased() + part.dropFirst() }
    }
    return result
}

extension CatalogShape {
    /// Checks `value` against the shape and returns it with structural keys in camelCase.
    public func normalize(_ value: JSONValue, at path: JSONPath) throws(CatalogIssue) -> JSONValue {
        do {
            return try normalize(value)
        } catch {
            throw CatalogIssue(
                code: error.code, path: JSONPath(path.components + error.path.components), detail: error.detail)
        }
    }

    /// Keys are visited in sorted order, so the same bad file always reports the same issue.
    func normalize(_ value: JSONValue) throws(CatalogIssue) -> JSONValue {
        let path = JSONPath.root
        switch self {
        case .anyValue:
            return value
        case .string(let nonEmpty):
            guard case .string(let text) = value else { throw Self.wrongType("string", value, path) }
            if nonEmpty && text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" }) {
                throw CatalogIssue(code: .emptyValue, path: path, detail: "must be a non-empty string")
            }
            return value
        case .boolean:
            guard case .bool = value else { throw Self.wrongType("boolean", value, path) }
            return value
        case .number(let positive):
            let number: Double
            switch value {
            case .int(let v): number = Double(v)
            case .double(let v): number = v
            default: throw Self.wrongType("number", value, path)
            }
            if positive && number <= 0 {
                throw CatalogIssue(code: .wrongType, path: path, detail: "must be a number greater than 0")
            }
            return value
        case .integer(let only):
            guard let number = value.intValue, value.typeName == "number" else {
                throw Self.wrongType("integer", value, path)
            }
            if let only, number != only {
                throw CatalogIssue(code: .unsupportedVersion, path: path, detail: "must be \(only), found \(number)")
            }
            return value
        case .freeObject:
            guard case .object = value else { throw Self.wrongType("object", value, path) }
            return value
        case .freeObjectOrNull:
            if value.isNull { return value }
            guard case .object = value else { throw Self.wrongType("object or null", value, path) }
            return value
        case .array(let element, let minItems):
            guard case .array(let items) = value else { throw Self.wrongType("array", value, path) }
            if items.count < minItems {
                throw CatalogIssue(
                    code: .tooFewItems, path: path, detail: "needs at least \(minItems) item(s), found \(items.count)")
            }
            var normalized: [JSONValue] = []
            normalized.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                do {
                    normalized.append(try element.normalize(item))
                } catch {
                    throw error.located(under: .index(index))
                }
            }
            return .array(normalized)
        case .record(let fields, let required):
            guard case .object(let object) = value else { throw Self.wrongType("object", value, path) }
            var normalized: [String: JSONValue] = [:]
            for key in object.keys.sorted() {
                var resolved: String? = fields[key] != nil ? key : nil
                if resolved == nil, key.contains("_") {
                    let camel = camelCaseKey(key)
                    resolved = fields[camel] != nil ? camel : Self.acronymName(camel, in: fields)
                }
                guard let name = resolved, let shape = fields[name] else {
                    let allowed = fields.keys.sorted().joined(separator: ", ")
                    throw CatalogIssue(
                        code: .unknownKey, path: path.appending(key),
                        detail: "unknown key '\(key)' (allowed: \(allowed))")
                }
                if normalized[name] != nil {
                    throw CatalogIssue(
                        code: .duplicateKey, path: path.appending(key),
                        detail: "'\(key)' repeats '\(name)' (camelCase and snake_case spellings of one key)")
                }
                do {
                    normalized[name] = try shape.normalize(object[key]!)
                } catch {
                    var issue = error.located(under: .key(name))
                    if name == "operations", issue.code == .tooFewItems, error.path.components.isEmpty {
                        issue.code = .emptyOperations
                    }
                    throw issue
                }
            }
            for key in required.sorted() where normalized[key] == nil {
                throw CatalogIssue(code: .missingKey, path: path, detail: "missing required key '\(key)'")
            }
            return .object(normalized)
        case .map(let element):
            guard case .object(let object) = value else { throw Self.wrongType("object", value, path) }
            var normalized: [String: JSONValue] = [:]
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                do {
                    normalized[key] = try element.normalize(item)
                } catch {
                    throw error.located(under: .key(key))
                }
            }
            return .object(normalized)
        }
    }

    /// `proxy_url` camel-cases to `proxyUrl`; Stelae spells it `proxyURL`.
    private static func acronymName(_ camel: String, in fields: [String: CatalogShape]) -> String? {
        fields.keys.first { $0.lowercased() == camel.lowercased() }
    }

    private static func wrongType(_ expected: String, _ value: JSONValue, _ path: JSONPath) -> CatalogIssue {
        CatalogIssue(code: .wrongType, path: path, detail: "expected \(expected), found \(value.typeName)")
    }
}
