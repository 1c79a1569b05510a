import SmokeCore

/// Removes the duplicates that list concatenation leaves in schemas and overrides.
///
/// Every array anywhere in the document keeps the first occurrence of each item, in order
/// (items compared as JSON values, so `{"a":1,"b":2}` equals `{"b":2,"a":1}`): `enum`,
/// `required`, `anyOf`, `oneOf`, `allOf`, `type`, `aliases`, `examples`, operation lists and any
/// other list. Left alone, because there a repeated item is meaningful data rather than a
/// doubled merge: the values of `default` and `const` (and everything inside them), the items of
/// an `enum` (an enum member may itself be a list), and the positional tuple forms `prefixItems`
/// and array-valued `items` (their members are deduped inside). Keys of `properties`, `$defs`,
/// `servers`, `tools` and similar maps are names, never read as the keywords above.
public enum ArrayDedupe {
    static let untouchedKeys: Set<String> = ["default", "const"]
    static let positionalKeys: Set<String> = ["prefixItems", "items"]
    /// Objects whose keys are names (a property called `default`, a tool called `items`), not keywords.
    static let nameMapKeys: Set<String> = [
        "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "servers", "tools",
    ]

    public static func dedupe(_ value: JSONValue) -> JSONValue {
        deduped(value) ?? value
    }

    /// The deduplicated value, or nil when nothing changed: unchanged subtrees (nearly all of
    /// them) are never rebuilt.
    static func deduped(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let object):
            var result: [String: JSONValue]? = nil
            for (key, item) in object {
                let replacement: JSONValue?
                if nameMapKeys.contains(key), case .object(let named) = item {
                    var changedNamed: [String: JSONValue]? = nil
                    for (name, schema) in named {
                        if let new = deduped(schema) {
                            if changedNamed == nil { changedNamed = named }
                            changedNamed![name] = new
                        }
                    }
                    replacement = changedNamed.map { .object($0) }
                } else if untouchedKeys.contains(key) {
                    replacement = nil
                } else if key == "enum", case .array(let members) = item {
                    let unique = unique(members)
                    replacement = unique.count == members.count ? nil : .array(unique)
                } else if positionalKeys.contains(key), case .array(let members) = item {
                    replacement = dedupedMembers(members).map { .array($0) }
                } else {
                    replacement = deduped(item)
                }
                if let replacement {
                    if result == nil { result = object }
                    result![key] = replacement
                }
            }
            return result.map { .object($0) }
        case .array(let items):
            let members = dedupedMembers(items)
            let base = members ?? items
            let unique = unique(base)
            if unique.count == base.count { return members.map { .array($0) } }
            return .array(unique)
        default:
            return nil
        }
    }

    /// Each member deduplicated inside (the list itself keeps its length); nil when unchanged.
    private static func dedupedMembers(_ items: [JSONValue]) -> [JSONValue]? {
        var result: [JSONValue]? = nil
        for (index, item) in items.enumerated() {
            if let new = deduped(item) {
                if result == nil { result = items }
                result![index] = new
            }
        }
        return result
    }

    /// First occurrences, in order. Short lists compare pairwise; long ones (a catalog's
    /// aggregates) bucket by a shallow fingerprint first, so no item is hashed to its leaves.
    static func unique(_ items: [JSONValue]) -> [JSONValue] {
        guard items.count > 1 else { return items }
        var result: [JSONValue] = []
        result.reserveCapacity(items.count)
        if items.count <= 16, items.allSatisfy(\.isScalar) {
            for item in items where !result.contains(item) { result.append(item) }
            return result
        }
        if items.count <= 16 {
            var fingerprints: [Int] = []
            for item in items {
                let fingerprint = shallowFingerprint(item)
                let seen = fingerprints.indices.contains { fingerprints[$0] == fingerprint && result[$0] == item }
                if !seen {
                    fingerprints.append(fingerprint)
                    result.append(item)
                }
            }
            return result
        }
        var buckets: [Int: [Int]] = [:]
        for item in items {
            let fingerprint = shallowFingerprint(item)
            if let candidates = buckets[fingerprint], candidates.contains(where: { result[$0] == item }) { continue }
            buckets[fingerprint, default: []].append(result.count)
            result.append(item)
        }
        return result
    }

    /// Equal values have equal fingerprints: scalars hash themselves, containers their size and
    /// their scalar members (object keys included), not their nested containers.
    static func shallowFingerprint(_ value: JSONValue) -> Int {
        var hasher = Hasher()
        switch value {
        case .array(let items):
            hasher.combine(1)
            hasher.combine(items.count)
            for item in items { combineScalar(item, into: &hasher) }
        case .object(let object):
            // Order-independent, as dictionary order is.
            var sum = 0
            for (key, item) in object {
                var inner = Hasher()
                inner.combine(key)
                combineScalar(item, into: &inner)
                sum &+= inner.finalize()
            }
            hasher.combine(2)
            hasher.combine(object.count)
            hasher.combine(sum)
        default:
            hasher.combine(value)
        }
        return hasher.finalize()
    }

    private static func combineScalar(_ value: JSONValue, into hasher: inout Hasher) {
        switch value {
        case .array: hasher.combine(3)
        case .object: hasher.combine(4)
        default: hasher.combine(value)
        }
    }

    /// True when any array in `value` (by the rules above) has a duplicate: a render must never
    /// produce one; tests and `--check-only` use it.
    public static func hasDuplicates(_ value: JSONValue) -> Bool { dedupe(value) != value }
}

extension JSONValue {
    fileprivate var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}
