import SmokeCore

/// What a catalog wait asks for: `--min-tools`, `--require-tool`, `--require-resource`,
/// `--require-prompt` (and the tool of `--call`, which must be listed before it is called).
public struct CatalogRequirements: Sendable, Equatable {
    public var minTools: Int
    public var tools: [String]
    public var resources: [String]
    public var prompts: [String]

    public init(minTools: Int = 0, tools: [String] = [], resources: [String] = [], prompts: [String] = []) {
        self.minTools = minTools
        self.tools = tools
        self.resources = resources
        self.prompts = prompts
    }

    public func required(_ kind: CatalogKind) -> [String] {
        switch kind {
        case .tools: tools
        case .resources: resources
        case .prompts: prompts
        }
    }

    public var isEmpty: Bool { minTools == 0 && tools.isEmpty && resources.isEmpty && prompts.isEmpty }
}

/// One catalog wait: which lists it reads, what each listing showed, and whether that is
/// enough. Tools are always listed; resources and prompts where the server advertises them (a
/// count for the report) or where a name is required of them. A listing that fails only
/// costs its count when nothing was required of it: the tools are what readiness is about.
public struct CatalogWait: Sendable {
    public let requirements: CatalogRequirements
    /// The lists this wait reads, in order (tools first).
    public let kinds: [CatalogKind]
    /// The last complete listing of each kind.
    public private(set) var listings: [CatalogKind: [JSONValue]] = [:]
    /// Why an informational listing (nothing required of it) failed.
    public private(set) var errors: [CatalogKind: String] = [:]

    public init(requirements: CatalogRequirements, capabilities: JSONValue?) {
        self.requirements = requirements
        self.kinds = CatalogKind.allCases.filter { kind in
            kind == .tools || kind.advertised(in: capabilities) || !requirements.required(kind).isEmpty
        }
    }

    /// Whether a failed listing of `kind` fails the wait (else it is only reported).
    public func isRequired(_ kind: CatalogKind) -> Bool {
        kind == .tools || !requirements.required(kind).isEmpty
    }

    public mutating func record(_ kind: CatalogKind, _ items: [JSONValue]) {
        listings[kind] = items
        errors[kind] = nil
    }

    public mutating func recordError(_ kind: CatalogKind, _ message: String) {
        errors[kind] = message
    }

    public func names(_ kind: CatalogKind) -> [String] {
        (listings[kind] ?? []).compactMap { kind.names(of: $0).first }
    }

    public func missing(_ kind: CatalogKind) -> [String] {
        let present = Set((listings[kind] ?? []).flatMap(kind.names(of:)))
        return requirements.required(kind).filter { !present.contains($0) }
    }

    public func satisfied(_ kind: CatalogKind) -> Bool {
        if !isRequired(kind) { return listings[kind] != nil || errors[kind] != nil }
        guard let listing = listings[kind] else { return false }
        if kind == .tools && listing.count < requirements.minTools { return false }
        return missing(kind).isEmpty
    }

    /// The kinds still to (re)list.
    public var pending: [CatalogKind] { kinds.filter { !satisfied($0) } }
    public var done: Bool { pending.isEmpty }

    /// "at least 3; missing grep" for one kind.
    public func wanted(_ kind: CatalogKind) -> String {
        var parts: [String] = []
        if kind == .tools, (listings[.tools]?.count ?? 0) < requirements.minTools {
            parts.append("at least \(requirements.minTools)")
        }
        let missing = missing(kind)
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        return parts.isEmpty ? "nothing more" : parts.joined(separator: "; ")
    }

    /// The error code of an unsatisfied wait: the first unsatisfied kind names it.
    public var failureCode: String? {
        pending.first.map { "\($0.rawValue)_not_ready" }
    }

    /// The report keys: `<kind>_count` for resources and prompts when listed, `<kind>_missing`
    /// for required names not seen, `<kind>_error` for an informational listing that failed.
    /// (Tools keep their own keys: `tools`, `tools_missing`.)
    public func fields(failed: Bool) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for kind in kinds where kind != .tools {
            if let listing = listings[kind] { fields["\(kind.rawValue)_count"] = .int(Int64(listing.count)) }
            if let error = errors[kind] { fields["\(kind.rawValue)_error"] = .string(error) }
            if failed && !requirements.required(kind).isEmpty {
                fields["\(kind.rawValue)_missing"] = .array(missing(kind).map(JSONValue.string))
            }
        }
        return fields
    }
}
