/// The names the pinned Codex gives MCP tools in the model's function list.
///
/// Codex offers an MCP server's tools as one namespace `mcp__<server>` holding one function per
/// tool. Both parts are rewritten to the Responses-API alphabet, names that collide or are too
/// long get a hash suffix, and the raw name is kept for the `tools/call` sent to the server.
/// Source: codex-rs/codex-mcp/src/tools.rs `normalize_tools_for_model_with_prefix`,
/// `callable_namespace_with_prefix`, `unique_callable_parts`, `fit_callable_parts_with_hash`;
/// codex-rs/codex-mcp/src/mcp/mod.rs `sanitize_responses_api_tool_name`. The values below are
/// the pinned binary's (checked by CodexAcceptanceTests): a 128-byte limit and no `-`.
public enum CodexToolNames {
    /// Namespace + delimiter + name may not exceed this many bytes (`MAX_TOOL_NAME_LENGTH`).
    public static let maximumLength = 128
    /// Counted between namespace and name although the model sees them apart (`MCP_TOOL_NAME_DELIMITER`).
    static let delimiterLength = "__".utf8.count
    /// Added to the server name unless it already starts with it (`LEGACY_MCP_TOOL_NAME_PREFIX`).
    static let namespacePrefix = "mcp__"
    /// Hex digits of the SHA-1 kept in a suffix (`CALLABLE_NAME_HASH_LEN`).
    static let hashLength = 12

    /// The name with every character outside `[A-Za-z0-9_]` replaced by `_` (one `_` per Unicode
    /// scalar); an empty name becomes `_`.
    public static func sanitize(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            let keep =
                scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "_")
            result.unicodeScalars.append(keep ? scalar : "_")
        }
        return result.isEmpty ? "_" : result
    }

    /// The namespace the model sees for a server's tools (`mcp__` + the sanitized config key).
    public static func namespace(server: String) -> String {
        let sanitized = sanitize(server)
        return sanitized.hasPrefix(namespacePrefix) ? sanitized : namespacePrefix + sanitized
    }

    /// What Codex hashes for a tool of a plain MCP server: server, namespace (the raw server name),
    /// connector (none), callable name and MCP name, joined by NUL.
    static func rawIdentity(server: String, tool: String) -> String {
        "\(server)\u{0}\(server)\u{0}\u{0}\(tool)\u{0}\(tool)"
    }

    static func hashSuffix(_ identity: String) -> String {
        "_" + SHA1.hex(identity).prefix(hashLength)
    }

    /// The model-visible name of one tool and why it differs from the served one.
    public struct Assignment: Sendable, Equatable {
        public var namespace: String
        public var name: String
        /// Characters were rewritten.
        public var sanitized: Bool
        /// Indexes (into the input) of the other tools whose names became the same name.
        public var collidesWith: [Int]
        /// The model-visible name was already taken by the tool at this index.
        public var takenBy: Int?
        /// Namespace + name exceeded `maximumLength`.
        public var tooLong: Bool
    }

    /// Names for one server's tools, each served name listed once (duplicates are removed before,
    /// as Codex does). Every tool takes part, also those later hidden or refused for their schema:
    /// Codex names them all first.
    public static func assign(server: String, names: [String]) -> [Assignment] {
        let namespace = namespace(server: server)
        let identities = names.map { rawIdentity(server: server, tool: $0) }
        var assignments = names.map { name in
            Assignment(
                namespace: namespace, name: sanitize(name), sanitized: sanitize(name) != name, collidesWith: [],
                takenBy: nil, tooLong: false)
        }
        var groups: [String: [Int]] = [:]
        for (index, assignment) in assignments.enumerated() { groups[assignment.name, default: []].append(index) }
        for members in groups.values where members.count > 1 {
            for index in members {
                assignments[index].collidesWith = members.filter { $0 != index }
                assignments[index].name += hashSuffix(identities[index])
            }
        }
        // Codex settles the final names in the byte order of the raw identities.
        let order = identities.indices.sorted { identities[$0].utf8.lexicographicallyPrecedes(identities[$1].utf8) }
        var used: [String: Int] = [:]
        for index in order {
            let candidate = assignments[index]
            let modelName = candidate.namespace + candidate.name
            if modelName.utf8.count + delimiterLength <= maximumLength, used[modelName] == nil {
                used[modelName] = index
                continue
            }
            if modelName.utf8.count + delimiterLength > maximumLength {
                assignments[index].tooLong = true
            } else {
                assignments[index].takenBy = used[modelName]
            }
            var attempt = 0
            while true {
                let input = attempt == 0 ? identities[index] : "\(identities[index])\u{0}\(attempt)"
                let (fittedNamespace, fittedName) = fit(
                    namespace: candidate.namespace, name: candidate.name, hashInput: input)
                if used[fittedNamespace + fittedName] == nil {
                    used[fittedNamespace + fittedName] = index
                    assignments[index].namespace = fittedNamespace
                    assignments[index].name = fittedName
                    break
                }
                attempt += 1
            }
        }
        return assignments
    }

    /// Cuts the name (or, when even the suffix does not fit beside the namespace, the namespace)
    /// so namespace + delimiter + name ends with the hash suffix at the limit.
    static func fit(namespace: String, name: String, hashInput: String) -> (String, String) {
        let suffix = hashSuffix(hashInput)
        let room = max(0, maximumLength - (namespace.utf8.count + delimiterLength))
        if room >= suffix.count {
            return (namespace, String(name.unicodeScalars.prefix(room - suffix.count)) + suffix)
        }
        let namespaceRoom = max(0, maximumLength - (suffix.count + delimiterLength))
        return (String(namespace.unicodeScalars.prefix(namespaceRoom)), suffix)
    }
}
