import SmokeCore

/// `render-manifest lint`: which served tools the pinned Codex will not show its model, which it
/// shows under another name, and why; plus schema defects other clients refuse.
///
/// The steps follow Codex's own order: the tools/list answer is decoded (one bad entry loses the
/// whole list), repeated names are dropped, every remaining tool is named (hidden and unconvertible
/// tools too, so they can still push a neighbour into a hash suffix), then hidden tools and tools
/// whose input schema does not convert are left out.
public enum CodexToolsLint {
    /// The Codex CLI release the rules were taken from and checked against.
    public static let codexVersion = "0.163.0"
    public static let defaultServerName = "stelae"

    public enum Verdict: String, Sendable {
        case offered, renamed, dropped
    }

    public struct Reason: Sendable, Equatable {
        public var rule: LintRule
        public var detail: String
        /// In the live file, e.g. `result.tools[3].inputSchema.properties.x.description`.
        public var jsonPath: String?
    }

    public struct ToolResult: Sendable, Equatable {
        public var index: Int
        /// The served name (nil when the entry has none).
        public var name: String?
        /// The name in the model's function list (inside `namespace`), nil when dropped.
        public var offeredAs: String?
        public var verdict: Verdict
        public var reasons: [Reason]
    }

    public struct SchemaProblem: Sendable, Equatable {
        public var tool: String
        public var rule: LintRule
        public var jsonPath: String
        public var detail: String
    }

    /// Reads the live listing the way `drift` does: a tools/list result, a JSON-RPC response or
    /// any object with a `tools` array; a JSON-RPC error or a missing list is invalid input.
    /// Entries are judged, not required to have names: a nameless entry is one of the things
    /// Codex refuses, so it is a finding here rather than a reason to stop.
    public static func entries(_ live: JSONValue, source: String) throws(SmokeError) -> (
        tools: [JSONValue], path: JSONPath
    ) {
        do {
            _ = try Drift.liveNames(live, source: source)
        } catch {
            // Drift's reader names the entry (json_path) when only an entry lacks a name; the
            // listing itself is then usable. Errors about the listing as a whole carry no path.
            if error.fields["json_path"] == nil { throw error }
        }
        if let tools = live["result"]?["tools"]?.arrayValue {
            return (tools, JSONPath.root.appending("result").appending("tools"))
        }
        return (live["tools"]?.arrayValue ?? [], JSONPath.root.appending("tools"))
    }

    public static func lint(_ live: JSONValue, source: String, serverName: String = defaultServerName)
        throws(SmokeError) -> LintReport
    {
        guard !serverName.isEmpty else {
            throw SmokeError(.invalidServerName, "--server-name must not be empty")
        }
        let (entries, listPath) = try entries(live, source: source)
        let namespace = CodexToolNames.namespace(server: serverName)
        func located(_ index: Int, _ path: JSONPath) -> String {
            JSONPath(listPath.components + [.index(index)] + path.components).description
        }
        let names = entries.map { $0["name"]?.stringValue }
        var results = entries.indices.map {
            ToolResult(index: $0, name: names[$0], offeredAs: nil, verdict: .offered, reasons: [])
        }

        var schemaProblems: [SchemaProblem] = []
        for (index, entry) in entries.enumerated() {
            guard let tool = entry.objectValue else { continue }
            for problem in SchemaProblems.problems(tool) {
                schemaProblems.append(
                    SchemaProblem(
                        tool: names[index] ?? "tools[\(index)]", rule: problem.rule,
                        jsonPath: located(index, problem.path), detail: problem.detail))
            }
        }

        // 1. One entry Codex cannot decode loses the whole list.
        let listProblems = entries.enumerated().map { CodexListDecoding.problems($0.element) }
        let rejectedAt = listProblems.indices.filter { !listProblems[$0].isEmpty }
        if !rejectedAt.isEmpty {
            let culprits = rejectedAt.map { index in located(index, .root) }.joined(separator: ", ")
            for index in results.indices {
                if listProblems[index].isEmpty {
                    results[index].reasons = [
                        Reason(
                            rule: .toolsListRejected,
                            detail:
                                "Codex refuses the whole tools/list because of \(culprits), so the server fails to start and none of its tools reach the model",
                            jsonPath: nil)
                    ]
                } else {
                    results[index].reasons = listProblems[index].map {
                        Reason(
                            rule: .toolsListRejected, detail: "\($0.detail); Codex refuses the whole tools/list for it",
                            jsonPath: located(index, $0.path))
                    }
                }
                results[index].verdict = .dropped
            }
            return LintReport(
                serverName: serverName, namespace: namespace, tools: results, schemaProblems: schemaProblems,
                listRejected: true)
        }

        // 2. A repeated name: the first entry stays.
        var firstIndex: [String: Int] = [:]
        var kept: [Int] = []
        for index in entries.indices {
            let name = names[index]!
            if let first = firstIndex[name] {
                results[index].verdict = .dropped
                results[index].reasons.append(
                    Reason(
                        rule: .duplicateName,
                        detail:
                            "\(located(first, .root)) already serves \"\(name)\"; Codex keeps the first and skips this one",
                        jsonPath: located(index, JSONPath.root.appending("name"))))
            } else {
                firstIndex[name] = index
                kept.append(index)
            }
        }

        // 3. Names for every kept tool, then 4. hidden tools and 5. unconvertible schemas leave.
        let assignments = CodexToolNames.assign(server: serverName, names: kept.map { names[$0]! })
        for (position, index) in kept.enumerated() {
            let tool = entries[index].objectValue!
            var drops: [Reason] = []
            if let audiences = CodexVisibility.hidingList(tool) {
                drops.append(
                    Reason(
                        rule: .hiddenFromModel,
                        detail:
                            "_meta.ui.visibility is \(JSONValue.array(audiences).encodedString()), without \"model\": the tool is for an app, not the model",
                        jsonPath: located(index, CodexVisibility.path)))
            }
            for failure in CodexSchemaConversion.failures(inputSchema: tool["inputSchema"]!.objectValue!) {
                drops.append(
                    Reason(
                        rule: .inputSchemaUnconvertible,
                        detail: "\(failure.detail): Codex cannot convert the input schema and skips the tool",
                        jsonPath: located(index, JSONPath([.key("inputSchema")] + failure.path.components))))
            }
            if !drops.isEmpty {
                results[index].verdict = .dropped
                results[index].reasons = drops
                continue
            }
            let assignment = assignments[position]
            results[index].offeredAs = assignment.name
            guard assignment.name != names[index]! || assignment.namespace != namespace else { continue }
            results[index].verdict = .renamed
            let namePath = located(index, JSONPath.root.appending("name"))
            if assignment.sanitized {
                results[index].reasons.append(
                    Reason(
                        rule: .nameSanitized,
                        detail: names[index]!.isEmpty
                            ? "the name is empty, which Codex replaces with _"
                            : "\"\(names[index]!)\" has characters outside A-Z, a-z, 0-9 and _, which Codex replaces with _ (\"\(CodexToolNames.sanitize(names[index]!))\")",
                        jsonPath: namePath))
            }
            if !assignment.collidesWith.isEmpty {
                let others = assignment.collidesWith.map { "\"\(names[kept[$0]]!)\"" }.joined(separator: ", ")
                results[index].reasons.append(
                    Reason(
                        rule: .nameCollision,
                        detail:
                            "\(others) also becomes \"\(CodexToolNames.sanitize(names[index]!))\", so each gets a hash suffix",
                        jsonPath: namePath))
            }
            if let taken = assignment.takenBy {
                results[index].reasons.append(
                    Reason(
                        rule: .nameCollision,
                        detail:
                            "\"\(names[kept[taken]]!)\" is already offered under that name, so this one gets a hash suffix",
                        jsonPath: namePath))
            }
            if assignment.tooLong {
                results[index].reasons.append(
                    Reason(
                        rule: .nameTooLong,
                        detail:
                            "\(namespace)__ plus the name is longer than \(CodexToolNames.maximumLength) bytes, so Codex cuts the name and adds a hash suffix"
                            + (assignment.namespace != namespace
                                ? "; the namespace itself is cut to \(assignment.namespace)" : ""),
                        jsonPath: namePath))
            }
        }
        return LintReport(
            serverName: serverName, namespace: namespace, tools: results, schemaProblems: schemaProblems,
            listRejected: false)
    }
}
