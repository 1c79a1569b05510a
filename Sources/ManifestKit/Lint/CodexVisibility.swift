import SmokeCore

/// MCP Apps metadata can keep a tool away from the model: `_meta.ui.visibility` is a list of
/// audiences, and a list without the string "model" hides the tool (an empty list too). Anything
/// else (no `_meta`, `ui` or `visibility`, or a visibility that is not a list) leaves it visible;
/// the match is exact ("MODEL" does not count). Source: codex-rs/codex-mcp/src/connection_manager/
/// tool_catalog.rs `tool_is_model_visible`, applied in codex-rs/core/src/mcp_tool_exposure.rs.
public enum CodexVisibility {
    public static let path = JSONPath.root.appending("_meta").appending("ui").appending("visibility")

    /// The visibility list when it hides the tool, nil when the model sees it.
    public static func hidingList(_ tool: [String: JSONValue]) -> [JSONValue]? {
        guard let audiences = tool["_meta"]?["ui"]?["visibility"]?.arrayValue else { return nil }
        return audiences.contains(.string("model")) ? nil : audiences
    }
}
