import Foundation
import SmokeCore

/// The extra top-level keys of a document the chain writes: `key=value` sets a string,
/// `key:=json` any JSON value (`port:=18555`, `stages:=["a","b"]`, `port:=null`). A later pair
/// with the same key wins.
public enum TypedFields {
    public static func parse(_ pairs: [String]) throws(SmokeError) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else {
                throw SmokeError(.usage, "--field '\(pair)': expected key=value or key:=json")
            }
            let key = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if key.hasSuffix(":") {
                let name = String(key.dropLast())
                fields[name] = try JSONValue.parse(Data(value.utf8), source: "--field \(name)")
            } else {
                fields[key] = .string(value)
            }
        }
        return fields
    }
}
