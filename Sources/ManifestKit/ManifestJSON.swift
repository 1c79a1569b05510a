import Foundation
import SmokeCore

/// Reads the JSON inputs of render-manifest with a tighter nesting bound than other tools: every
/// later pass (merge, dedupe, substitution) recurses, and no real template, catalog or schema
/// comes near 256 levels.
public enum ManifestJSON {
    public static let maximumDepth = 256

    public static func parse(_ data: Data, source: String) throws(SmokeError) -> JSONValue {
        try JSONValue.parse(data, source: source, maximumDepth: maximumDepth)
    }

    public static func load(path: String, display: String? = nil) throws(SmokeError) -> JSONValue {
        try parse(try FileIO.read(path: path), source: display ?? path)
    }
}
