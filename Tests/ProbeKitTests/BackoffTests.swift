import ProbeKit
import SmokeCore
import Testing

@Suite struct BackoffTests {
    @Test func doublesUpToTheCapWithoutJitter() {
        var backoff = Backoff(initial: .milliseconds(50), max: .milliseconds(500), random: { 0.999_999 })
        let delays = (0..<7).map { _ in backoff.nextDelay().milliseconds }
        #expect(delays == [49, 99, 199, 399, 499, 499, 499])
    }

    @Test func jitterStaysBetweenHalfAndFullDelay() {
        nonisolated(unsafe) var generator = SplitMix64(seed: 42)
        let source: @Sendable () -> Double = { Double.random(in: 0..<1, using: &generator) }
        var backoff = Backoff(initial: .milliseconds(100), max: .milliseconds(800), random: source)
        var seen: Set<Int64> = []
        for retry in 1...20 {
            let base = min(800, 100 << min(retry - 1, 20))
            let delay = backoff.nextDelay().milliseconds
            #expect(delay >= Int64(base / 2) && delay <= Int64(base))
            seen.insert(delay)
        }
        #expect(seen.count > 5)  // jitter really varies
    }

    @Test func retryAfterRaisesTheDelayButNeverLowersIt() {
        var backoff = Backoff(initial: .milliseconds(400), max: .seconds(2), random: { 0.5 })
        #expect(backoff.nextDelay(retryAfter: .seconds(1)) == .seconds(1))
        #expect(backoff.nextDelay(retryAfter: .milliseconds(10)).milliseconds == 600)
    }

    @Test func resetStartsOver() {
        var backoff = Backoff(initial: .milliseconds(10), max: .seconds(1), random: { 0.999_999 })
        _ = backoff.nextDelay()
        _ = backoff.nextDelay()
        backoff.reset()
        #expect(backoff.nextDelay().milliseconds == 9)
    }

    @Test func zeroCapNeverWaits() {
        var backoff = Backoff(initial: .milliseconds(10), max: .zero, random: { 0.7 })
        #expect(backoff.nextDelay() == .zero)
    }

    @Test func seededRandomIsReproducible() {
        var a = SplitMix64(seed: 7)
        var b = SplitMix64(seed: 7)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
    }
}
