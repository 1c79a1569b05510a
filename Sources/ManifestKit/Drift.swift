import Foundation
import SmokeCore

/// The curated manifest against what a live server lists.
public struct DriftReport: Sendable, Equatable {
    /// Curated tools the server does not list.
    public var missing: [String]
    /// Listed tools that are not curated.
    public var extra: [String]
    public var expected: [String]
    public var live: [String]

    public var drifted: Bool { !missing.isEmpty || !extra.isEmpty }

    public init(expected: [String], live: [String]) {
        let expectedSet = Set(expected)
        let liveSet = Set(live)
        self.expected = expectedSet.sorted()
        self.live = liveSet.sorted()
        missing = expectedSet.subtracting(liveSet).sorted()
        extra = liveSet.subtracting(expectedSet).sorted()
    }
}

public enum Drift {
    /// Tool names in a curated `manifest.json` (`{"tools":[{"name":…}]}`).
    public static func manifestNames(_ manifest: JSONValue, source: String) throws(SmokeError) -> [String] {
        guard let tools = manifest["tools"]?.arrayValue else {
            throw SmokeError(
                .invalidManifest, "\(source): expected a curated manifest with a \"tools\" array",
                fields: ["file": .string(source)])
        }
        var names: [String] = []
        for (index, tool) in tools.enumerated() {
            guard let name = tool["name"]?.stringValue else {
                throw SmokeError(
                    .invalidManifest, "\(source): tools[\(index)] has no string \"name\"",
                    fields: ["file": .string(source), "json_path": .string("tools[\(index)]")])
            }
            names.append(name)
        }
        return names
    }

    /// Tool names in a live listing: a `tools/list` result `{"tools":[…]}`, a JSON-RPC response
    /// `{"result":{"tools":[…]}}`, or any object with a `tools` array of names or of objects
    /// with `name`. A JSON-RPC error response is reported as such.
    public static func liveNames(_ live: JSONValue, source: String) throws(SmokeError) -> [String] {
        if let error = live["error"], live["result"] == nil, live["tools"] == nil {
            let message = error["message"]?.stringValue ?? error.encodedString()
            throw SmokeError(
                .invalidLiveCatalog, "\(source): the live listing is a JSON-RPC error: \(message)",
                fields: ["file": .string(source)])
        }
        let holder = live["result"]?["tools"] != nil ? live["result"]! : live
        guard let tools = holder["tools"]?.arrayValue else {
            throw SmokeError(
                .invalidLiveCatalog,
                "\(source): expected {\"tools\":[…]}, {\"result\":{\"tools\":[…]}} or an object with a \"tools\" array, found \(live.typeName)"
                    + (live.objectValue.map { " with keys \($0.keys.sorted().joined(separator: ", "))" } ?? ""),
                fields: ["file": .string(source)])
        }
        var names: [String] = []
        for (index, tool) in tools.enumerated() {
            if let name = tool.stringValue ?? tool["name"]?.stringValue {
                names.append(name)
            } else {
                let prefix = holder == live ? "" : "result."
                throw SmokeError(
                    .invalidLiveCatalog,
                    "\(source): \(prefix)tools[\(index)] is neither a name nor an object with \"name\"",
                    fields: ["file": .string(source), "json_path": .string("\(prefix)tools[\(index)]")])
            }
        }
        return names
    }
}
