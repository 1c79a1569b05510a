import SmokeCore

/// The flags of `port-preflight` as given: strings, so that every bad value becomes a JSON error
/// with its own code (`invalid_port`, `invalid_range`, ...) rather than a generic usage error.
/// `request()` checks them all, before anything on the machine is looked at.
public struct PreflightFlags: Sendable {
    public static let defaultGrace = Duration.seconds(2)

    public var port: String?
    public var kill = false
    public var force = false
    /// `--grace SEC`, or the older `--grace-ms MS`; not both.
    public var grace: String?
    public var graceMs: String?
    public var random = false
    public var range: String?
    public var exclude: String?
    public var seed: String?

    public init(
        port: String? = nil, kill: Bool = false, force: Bool = false, grace: String? = nil, graceMs: String? = nil,
        random: Bool = false,
        range: String? = nil, exclude: String? = nil, seed: String? = nil
    ) {
        self.port = port
        self.kill = kill
        self.force = force
        self.grace = grace
        self.graceMs = graceMs
        self.random = random
        self.range = range
        self.exclude = exclude
        self.seed = seed
    }

    /// Which flags go together is checked before any value, so a misplaced flag is named as such.
    public func request() throws(SmokeError) -> PreflightRequest {
        try validateCombination()
        if random { return .random(try randomPicker()) }
        let port = try PortInput.port(port ?? "")
        guard kill else { return .check(port: port) }
        let wait =
            if let grace { try PortInput.graceSeconds(grace) } else if let graceMs {
                try PortInput.graceMilliseconds(graceMs)
            } else { Self.defaultGrace }
        return .clear(port: port, force: force, grace: wait)
    }

    func validateCombination() throws(SmokeError) {
        func conflict(_ message: String) -> SmokeError {
            SmokeError(.conflictingOptions, message, hint: "run `port-preflight --help` for usage")
        }
        if random {
            if port != nil { throw conflict("--port and --random exclude each other") }
            if kill || force || grace != nil || graceMs != nil {
                throw conflict("--kill, --force and --grace apply to --port, not to --random")
            }
        } else {
            guard port != nil else {
                throw SmokeError(.missingPort, "give --port N to check a port or --random to pick one")
            }
            if range != nil || exclude != nil || seed != nil {
                throw conflict("--range, --exclude and --seed apply to --random, not to --port")
            }
            if !kill && (force || grace != nil || graceMs != nil) {
                throw conflict("--force and --grace only apply together with --kill")
            }
            if grace != nil && graceMs != nil { throw conflict("--grace and --grace-ms exclude each other") }
        }
    }

    func randomPicker() throws(SmokeError) -> RandomPortPicker {
        let range =
            try range.map { text throws(SmokeError) in try PortInput.range(text) }
            ?? RandomPortPicker.defaultRange
        let excluded =
            try exclude.map { text throws(SmokeError) in try PortInput.excludeList(text) }
            ?? RandomPortPicker.defaultExcluded
        // Without --seed a fresh seed is drawn and reported, so any run can be replayed.
        let seed =
            try seed.map { text throws(SmokeError) in try PortInput.seed(text) }
            ?? UInt64.random(in: 0...UInt64(Int64.max))
        let picker = RandomPortPicker(range: range, excluded: excluded, seed: seed)
        guard !picker.candidates.isEmpty else {
            throw SmokeError(
                .invalidRange, "--range \(range.lowerBound)-\(range.upperBound) has no port left after --exclude")
        }
        return picker
    }
}
