import Foundation
import SmokeCore

/// Reads the JSON inputs of render-manifest. Nesting is bounded before parsing, so a hostile or
/// broken file (10,000 nested arrays) is a clear `json_too_deep` error instead of a parser or
/// recursion failure further on; every later pass (merge, dedupe, substitution) recurses.
public enum ManifestJSON {
    /// Deeper than any real template, catalog or schema; Foundation's parser stops at 512.
    public static let maximumDepth = 256

    public static func parse(_ data: Data, source: String) throws(SmokeError) -> JSONValue {
        if let offset = firstOffsetBeyondDepth(data, limit: maximumDepth) {
            throw SmokeError(
                "json_too_deep",
                "\(source): JSON nested deeper than \(maximumDepth) levels (at byte \(offset))",
                exit: .invalidInput, fields: ["file": .string(source)])
        }
        do {
            return try JSONValue.parse(data, source: source)
        } catch {
            var failure = error
            failure.fields["file"] = .string(source)
            throw failure
        }
    }

    public static func load(path: String, display: String? = nil) throws(SmokeError) -> JSONValue {
        try parse(try FileIO.read(path: path), source: display ?? path)
    }

    /// The byte offset where nesting first exceeds `limit`, ignoring brackets inside strings.
    static func firstOffsetBeyondDepth(_ data: Data, limit: Int) -> Int? {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int? in
            var depth = 0
            var inString = false
            var escaped = false
            for (offset, byte) in buffer.enumerated() {
                if inString {
                    if escaped { escaped = false }
                    else if byte == UInt8(ascii: "\\") { escaped = true }
                    else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth > limit { return offset }
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                default: break
                }
            }
            return nil
        }
    }
}
