import Foundation
import SmokeCore

/// Foundation's JSONDecoder and JSONEncoder as the reference the package's own reader and writer
/// are checked against, and a way for tests to turn their Encodable fixtures into a JSONValue.
/// The product reads and writes JSON only through `JSONReader` and `JSONWriter`.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Any Encodable fixture as a JSONValue, through the package's own reader.
    public init(encoding value: some Encodable) throws {
        self = try JSONValue.parse(try JSONEncoder().encode(value), source: "encoded fixture")
    }
}
