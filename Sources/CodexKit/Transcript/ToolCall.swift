import SmokeCore

/// One MCP tool call as the transcript last showed it (`item.started/updated/completed` of one id
/// collapse; the last snapshot wins).
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var server: String?
    public var tool: String?
    /// `in_progress`, `completed` or `failed` (or whatever a newer Codex prints).
    public var status: String?
    public var arguments: JSONValue
    /// `error.message`, or the text of `result.content` when the call failed.
    public var error: String?

    /// Counts for an expectation only if it finished without error (or the expectation allows failures).
    public var succeeded: Bool { status == "completed" && error == nil }
    public var failed: Bool { status == "failed" || error != nil }

    public var json: JSONValue {
        [
            "id": .string(id),
            "server": server.map(JSONValue.string) ?? .null,
            "tool": tool.map(JSONValue.string) ?? .null,
            "status": status.map(JSONValue.string) ?? .null,
            "arguments": arguments,
            "error": error.map(JSONValue.string) ?? .null,
        ]
    }
}
