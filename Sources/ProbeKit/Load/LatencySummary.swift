import SmokeCore

/// Every request's latency in a load run, and its percentiles. Samples are kept exactly (a
/// run is bounded by `LoadConfiguration.maxDuration`), so a percentile is a latency that was
/// really measured: the nearest-rank one, the smallest sample with at least p % of all samples
/// at or below it.
public struct LatencySummary: Sendable, Equatable {
    /// Milliseconds, in arrival order until `sorted()`.
    public private(set) var samples: [Double] = []

    public init(samples: [Double] = []) {
        self.samples = samples
    }

    public var count: Int { samples.count }

    public mutating func add(_ latency: Duration) {
        let (seconds, attoseconds) = latency.components
        samples.append(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    public mutating func merge(_ other: LatencySummary) {
        samples += other.samples
    }

    /// The nearest-rank percentile (`p` in 0…100) of `sorted`, nil when there is no sample.
    public static func percentile(_ p: Double, of sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count) / 100).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// `{"p50", "p95", "p99", "max", "mean"}` in milliseconds to the microsecond, null when no
    /// request was sent.
    public var json: JSONValue {
        let sorted = samples.sorted()
        func value(_ number: Double?) -> JSONValue {
            number.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
        }
        return [
            "p50": value(Self.percentile(50, of: sorted)),
            "p95": value(Self.percentile(95, of: sorted)),
            "p99": value(Self.percentile(99, of: sorted)),
            "max": value(sorted.last),
            "mean": value(sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)),
        ]
    }
}
