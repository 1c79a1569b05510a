/// Exponential backoff with jitter: the n-th retry waits `initial * 2^(n-1)` capped at `max`,
/// scaled by a random factor in [0.5, 1] so restarted clients do not retry in lockstep.
/// A server's `Retry-After` raises the wait, never lowers it. The caller clamps to the deadline.
public struct Backoff: Sendable {
    public var initial: Duration
    public var max: Duration
    private var random: @Sendable () -> Double
    private(set) var retries = 0

    /// `random` returns values in [0, 1); tests pass a seeded source.
    public init(
        initial: Duration, max: Duration, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initial = initial
        self.max = Swift.max(max, .zero)
        self.random = random
    }

    /// The wait before the next attempt.
    public mutating func nextDelay(retryAfter: Duration? = nil) -> Duration {
        retries += 1
        let exponent = Swift.min(retries - 1, 30)
        var base = initial * (1 << exponent)
        if base > max || base < .zero { base = max }
        let jittered = base * (0.5 + 0.5 * random())
        if let retryAfter, retryAfter > jittered { return retryAfter }
        return jittered
    }

    /// Starts the schedule again (a new phase, e.g. the tool wait after initialize).
    public mutating func reset() { retries = 0 }
}
