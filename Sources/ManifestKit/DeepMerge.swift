import SmokeCore

/// Stelae's merge of catalog fragments: objects merge key by key, lists concatenate, scalars
/// (and a change of type) replace. Concatenation is what can double schema arrays; the runtime
/// export repairs that with `ArrayDedupe`.
public enum DeepMerge {
    public static func merge(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
        switch (base, overlay) {
        case (.object(let left), .object(let right)):
            return .object(merge(left, right))
        case (.array(let left), .array(let right)):
            return .array(left + right)
        default:
            return overlay
        }
    }

    public static func merge(_ base: [String: JSONValue], _ overlay: [String: JSONValue]) -> [String: JSONValue] {
        var result = base
        for (key, value) in overlay {
            if let existing = result[key] { result[key] = merge(existing, value) } else { result[key] = value }
        }
        return result
    }

    /// The proxy template overlay: objects merge, anything else (lists included) replaces, so an
    /// overlay that sets a server's `args` replaces them instead of appending a second copy.
    public static func overlayTemplate(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
        guard case .object(let left) = base, case .object(let right) = overlay else { return overlay }
        var result = left
        for (key, value) in right {
            if let existing = result[key] {
                result[key] = overlayTemplate(existing, value)
            } else {
                result[key] = value
            }
        }
        return .object(result)
    }
}
