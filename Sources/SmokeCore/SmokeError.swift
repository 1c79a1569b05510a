/// The one error type every tool reports. `code` is a stable snake_case identifier that scripts
/// may match on; `message` names the file, field or URL involved; `exit` decides the exit status.
public struct SmokeError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var hint: String?
    public var exit: ToolExit
    /// Tool-specific keys that belong at the top level of the JSON answer next to `error`
    /// (e.g. `changed` for a dirty worktree), so a failure still carries its evidence.
    public var fields: [String: JSONValue]

    public init(
        _ code: String, _ message: String, hint: String? = nil, exit: ToolExit,
        fields: [String: JSONValue] = [:]
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.exit = exit
        self.fields = fields
    }

    public var description: String { "\(code): \(message)" }

    public static func invalidInput(_ code: String, _ message: String, hint: String? = nil) -> SmokeError {
        SmokeError(code, message, hint: hint, exit: .invalidInput)
    }

    public static func environment(_ code: String, _ message: String, hint: String? = nil) -> SmokeError {
        SmokeError(code, message, hint: hint, exit: .environment)
    }

    public static func checkFailed(_ code: String, _ message: String, hint: String? = nil) -> SmokeError {
        SmokeError(code, message, hint: hint, exit: .checkFailed)
    }

    public static func timeout(_ code: String, _ message: String, hint: String? = nil) -> SmokeError {
        SmokeError(code, message, hint: hint, exit: .timeout)
    }

    /// The `error` object of the JSON envelope.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let hint { object["hint"] = .string(hint) }
        return .object(object)
    }
}
