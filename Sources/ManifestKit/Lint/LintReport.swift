import SmokeCore

/// The answer of `render-manifest lint`: a verdict per served tool, the lists derived from them,
/// and the schema problems.
public struct LintReport: Sendable, Equatable {
    public var serverName: String
    /// The namespace the model sees the server's tools in (`mcp__<server>`, sanitized).
    public var namespace: String
    public var tools: [CodexToolsLint.ToolResult]
    public var schemaProblems: [CodexToolsLint.SchemaProblem]
    /// Codex refuses the whole tools/list (one entry it cannot decode).
    public var listRejected: Bool

    public var dropped: [CodexToolsLint.ToolResult] { tools.filter { $0.verdict == .dropped } }
    public var renamed: [CodexToolsLint.ToolResult] { tools.filter { $0.verdict == .renamed } }
    /// Exactly the function names the model gets in `namespace`, sorted.
    public var offered: [String] { tools.compactMap(\.offeredAs).sorted() }

    static func problems(_ count: Int) -> String { count == 1 ? "1 schema problem" : "\(count) schema problems" }

    static func label(_ tool: CodexToolsLint.ToolResult) -> String { tool.name ?? "tools[\(tool.index)]" }

    /// The tool-specific keys of the JSON answer.
    public var summary: [String: JSONValue] {
        let toolsJSON: [JSONValue] = tools.map { tool in
            .object([
                "name": tool.name.map(JSONValue.string) ?? .null,
                "offered_as": tool.offeredAs.map(JSONValue.string) ?? .null,
                "verdict": .string(tool.verdict.rawValue),
                "reasons": .array(
                    tool.reasons.map { reason in
                        var object: [String: JSONValue] = [
                            "rule": .string(reason.rule.id), "detail": .string(reason.detail),
                        ]
                        if let path = reason.jsonPath { object["json_path"] = .string(path) }
                        return .object(object)
                    }),
            ])
        }
        return [
            "codex_version": .string(CodexToolsLint.codexVersion),
            "server_name": .string(serverName),
            "namespace": .string(namespace),
            "tool_count": .int(Int64(tools.count)),
            "offered_count": .int(Int64(offered.count)),
            "offered": .array(offered.map(JSONValue.string)),
            "list_rejected": .bool(listRejected),
            "tools": .array(toolsJSON),
            "dropped": .array(dropped.map { .string(Self.label($0)) }),
            "renamed": .array(
                renamed.map { .object(["name": .string(Self.label($0)), "offered_as": .string($0.offeredAs ?? "")]) }),
            "schema_problems": .array(
                schemaProblems.map { problem in
                    .object([
                        "tool": .string(problem.tool), "rule": .string(problem.rule.id),
                        "json_path": .string(problem.jsonPath), "detail": .string(problem.detail),
                    ])
                }),
        ]
    }

    /// Exit 1: `codex_rejects_list` when Codex refuses the whole list, `codex_rejects_tools` when
    /// it drops some tools, `schema_problems` when it drops none but other clients would refuse a
    /// schema. Renamed tools alone pass (the model can call them; the JSON says under which name).
    public var error: SmokeError? {
        if listRejected {
            let culprits = tools.filter { $0.reasons.contains { $0.jsonPath != nil } }
            let first = culprits.first?.reasons.first
            return SmokeError(
                .codexRejectsList,
                "Codex \(CodexToolsLint.codexVersion) refuses this whole tools/list (\(first?.jsonPath ?? "?"): \(first.map { String($0.detail.prefix { $0 != ";" }) } ?? "")): the server fails to start and none of its \(tools.count) tools reach the model",
                hint: "fix the entries named in tools[].reasons; every one of them makes the list undecodable")
        }
        if !dropped.isEmpty {
            let list = dropped.map { tool in
                "\(Self.label(tool)) (\(Set(tool.reasons.map(\.rule.id)).sorted().joined(separator: ", ")))"
            }
            var message =
                "Codex \(CodexToolsLint.codexVersion) would not offer \(dropped.count) of \(tools.count) served tools: \(list.joined(separator: ", "))"
            if !schemaProblems.isEmpty {
                message += "; and \(Self.problems(schemaProblems.count)) other clients refuse"
            }
            return SmokeError(.codexRejectsTools, message)
        }
        if !schemaProblems.isEmpty {
            let tools = Array(Set(schemaProblems.map(\.tool))).sorted()
            return SmokeError(
                .schemaProblems,
                "\(Self.problems(schemaProblems.count)) that other MCP clients refuse, in \(tools.joined(separator: ", ")) (Codex offers these tools)"
            )
        }
        return nil
    }
}
