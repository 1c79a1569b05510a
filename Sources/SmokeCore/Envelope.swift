/// The common keys of every JSON answer, written here and nowhere else: `tool`, `version`, `ok`,
/// `elapsed_ms` and `error`. A tool's answer comes through `ToolOutcome.envelope`; the smoke
/// chain's own step files (whose codes are data, not `ErrorCode`s) come through `object` directly.
public enum Envelope {
    /// The answer's own `fields` under the common keys (a field never replaces one of them).
    /// `elapsedMs` nil: the answer has no wall time of its own (e.g. a verdict read off files);
    /// a JSON number, because a run's summary adds up its steps' as they were written.
    public static func object(
        tool: String, ok: Bool, elapsedMs: JSONValue?, error: JSONValue? = nil, fields: [String: JSONValue]
    ) -> [String: JSONValue] {
        var object = fields
        object["error"] = error
        object["tool"] = .string(tool)
        object["version"] = .string(SmokeVersion.current)
        object["ok"] = .bool(ok)
        object["elapsed_ms"] = elapsedMs
        return object
    }

    /// An `error` object: `{code, message, hint?}`.
    public static func error(code: String, message: String, hint: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let hint { object["hint"] = .string(hint) }
        return .object(object)
    }
}
