import Foundation
import SmokeCore

/// Reads the JSON inputs of render-manifest. Nesting is bounded while parsing, so a hostile or
/// broken file (10,000 nested arrays) is a clear `json_too_deep` error instead of a parser or
/// recursion failure further on; every later pass (merge, dedupe, substitution) recurses.
public enum ManifestJSON {
    /// Deeper than any real template, catalog or schema; Foundation's parser stops at 512.
    public static let maximumDepth = 256

    public static func parse(_ data: Data, source: String) throws(SmokeError) -> JSONValue {
        do {
            return try FastJSONParser.parse(data, maximumDepth: maximumDepth)
        } catch {
            let (line, column) = FastJSONParser.position(of: error.offset, in: data)
            let deep = error.message.hasPrefix("nested deeper")
            throw SmokeError(
                deep ? "json_too_deep" : "invalid_json",
                deep
                    ? "\(source): JSON nested deeper than \(maximumDepth) levels (at line \(line), column \(column))"
                    : "\(source): malformed JSON: \(error.message) at line \(line), column \(column)",
                exit: .invalidInput, fields: ["file": .string(source)])
        }
    }

    public static func load(path: String, display: String? = nil) throws(SmokeError) -> JSONValue {
        try parse(try FileIO.read(path: path), source: display ?? path)
    }
}
