/// What a tool hands back: its tool-specific top-level keys, and an error when the run failed.
/// `envelope` is its JSON answer (through `Envelope`, the one writer of the common keys); the CLI
/// layer prints it.
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
        var own = fields
        if let error { own.merge(error.fields) { _, new in new } }
        return .object(Envelope.object(tool: tool, ok: ok, elapsedMs: .int(elapsedMs), error: error?.json, fields: own))
    }

    public func envelope(tool: String, elapsed: Duration) -> JSONValue {
        envelope(tool: tool, elapsedMs: elapsed.milliseconds)
    }
}

/// A domain report that answers through the one envelope: `outcome` is what the tool prints, and
/// `fields`/`error` read and write through to it.
public protocol OutcomeReport {
    var outcome: ToolOutcome { get set }
}

extension OutcomeReport {
    public var fields: [String: JSONValue] {
        get { outcome.fields }
        set { outcome.fields = newValue }
    }

    public var error: SmokeError? {
        get { outcome.error }
        set { outcome.error = newValue }
    }
}
