import Foundation

/// A JSON document as data. Object keys are unordered here and always written sorted, which is
/// what makes re-renders byte-identical.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue {
    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var intValue: Int64? {
        switch self {
        case .int(let v): v
        case .double(let v) where v.rounded() == v && abs(v) < 9.0e15: Int64(v)
        default: nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let v) = self { v } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }

    /// The JSON type name, for error messages ("expected array, found string").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// Deeper than any real document these tools read; Foundation's parser stops at 512 too.
    public static let defaultMaximumDepth = 512

    /// Parses one JSON document. Malformed input is `invalid_json` and nesting past
    /// `maximumDepth` is `json_too_deep`, both naming `source` (a file, URL or stream) with the
    /// line and column.
    public static func parse(
        _ data: Data, source: String, maximumDepth: Int = defaultMaximumDepth
    ) throws(SmokeError) -> JSONValue {
        let result = read(data, maximumDepth: maximumDepth)
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            let (line, column) = JSONReader.lineAndColumn(of: error.offset, in: data)
            let deep = error.tooDeep
            throw SmokeError(
                deep ? .jsonTooDeep : .invalidJSON,
                deep
                    ? "\(source): JSON nested deeper than \(maximumDepth) levels (at line \(line), column \(column))"
                    : "\(source): malformed JSON: \(error.message) at line \(line), column \(column)",
                fields: ["file": .string(source)])
        }
    }

    /// Whether `data` is the beginning of a JSON document that ran out of bytes inside a value
    /// (an answer cut short), as opposed to malformed or complete JSON.
    public static func endsMidValue(_ data: Data) -> Bool {
        if case .failure(let failure) = read(data, maximumDepth: defaultMaximumDepth) { return failure.endOfInput }
        return false
    }

    /// One document through the reader, whole.
    private static func read(_ data: Data, maximumDepth: Int) -> Result<JSONValue, JSONReader.Failure> {
        data.withUnsafeBytes { raw in
            var reader = JSONReader(raw, maximumDepth: maximumDepth)
            do throws(JSONReader.Failure) {
                // A UTF-8 byte order mark is tolerated at the start of a document, as editors write one.
                reader.skipWhitespace()
                if raw.count - reader.position >= 3, raw[reader.position] == 0xEF, raw[reader.position + 1] == 0xBB,
                    raw[reader.position + 2] == 0xBF
                {
                    reader.position += 3
                }
                let value = try reader.parseValue()
                try reader.finish()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Reads and parses a JSON file; a missing or unreadable file is `file_not_found` / `file_unreadable`.
    public static func load(path: String) throws(SmokeError) -> JSONValue {
        try parse(try FileIO.read(path: path), source: path)
    }

    /// Canonical bytes: sorted keys, no escaped slashes; pretty when asked. Re-encoding the same
    /// value always gives the same bytes (the same bytes JSONEncoder would give). A file's bytes end
    /// with a newline (`trailingNewline`).
    public func encoded(pretty: Bool = false, trailingNewline: Bool = false) -> Data {
        JSONWriter.write(self, pretty: pretty, trailingNewline: trailingNewline)
    }

    public func encodedString(pretty: Bool = false) -> String {
        String(decoding: encoded(pretty: pretty), as: UTF8.self)
    }
}
