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
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(object.count)
            for (key, item) in object {
                if nameMapKeys.contains(key), case .object(let named) = item {
                    result[key] = .object(named.mapValues(dedupe))
                } else if untouchedKeys.contains(key) {
                    result[key] = item
                } else if key == "enum", case .array(let members) = item {
                    result[key] = .array(unique(members))
                } else if positionalKeys.contains(key), case .array(let members) = item {
                    result[key] = .array(members.map(dedupe))
                } else {
                    result[key] = dedupe(item)
                }
            }
            return .object(result)
        case .array(let items):
            return .array(unique(items.map(dedupe)))
        default:
            return value
        }
    }

    /// First occurrences, in order.
    static func unique(_ items: [JSONValue]) -> [JSONValue] {
        guard items.count > 1 else { return items }
        var seen = Set<JSONValue>()
        seen.reserveCapacity(items.count)
        return items.filter { seen.insert($0).inserted }
    }

    /// True when any array in `value` (by the rules above) has a duplicate: a render must never
    /// produce one; tests and `--check-only` use it.
    public static func hasDuplicates(_ value: JSONValue) -> Bool { dedupe(value) != value }
}
