import Foundation
import ProbeKit
import SmokeCore
import Testing

/// The load report's parts on hand-made data: nearest-rank percentiles, the error tally's
/// merge and bounds, the flag checks.
struct LoadSummaryTests {
    @Test func percentilesAreNearestRankSamples() {
        let samples = (1...200).map(Double.init).shuffled()
        let summary = LatencySummary(samples: samples)
        #expect(summary.json["p50"] == .double(100))
        #expect(summary.json["p95"] == .double(190))
        #expect(summary.json["p99"] == .double(198))
        #expect(summary.json["max"] == .double(200))
        #expect(summary.json["mean"] == .double(100.5))
        // One slow request in a hundred is the p99; in a hundred and one it is only the max.
        let hundred = LatencySummary(samples: Array(repeating: 2, count: 99) + [900])
        #expect(hundred.json["p99"] == .double(2))
        #expect(hundred.json["max"] == .double(900))
        let twoSlow = LatencySummary(samples: Array(repeating: 2, count: 98) + [900, 950])
        #expect(twoSlow.json["p99"] == .double(900))
    }

    @Test func noSampleIsNullNotZero() {
        let empty = LatencySummary()
        for key in ["p50", "p95", "p99", "max", "mean"] { #expect(empty.json[key] == .null) }
    }

    @Test func durationsBecomeMillisecondsToTheMicrosecond() {
        var summary = LatencySummary()
        summary.add(.microseconds(1_234_567))
        summary.add(.nanoseconds(1_500))
        #expect(summary.json["max"] == .double(1234.567))
        #expect(summary.json["p50"] == .double(0.002))  // 1.5 µs, rounded to the microsecond
    }

    @Test func tallyCountsByCodeAndKeepsTheEarliestOfEach() {
        var first = ErrorTally()
        first.add(LoadFailure(code: .timeout, message: "late one", atMs: 900))
        first.add(LoadFailure(code: .timeout, message: "later one", atMs: 1900))
        var second = ErrorTally()
        second.add(LoadFailure(code: .timeout, message: "early one", body: "x", status: 200, atMs: 100))
        second.add(LoadFailure(code: .httpStatus, message: "HTTP 503", body: "busy", status: 503, atMs: 50))
        first.merge(second)
        #expect(first.total == 4)
        #expect(first.json["timeout"]?["count"] == 3)
        #expect(first.json["timeout"]?["first_message"] == "early one")
        #expect(first.json["timeout"]?["first_at_ms"] == 100)
        #expect(first.json["http_status"]?["first_status"] == 503)
        #expect(first.json["http_status"]?["first_body"] == "busy")
        #expect(first.summary == "3 timeout, 1 http_status")
    }

    @Test func tallyTextIsBounded() {
        var tally = ErrorTally()
        let long = String(repeating: "é", count: 5000)
        tally.add(LoadFailure(code: .invalidBody, message: long, body: long, atMs: 1))
        let message = tally.json["invalid_body"]?["first_message"]?.stringValue ?? ""
        let body = tally.json["invalid_body"]?["first_body"]?.stringValue ?? ""
        #expect(message.count == ErrorTally.textLimit + 1 && message.hasSuffix("…"))
        #expect(body.count == ErrorTally.textLimit + 1)
    }

    static let url = URL(string: "http://127.0.0.1:9/mcp")!

    @Test(arguments: [
        (0, 10.0, "--load 0"), (-3, 10.0, "--load -3"), (1001, 10.0, "--load 1001"),
        (4, 0.0, "--duration 0.0"), (4, -1.0, "--duration -1.0"), (4, 3601.0, "--duration 3601.0"),
        (4, Double.nan, "--duration nan"), (4, Double.infinity, "--duration inf"),
    ])
    func badShapesAreInvalidArguments(sessions: Int, duration: Double, named: String) {
        let error = #expect(throws: SmokeError.self) {
            try LoadConfiguration(
                probe: ProbeConfiguration(url: Self.url), sessions: sessions, durationSeconds: duration)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.exit == .invalidInput)
        #expect(error?.message.hasPrefix(named) == true, "\(error?.message ?? "")")
    }

    @Test func expectErrorHasNoMeaningUnderLoad() {
        var probe = ProbeConfiguration(url: Self.url)
        probe.call = ToolCall(name: "fail", expectError: true)
        let error = #expect(throws: SmokeError.self) {
            try LoadConfiguration(probe: probe, sessions: 2, durationSeconds: 1)
        }
        #expect(error?.message == "--expect-error cannot be used with --load")
        #expect(error?.exit == .invalidInput)
    }

    @Test func aLoadStaysOnItsOrigin() throws {
        let load = try LoadConfiguration(probe: ProbeConfiguration(url: Self.url), sessions: 2, durationSeconds: 0.25)
        #expect(load.probe.stayOnOrigin)
        #expect(load.duration == .milliseconds(250))
        #expect(load.grace == .seconds(5) + .milliseconds(500))
    }
}
