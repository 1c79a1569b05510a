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

    /// First occurrences, in order (JSON values hash by content, object keys in any order).
    static func unique(_ items: [JSONValue]) -> [JSONValue] {
        guard items.count > 1 else { return items }
        var seen = Set<JSONValue>()
        return items.filter { seen.insert($0).inserted }
    }

    /// True when any array in `value` (by the rules above) has a duplicate: a render must never
    /// produce one; tests and `--check-only` use it.
    public static func hasDuplicates(_ value: JSONValue) -> Bool { dedupe(value) != value }
}
