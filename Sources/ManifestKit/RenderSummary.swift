import SmokeCore

extension RenderPlan {
    /// The tool-specific keys of `render-manifest render`'s JSON answer.
    public func summary(changed: Bool, checkOnly: Bool, seeded: [String] = []) -> [String: JSONValue] {
        [
            "outputs": .object(outputs.json.mapValues { .string($0) }),
            "tools": .array(manifest.names.map { .string($0) }),
            "aggregates": .array(aggregates.map { .string($0) }),
            "hidden": .array(hidden.map { .string($0) }),
            "changed": .bool(changed),
            "check_only": .bool(checkOnly),
            "warnings": .array(warnings.map { .string($0) }),
            "fragments": .array(fragments.map { .string($0) }),
            "port": .int(Int64(port)),
            "config_home": .string(configHome),
            "state_home": .string(stateHome),
            "hardcoded_ports": .array(
                hardcodedPorts.map { finding in
                    var json = finding.json.objectValue ?? [:]
                    json["fatal"] = .bool(finding.isFatal(renderPort: port))
                    return .object(json)
                }),
            "hidden_servers": .array(hiddenServers.map { ["server": .string($0.server), "flag": .string($0.flag)] }),
            "seeded": .array(seeded.map { .string($0) }),
            "user_overrides": userOverrides.map { .string($0) } ?? .null,
        ]
    }
}

extension DriftReport {
    /// The tool-specific keys of `render-manifest drift`'s JSON answer.
    public var summary: [String: JSONValue] {
        [
            "missing": .array(missing.map { .string($0) }),
            "extra": .array(extra.map { .string($0) }),
            "expected_count": .int(Int64(expected.count)),
            "live_count": .int(Int64(live.count)),
        ]
    }

    /// Exit 1 with `error.code` "drift" when the live listing differs from the manifest.
    public var error: SmokeError? {
        guard drifted else { return nil }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !extra.isEmpty { parts.append("extra \(extra.joined(separator: ", "))") }
        return SmokeError(
            .drift, "the live tools/list differs from the curated manifest: \(parts.joined(separator: "; "))")
    }
}
