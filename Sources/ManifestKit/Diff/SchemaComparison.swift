import SmokeCore

/// Compares two JSON Schemas of one tool (its `inputSchema` or its `outputSchema`) keyword by
/// keyword and names every change. The same difference means opposite things on the two sides:
/// an input that accepts less refuses calls that used to work (breaking), an output that promises
/// less is what a reader of the old result relied on (breaking). `Role` makes that choice; the
/// comparison itself is shared.
struct SchemaComparison {
    enum Role {
        case input
        case output
    }

    /// What happened, before the role decides how it is called and whether it breaks.
    enum Event {
        case propertyRemoved, requiredPropertyAdded, optionalPropertyAdded, becameRequired, becameOptional
        case typeNarrowed, typeWidened, typeChanged
        case enumValueRemoved, enumValueAdded, enumAdded, enumDropped
        case tightened, loosened, closed, opened, variantRemoved, variantAdded
    }

    let role: Role
    let tool: String
    private(set) var changes: [SurfaceChange] = []

    init(role: Role, tool: String) {
        self.role = role
        self.tool = tool
    }

    func kind(_ event: Event) -> SurfaceChange.Kind {
        switch (role, event) {
        case (.input, .propertyRemoved): .propertyRemoved
        case (.input, .requiredPropertyAdded): .requiredArgumentAdded
        case (.input, .optionalPropertyAdded): .optionalArgumentAdded
        case (.input, .becameRequired): .argumentBecameRequired
        case (.input, .becameOptional): .argumentBecameOptional
        case (.input, .typeNarrowed): .typeNarrowed
        case (.input, .typeWidened): .typeWidened
        case (.input, .typeChanged): .typeChanged
        case (.input, .enumValueRemoved): .enumValueRemoved
        case (.input, .enumValueAdded), (.input, .enumDropped): .enumWidened
        case (.input, .enumAdded): .enumAdded
        case (.input, .tightened): .constraintTightened
        case (.input, .loosened): .constraintLoosened
        case (.input, .closed): .additionalPropertiesClosed
        case (.input, .opened): .additionalPropertiesOpened
        case (.input, .variantRemoved): .variantRemoved
        case (.input, .variantAdded): .variantAdded
        case (.output, .propertyRemoved): .outputPropertyRemoved
        case (.output, .requiredPropertyAdded), (.output, .optionalPropertyAdded): .outputPropertyAdded
        case (.output, .becameRequired): .outputPropertyBecameRequired
        case (.output, .becameOptional): .outputPropertyBecameOptional
        case (.output, .typeNarrowed): .outputTypeNarrowed
        case (.output, .typeWidened): .outputTypeWidened
        case (.output, .typeChanged): .outputTypeChanged
        case (.output, .enumValueRemoved): .outputEnumValueRemoved
        case (.output, .enumValueAdded), (.output, .enumDropped): .outputEnumWidened
        case (.output, .enumAdded): .outputEnumAdded
        case (.output, .tightened): .outputConstraintTightened
        case (.output, .loosened): .outputConstraintLoosened
        case (.output, .closed): .outputAdditionalPropertiesClosed
        case (.output, .opened): .outputAdditionalPropertiesOpened
        case (.output, .variantRemoved): .outputVariantRemoved
        case (.output, .variantAdded): .outputVariantAdded
        }
    }

    private mutating func record(_ event: Event, _ path: JSONPath, before: JSONValue? = nil, after: JSONValue? = nil) {
        recordKind(kind(event), path, before: before, after: after)
    }

    private mutating func recordKind(
        _ kind: SurfaceChange.Kind, _ path: JSONPath, before: JSONValue? = nil, after: JSONValue? = nil
    ) {
        changes.append(SurfaceChange(tool: tool, kind: kind, jsonPath: path, before: before, after: after))
    }

    // MARK: Keywords

    /// Lower bounds: a larger value (or a new bound) accepts less.
    static let lowerBounds: Set<String> = [
        "minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains",
    ]
    /// Upper bounds: a smaller value (or a new bound) accepts less.
    static let upperBounds: Set<String> = [
        "maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains",
    ]
    /// Constraints whose change cannot be ordered: new or changed accepts less (a value the old one
    /// allowed may be refused), removed accepts more.
    static let exactConstraints: Set<String> = ["pattern", "format", "const", "multipleOf"]
    /// Validation keywords this comparison does not reason about: any change is `schema_changed`
    /// (breaking, since it cannot be shown harmless).
    static let opaqueValidation: Set<String> = [
        "not", "if", "then", "else", "dependentRequired", "dependentSchemas", "dependencies", "patternProperties",
        "propertyNames", "contains", "prefixItems", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
    ]
    /// Handled before the other keywords, in this order.
    static let leading = ["type", "enum", "properties", "required"]

    /// The JSON types JSON Schema knows; `integer` is a subset of `number`.
    static let allTypes: Set<String> = ["null", "boolean", "object", "array", "string", "number"]

    // MARK: Comparison

    /// A boolean schema as its object form: `true` accepts anything (`{}`), `false` nothing.
    static func schemaObject(_ value: JSONValue) -> [String: JSONValue]? {
        switch value {
        case .object(let object): object
        case .bool(true): [:]
        case .bool(false): ["not": [:]]
        default: nil
        }
    }

    mutating func compare(_ base: JSONValue, _ head: JSONValue, at path: JSONPath) {
        if base == head { return }
        guard let old = Self.schemaObject(base), let new = Self.schemaObject(head) else {
            recordKind(.schemaChanged, path, before: base, after: head)
            return
        }
        compareType(old["type"], new["type"], at: path.appending("type"))
        compareEnum(old["enum"], new["enum"], at: path.appending("enum"))
        compareMembers(old, new, at: path)
        let others = Set(old.keys).union(new.keys).subtracting(Self.leading).sorted()
        for key in others where old[key] != new[key] {
            compareKeyword(key, old[key], new[key], at: path.appending(key))
        }
    }

    private mutating func compareKeyword(_ key: String, _ old: JSONValue?, _ new: JSONValue?, at path: JSONPath) {
        switch key {
        case "items", "additionalProperties":
            compareSubschema(old, new, at: path, members: key == "additionalProperties")
        case "anyOf", "oneOf", "allOf":
            compareSchemaList(old, new, at: path, allOf: key == "allOf")
        case "$ref":
            recordKind(.referenceChanged, path, before: old, after: new)
        case "$defs", "definitions":
            compareDefinitions(old, new, at: path)
        case "description", "title":
            recordKind(.descriptionChanged, path, before: old, after: new)
        case "default":
            recordKind(.defaultChanged, path, before: old, after: new)
        case "uniqueItems":
            let wasUnique = old == .bool(true)
            let isUnique = new == .bool(true)
            if wasUnique != isUnique { record(isUnique ? .tightened : .loosened, path, before: old, after: new) }
        case _ where Self.lowerBounds.contains(key) || Self.upperBounds.contains(key):
            compareBound(key, old, new, at: path)
        case _ where Self.exactConstraints.contains(key):
            record(new == nil ? .loosened : .tightened, path, before: old, after: new)
        case _ where Self.opaqueValidation.contains(key):
            recordKind(.schemaChanged, path, before: old, after: new)
        default:
            recordKind(.schemaAnnotationChanged, path, before: old, after: new)
        }
    }

    /// `type` as a set of names; nil means any type (absent, or not a string or list of strings).
    static func types(_ value: JSONValue?) -> Set<String>? {
        switch value {
        case .string(let name)?: [name]
        case .array(let names)?:
            names.allSatisfy { $0.stringValue != nil } ? Set(names.compactMap(\.stringValue)) : nil
        default: nil
        }
    }

    /// Does a value of every type in `inner` also match `outer`?
    static func covers(_ outer: Set<String>?, _ inner: Set<String>?) -> Bool {
        guard let outer else { return true }
        guard let inner else { return allTypes.isSubset(of: outer) }
        return inner.allSatisfy { outer.contains($0) || ($0 == "integer" && outer.contains("number")) }
    }

    private mutating func compareType(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPath) {
        if old == new { return }
        let before = Self.types(old)
        let after = Self.types(new)
        let headCoversBase = Self.covers(after, before)
        let baseCoversHead = Self.covers(before, after)
        if headCoversBase && baseCoversHead { return }  // the same set written differently
        let event: Event = baseCoversHead ? .typeNarrowed : headCoversBase ? .typeWidened : .typeChanged
        record(event, path, before: old, after: new)
    }

    private mutating func compareEnum(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPath) {
        if old == new { return }
        switch (old, new) {
        case (.array(let before)?, .array(let after)?):
            let beforeSet = Set(before)
            let afterSet = Set(after)
            for value in Self.unique(before) where !afterSet.contains(value) {
                record(.enumValueRemoved, path, before: value)
            }
            for value in Self.unique(after) where !beforeSet.contains(value) {
                record(.enumValueAdded, path, after: value)
            }
        case (.array?, nil):
            record(.enumDropped, path, before: old)
        case (nil, .array?):
            record(.enumAdded, path, after: new)
        default:
            recordKind(.schemaChanged, path, before: old, after: new)
        }
    }

    static func unique(_ values: [JSONValue]) -> [JSONValue] {
        var seen = Set<JSONValue>()
        return values.filter { seen.insert($0).inserted }
    }

    /// `properties` and `required` together: an added property is required or optional by the
    /// head's `required`; a property in both sides may change between the two.
    private mutating func compareMembers(_ old: [String: JSONValue], _ new: [String: JSONValue], at path: JSONPath) {
        for key in ["properties", "required"] {
            if let value = old[key] ?? new[key], value.objectValue == nil, value.arrayValue == nil,
                old[key] != new[key]
            {
                recordKind(.schemaChanged, path.appending(key), before: old[key], after: new[key])
                return
            }
        }
        let before = old["properties"]?.objectValue ?? [:]
        let after = new["properties"]?.objectValue ?? [:]
        let requiredBefore = Set(old["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let requiredAfter = Set(new["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let properties = path.appending("properties")
        for name in Set(before.keys).union(after.keys).sorted() {
            let at = properties.appending(name)
            switch (before[name], after[name]) {
            case (let old?, nil):
                record(.propertyRemoved, at, before: old)
            case (nil, let new?):
                record(requiredAfter.contains(name) ? .requiredPropertyAdded : .optionalPropertyAdded, at, after: new)
            case (let old?, let new?):
                if requiredBefore.contains(name) != requiredAfter.contains(name) {
                    let required = requiredAfter.contains(name)
                    record(
                        required ? .becameRequired : .becameOptional, at,
                        before: required ? "optional" : "required", after: required ? "required" : "optional")
                }
                compare(old, new, at: at)
            case (nil, nil):
                break
            }
        }
        // Names required without a declared property.
        let declared = Set(before.keys).union(after.keys)
        let required = path.appending("required")
        for name in requiredAfter.subtracting(requiredBefore).subtracting(declared).sorted() {
            record(.becameRequired, required, after: .string(name))
        }
        for name in requiredBefore.subtracting(requiredAfter).subtracting(declared).sorted() {
            record(.becameOptional, required, before: .string(name))
        }
    }

    /// `items` or `additionalProperties`: absent or `true` allows anything, `false` nothing,
    /// an object schema what it says (compared as a schema). A tuple-form `items` list is compared
    /// as a whole. Closing `additionalProperties` is `additional_properties_closed`; closing
    /// `items` (no item allowed) a tightened constraint.
    private mutating func compareSubschema(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPath, members: Bool) {
        switch (old ?? true, new ?? true) {
        case (.bool(true), .bool(false)), (.object, .bool(false)):
            record(members ? .closed : .tightened, path, before: old, after: new)
        case (.bool(false), .bool(true)), (.bool(false), .object):
            record(members ? .opened : .loosened, path, before: old, after: new)
        case (let before, let after) where Self.schemaObject(before) != nil && Self.schemaObject(after) != nil:
            compare(before, after, at: path)
        default:
            recordKind(.schemaChanged, path, before: old, after: new)
        }
    }

    /// A list of schemas, `anyOf`/`oneOf` (`allOf: false`) or `allOf` (`allOf: true`). Members are
    /// compared as whole values; one member changed in place (one removed, one added) is compared
    /// as a schema. A variant in the base only is a value the head may refuse and one in the head
    /// only a value it now allows; an `allOf` member must hold, so a new one restricts and a
    /// removed one frees. A list that appears restricts the schema; one that disappears frees it.
    private mutating func compareSchemaList(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPath, allOf: Bool) {
        switch (old, new) {
        case (.array(let before)?, .array(let after)?):
            let removed = Self.unmatched(before, in: after)
            let added = Self.unmatched(after, in: before)
            if removed.count == 1, added.count == 1 {
                compare(before[removed[0]], after[added[0]], at: path.appending(index: added[0]))
                return
            }
            let removedEvent: Event = allOf ? .loosened : .variantRemoved
            let addedEvent: Event = allOf ? .tightened : .variantAdded
            for index in removed { record(removedEvent, path.appending(index: index), before: before[index]) }
            for index in added { record(addedEvent, path.appending(index: index), after: after[index]) }
        case (nil, .array?):
            record(.tightened, path, after: new)
        case (.array?, nil):
            record(.loosened, path, before: old)
        default:
            recordKind(.schemaChanged, path, before: old, after: new)
        }
    }

    /// Indexes of `values` with no equal member left in `other` (matched one to one, so a
    /// repeated branch counts).
    static func unmatched(_ values: [JSONValue], in other: [JSONValue]) -> [Int] {
        var available: [JSONValue: Int] = [:]
        for value in other { available[value, default: 0] += 1 }
        var result: [Int] = []
        for (index, value) in values.enumerated() {
            if let count = available[value], count > 0 {
                available[value] = count - 1
            } else {
                result.append(index)
            }
        }
        return result
    }

    /// `$defs` / `definitions`: a definition in both is compared; a removed one is
    /// `schema_changed` (a `$ref` may still name it); an added one is not a change by itself.
    private mutating func compareDefinitions(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPath) {
        guard let before = (old ?? [:]).objectValue, let after = (new ?? [:]).objectValue else {
            recordKind(.schemaChanged, path, before: old, after: new)
            return
        }
        for name in Set(before.keys).union(after.keys).sorted() {
            switch (before[name], after[name]) {
            case (let old?, let new?): compare(old, new, at: path.appending(name))
            case (let old?, nil): recordKind(.schemaChanged, path.appending(name), before: old)
            default: break
            }
        }
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: nil
        }
    }

    private mutating func compareBound(_ key: String, _ old: JSONValue?, _ new: JSONValue?, at path: JSONPath) {
        let event: Event
        if new == nil {
            event = .loosened
        } else if old == nil {
            event = .tightened
        } else if let before = Self.number(old), let after = Self.number(new) {
            if before == after { return }
            let raised = after > before
            event = Self.lowerBounds.contains(key) == raised ? .tightened : .loosened
        } else {
            // draft-4 boolean exclusiveMinimum/Maximum and other odd values: a change may refuse.
            event = .tightened
        }
        record(event, path, before: old, after: new)
    }
}
