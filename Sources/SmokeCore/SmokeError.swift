/// The one error type every tool reports. `code` is one of the stable codes scripts match on
/// (a typo does not compile); `message` names the file, field or URL involved; `exit` decides
/// the exit status (the code's own, unless the code's table row allows the one given).
public struct SmokeError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var hint: String?
    public var exit: ToolExit
    /// Tool-specific keys that belong at the top level of the JSON answer next to `error`
    /// (e.g. `changed` for a dirty worktree), so a failure still carries its evidence.
    public var fields: [String: JSONValue]

    public init(
        _ code: ErrorCode, _ message: String, hint: String? = nil, exit: ToolExit? = nil,
        fields: [String: JSONValue] = [:]
    ) {
        assert(exit.map(code.entry.exits.contains) ?? true, "\(code.rawValue) never exits \(exit!.rawValue)")
        self.code = code
        self.message = message
        self.hint = hint
        self.exit = exit ?? code.exit
        self.fields = fields
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The `error` object of the JSON envelope.
    public var json: JSONValue { Envelope.error(code: code.rawValue, message: message, hint: hint) }
}
