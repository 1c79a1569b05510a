import CodexKit
import ManifestKit
import SmokeCore

/// The two halves joined: what the stack served (the probe's live `tools/list`) and what the real
/// Codex offered its model in a stage (the scripted model saw the request). A served tool Codex
/// did not offer is named with the reason — the acceptance rule it breaks (`render-manifest
/// lint`, derived from the pinned Codex and checked against it) — a tool offered under another
/// name is `renamed`, and an offered tool the stack did not serve means Codex saw another list.
public struct ServedVsOffered: Sendable {
    public struct Hidden: Sendable {
        public var tool: String
        public var rules: [String]
        public var reason: String
    }

    public var hidden: [Hidden] = []
    public var renamed: [(served: String, offered: String)] = []
    public var offeredNotServed: [String] = []

    /// `served` is a live `tools/list` result; `offered` the tools Codex put in front of the model;
    /// `serverName` the stack's key in Codex's config (it names the namespace).
    public static func compare(served: JSONValue, source: String, offered: OfferedTools, serverName: String)
        throws(SmokeError) -> ServedVsOffered
    {
        let lint = try CodexToolsLint.lint(served, source: source, serverName: serverName)
        let namespaceServer = lint.namespace.hasPrefix("mcp__") ? String(lint.namespace.dropFirst(5)) : lint.namespace
        let offeredNames = Set(offered.byServer[namespaceServer] ?? offered.byServer[serverName] ?? offered.allTools)
        var result = ServedVsOffered()
        var accounted = Set<String>()
        for tool in lint.tools {
            guard let name = tool.name else { continue }
            if let predicted = tool.offeredAs, offeredNames.contains(predicted) {
                accounted.insert(predicted)
                if predicted != name { result.renamed.append((name, predicted)) }
            } else if offeredNames.contains(name) {
                accounted.insert(name)
            } else {
                let rules = tool.reasons.map(\.rule.id)
                let reason =
                    tool.reasons.isEmpty
                    ? "Codex did not offer it, and no acceptance rule of Codex \(CodexToolsLint.codexVersion) explains why"
                    : tool.reasons.map { "\($0.rule.id): \($0.detail)" }.joined(separator: "; ")
                result.hidden.append(Hidden(tool: name, rules: rules, reason: reason))
            }
        }
        result.offeredNotServed = offeredNames.subtracting(accounted).sorted()
        return result
    }

    public var fields: [String: JSONValue] {
        [
            "served_not_offered": .array(
                hidden.map {
                    [
                        "tool": .string($0.tool), "rules": .array($0.rules.map(JSONValue.string)),
                        "reason": .string($0.reason),
                    ]
                }),
            "renamed": .array(renamed.map { ["served": .string($0.served), "offered": .string($0.offered)] }),
            "offered_not_served": .array(offeredNotServed.map(JSONValue.string)),
        ]
    }
}
