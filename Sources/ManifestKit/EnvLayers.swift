import SmokeCore

/// One source of variables, lowest first: process env, fallback env, env file, overlay env,
/// `--set`, then (below everything) the renderer's built-ins.
public struct EnvLayer: Sendable {
    public var source: String
    public var values: [(key: String, value: String)]
    /// Process values were expanded by the shell that set them; file and `--set` values may
    /// still hold `${VAR}` references.
    public var expands: Bool

    public init(source: String, values: [(key: String, value: String)], expands: Bool = true) {
        self.source = source
        self.values = values
        self.expands = expands
    }

    public init(source: String, dictionary: [String: String], expands: Bool) {
        self.init(
            source: source, values: dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, expands: expands)
    }
}

/// The merged variables with `${VAR}` references expanded recursively.
public struct ResolvedEnvironment: Sendable {
    public var values: [String: String]
    /// Which layer gave each variable its final value.
    public var origin: [String: String]

    public subscript(name: String) -> String? { values[name] }

    /// How many `${…}` references may nest (a real .env needs a handful).
    public static let maximumExpansionDepth = 64
    /// The largest value `${…}` expansion may build (a literal value may be larger).
    public static let maximumExpandedBytes = 16 << 20

    /// Later layers win. A `${NAME}` naming no variable, or a cycle, is an error naming the
    /// variable and the file whose value holds the reference.
    public static func resolve(_ layers: [EnvLayer]) throws(SmokeError) -> ResolvedEnvironment {
        var raw: [String: (value: String, source: String, expands: Bool)] = [:]
        for layer in layers {
            for (key, value) in layer.values { raw[key] = (value, layer.source, layer.expands) }
        }
        var resolved: [String: String] = [:]
        var origin: [String: String] = [:]

        func expand(_ name: String, chain: [String]) throws(SmokeError) -> String {
            if let done = resolved[name] { return done }
            // Each level is a stack frame: a hostile chain A0=${A1}, A1=${A2}, … overflowed the stack.
            guard chain.count < Self.maximumExpansionDepth else {
                throw SmokeError(
                    .variableTooDeep,
                    "\(raw[name]?.source ?? "env"): ${…} references nest deeper than \(Self.maximumExpansionDepth) levels (\(chain.first ?? name) -> … -> \(name))",
                    fields: ["variable": .string(chain.first ?? name), "file": .string(raw[name]?.source ?? "env")])
            }
            guard let entry = raw[name] else { preconditionFailure("expand is called for known names only") }
            guard entry.expands, entry.value.contains("${") else {
                resolved[name] = entry.value
                return entry.value
            }
            var output = ""
            var rest = Substring(entry.value)
            while let start = rest.range(of: "${") {
                output += rest[..<start.lowerBound]
                guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                    output += rest[start.lowerBound...]
                    rest = ""
                    break
                }
                let reference = String(rest[start.upperBound..<end])
                rest = rest[rest.index(after: end)...]
                if chain.contains(reference) || reference == name {
                    let cycle = (chain + [name, reference]).drop { $0 != reference }.joined(separator: " -> ")
                    throw SmokeError(
                        .variableCycle, "\(entry.source): ${\(reference)} expands to itself (\(cycle))",
                        fields: ["variable": .string(reference), "file": .string(entry.source)])
                }
                guard raw[reference] != nil else {
                    throw SmokeError(
                        .unknownVariable,
                        "\(entry.source): \(name) refers to ${\(reference)}, which no env layer defines",
                        fields: ["variable": .string(reference), "file": .string(entry.source)])
                }
                output += try expand(reference, chain: chain + [name])
                // A=${B}${B}, B=${C}${C}, … doubles at every level: 40 lines asked for terabytes.
                guard output.utf8.count <= Self.maximumExpandedBytes else {
                    throw SmokeError(
                        .variableTooLarge,
                        "\(entry.source): \(name) expands to more than \(Self.maximumExpandedBytes >> 20) MiB",
                        fields: ["variable": .string(name), "file": .string(entry.source)])
                }
            }
            output += rest
            resolved[name] = output
            return output
        }

        for name in raw.keys.sorted() {
            _ = try expand(name, chain: [])
            origin[name] = raw[name]!.source
        }
        return ResolvedEnvironment(values: resolved, origin: origin)
    }
}
