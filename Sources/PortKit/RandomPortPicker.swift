import SmokeCore

/// Chooses a port for a new server: the candidates (range minus exclusions) in an order fixed by
/// the seed, the first one that is free now wins. Same seed and same free ports → same port.
public struct RandomPortPicker: Sendable {
    public static let defaultRange = 18000...24000
    public static let defaultExcluded = [8080, 9090, 9091]
    /// Upper bound on ports tried, so a crowded range fails in bounded time.
    public static let defaultMaxAttempts = 256

    public var range: ClosedRange<Int>
    public var excluded: [Int]
    public var seed: UInt64
    public var maxAttempts: Int

    public init(
        range: ClosedRange<Int> = defaultRange, excluded: [Int] = defaultExcluded, seed: UInt64,
        maxAttempts: Int = defaultMaxAttempts
    ) {
        self.range = range
        self.excluded = excluded
        self.seed = seed
        self.maxAttempts = maxAttempts
    }

    public var candidates: [Int] {
        let skip = Set(excluded)
        return range.filter { !skip.contains($0) }
    }

    /// The order in which candidates are tried (a seeded permutation).
    public var order: [Int] {
        var generator = SplitMix64(seed: seed)
        return generator.shuffled(candidates)
    }

    public struct Pick: Sendable {
        /// The chosen port and its inspection, nil when no tried port was free.
        public var status: PortStatus?
        /// Ports tried and found busy, in the order tried.
        public var busy: [Int]
        public var attempts: Int
    }

    public func pick(
        inspect: (Int) -> PortStatus = { PortStatus.inspect(port: $0) }
    ) -> Pick {
        var busy: [Int] = []
        for port in order.prefix(maxAttempts) {
            let status = inspect(port)
            if status.free { return Pick(status: status, busy: busy, attempts: busy.count + 1) }
            busy.append(port)
        }
        return Pick(status: nil, busy: busy, attempts: busy.count)
    }
}
