/// What a tool hands back: its tool-specific top-level keys, and an error when the run failed.
/// `envelope` is the only place the common keys (`tool`, `version`, `ok`, `elapsed_ms`, `error`)
/// are written; the CLI layer prints it, the chain's own steps write it to files.
public struct ToolOutcome: Sendable {
    public var fields: [String: JSONValue]
    public var error: SmokeError?

    public init(fields: [String: JSONValue] = [:], error: SmokeError? = nil) {
        self.fields = fields
        self.error = error
    }

    public static func success(_ fields: [String: JSONValue] = [:]) -> ToolOutcome {
        ToolOutcome(fields: fields)
    }

    public static func failure(_ error: SmokeError, _ fields: [String: JSONValue] = [:]) -> ToolOutcome {
        ToolOutcome(fields: fields, error: error)
    }

    public var ok: Bool { error == nil }

    /// The JSON answer. The error's own fields (its evidence) join the top level; the common keys
    /// win over any field of the same name.
    public func envelope(tool: String, elapsedMs: Int64) -> JSONValue {
        var object = fields
        if let error {
            object.merge(error.fields) { _, new in new }
            object["error"] = error.json
        }
        object["tool"] = .string(tool)
        object["version"] = .string(SmokeVersion.current)
        object["ok"] = .bool(ok)
        object["elapsed_ms"] = .int(elapsedMs)
        return .object(object)
    }

    public func envelope(tool: String, elapsed: Duration) -> JSONValue {
        envelope(tool: tool, elapsedMs: elapsed.milliseconds)
    }
}
