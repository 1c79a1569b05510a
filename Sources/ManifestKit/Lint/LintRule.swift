/// One rule of `render-manifest lint`: what it does to a served tool and where it comes from.
///
/// The Codex rules describe the pinned Codex CLI (openai-codex-cli-bin 0.163.0). Each was read in
/// the openai/codex source named in its comment and then checked against the real binary: a stack
/// serving tools that break it was run through a real `codex exec` stage and the tools Codex
/// offered its model were compared with the lint's prediction (Tests/CodexKitTests/
/// CodexAcceptanceTests.swift). Where the pinned binary differed from the source read (the name
/// length limit, which characters survive), the binary's behaviour is what is encoded.
public struct LintRule: Sendable, Hashable, CustomStringConvertible {
    public enum Effect: String, Sendable {
        /// The tool never reaches the model.
        case drops
        /// The model sees the tool under another name.
        case renames
        /// Codex offers the tool, but other MCP clients refuse or misread the schema.
        case schemaProblem = "schema_problem"
    }

    public let id: String
    public let effect: Effect

    public var description: String { id }
}

extension LintRule {
    // MARK: Codex 0.163.0 drops the tool

    /// An entry the MCP client cannot decode makes Codex refuse the whole tools/list: the server
    /// fails to start (`required MCP servers failed to initialize: <server>: Unexpected response
    /// type`) and every tool is gone. Source: the rmcp `Tool`/`ToolAnnotations` model that
    /// codex-rs/codex-mcp/src/rmcp_client.rs decodes tools/list into (typed `name`, `title`,
    /// `description`, `inputSchema`, `outputSchema`, `annotations`, `icons`, `_meta`), and
    /// serde_json's nesting limit on the message the client parses.
    public static let toolsListRejected = LintRule(id: "tools_list_rejected", effect: .drops)

    /// A second entry with a name already listed is skipped ("skipping duplicated tool <name>").
    /// Source: codex-rs/codex-mcp/src/tools.rs, `normalize_tools_for_model_with_prefix` (the set
    /// of raw tool identities).
    public static let duplicateName = LintRule(id: "duplicate_name", effect: .drops)

    /// `_meta.ui.visibility` is a list without "model": the tool is for an app, not the model.
    /// Source: codex-rs/codex-mcp/src/connection_manager/tool_catalog.rs, `tool_is_model_visible`,
    /// applied in codex-rs/core/src/mcp_tool_exposure.rs, `build_mcp_tool_runtimes`.
    public static let hiddenFromModel = LintRule(id: "hidden_from_model", effect: .drops)

    /// The input schema does not survive Codex's conversion into the model's function format
    /// ("Skipping MCP tool `<namespace><name>`: failed to build tool spec: <serde error>").
    /// Source: codex-rs/tools/src/mcp_tool.rs `mcp_tool_definition` (empty `properties` added),
    /// codex-rs/tools/src/json_schema.rs `parse_tool_input_schema` (`sanitize_json_schema`,
    /// `prune_unreachable_definitions`, the `JsonSchema` struct it deserializes into, the
    /// singleton-null check) and codex-rs/core/src/mcp_tool_exposure.rs `build_mcp_tool_runtimes`.
    public static let inputSchemaUnconvertible = LintRule(id: "input_schema_unconvertible", effect: .drops)

    // MARK: Codex 0.163.0 renames the tool

    /// Every character outside `[A-Za-z0-9_]` (so `-` and `.` too) becomes `_`; an empty name
    /// becomes `_`. Source: codex-rs/codex-mcp/src/mcp/mod.rs, `sanitize_responses_api_tool_name`.
    public static let nameSanitized = LintRule(id: "name_sanitized", effect: .renames)

    /// Two served names that end up as one model-visible name: each gets `_` and the first 12
    /// hex digits of the SHA-1 of its raw identity. Source: codex-rs/codex-mcp/src/tools.rs,
    /// `normalize_tools_for_model_with_prefix`, `append_hash_suffix`, `unique_callable_parts`.
    public static let nameCollision = LintRule(id: "name_collision", effect: .renames)

    /// Namespace + `__` + name longer than 128 bytes: the name is cut and given the hash suffix.
    /// Source: codex-rs/codex-mcp/src/tools.rs, `unique_callable_parts`,
    /// `fit_callable_parts_with_hash`, `MAX_TOOL_NAME_LENGTH` (128 in the pinned binary).
    public static let nameTooLong = LintRule(id: "name_too_long", effect: .renames)

    // MARK: Other clients refuse the schema (Codex offers the tool)

    /// A `type` list inside an `outputSchema` (e.g. `["object", "null"]`): the MCP SDKs require an
    /// object output schema and several clients accept only one type name.
    public static let outputSchemaTypeArray = LintRule(id: "output_schema_type_array", effect: .schemaProblem)

    /// The same name twice in one `required` list.
    public static let duplicateRequired = LintRule(id: "duplicate_required", effect: .schemaProblem)

    /// The same value twice in one `enum` list.
    public static let duplicateEnum = LintRule(id: "duplicate_enum", effect: .schemaProblem)

    /// A `required` name that the sibling `properties` does not define.
    public static let requiredNotInProperties = LintRule(id: "required_not_in_properties", effect: .schemaProblem)

    public static let all: [LintRule] = [
        toolsListRejected, duplicateName, hiddenFromModel, inputSchemaUnconvertible,
        nameSanitized, nameCollision, nameTooLong,
        outputSchemaTypeArray, duplicateRequired, duplicateEnum, requiredNotInProperties,
    ]
}
