/// A small seeded generator (SplitMix64): tiny and the same on every platform, so a printed
/// seed replays a run (port choice, backoff jitter, random test trees). Its own bounded draw
/// matters where output must stay stable across releases: Swift's `random(in:using:)` may change
/// its algorithm, which would make `--seed N` choose another port.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (rejection sampling, no modulo bias). `bound` must be > 0.
    public mutating func next(below bound: UInt64) -> UInt64 {
        let threshold = (0 &- bound) % bound
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }

    /// A Fisher–Yates shuffle driven by this generator.
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var result = items
        var index = result.count - 1
        while index > 0 {
            let other = Int(next(below: UInt64(index + 1)))
            result.swapAt(index, other)
            index -= 1
        }
        return result
    }
}
