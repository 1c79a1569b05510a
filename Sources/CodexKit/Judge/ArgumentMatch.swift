import SmokeCore

/// How an expectation's `arguments` match a call's: objects by subset (every expected key present
/// and matching, extra keys allowed), everything else equal. Integers and doubles compare by value,
/// so `1` matches `1.0`.
public enum ArgumentMatch {
    public static func matches(expected: JSONValue, actual: JSONValue) -> Bool {
        switch (expected, actual) {
        case (.object(let want), .object(let have)):
            return want.allSatisfy { key, value in
                guard let other = have[key] else { return false }
                return matches(expected: value, actual: other)
            }
        case (.array(let want), .array(let have)):
            return want.count == have.count && zip(want, have).allSatisfy { equal($0, $1) }
        default:
            return equal(expected, actual)
        }
    }

    /// Exact equality, but numeric across int/double.
    static func equal(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        default:
            return left == right
        }
    }
}
