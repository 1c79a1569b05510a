import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

extension ProbeFixtures {
    /// Runs `body` with a load_server.py (handshake era, stalls on purpose) and stops it afterwards.
    static func withLoadServer<T>(_ extra: [String], _ body: (URL) async throws -> T) async throws -> T {
        let server = try BackgroundProcess.python("\(directory)/load_server.py", extra)
        do {
            let port = try await offPool { try server.waitForReadyPort(timeout: 30) }
            let result = try await body(URL(string: "http://127.0.0.1:\(port)/mcp")!)
            try? await offPool { server.stop() }
            return result
        } catch {
            try? await offPool { server.stop() }
            throw error
        }
    }

    /// The load server's counts, after waiting (at most `idle` s) for its connections to close.
    static func loadStats(_ url: URL, idle: Double) async throws -> JSONValue {
        let statsURL = "http://127.0.0.1:\(url.port!)/stats?idle=\(idle)"
        let read = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())"
        let result = try await offPool { try ChildProcess.run(ProjectPaths.python, ["-c", read, statsURL]) }
        return try JSONValue.parse(Data(result.stdout.utf8), source: "load_server /stats")
    }
}

extension JSONValue {
    /// A number as a Double (the latency fields are doubles, counts ints).
    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

/// The load mode in process against load_server.py: what the server counted and what the
/// report says agree request for request, a stall shows where it should, and nothing of the
/// load outlives its window plus grace.
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct LoadRunnerTests {
        static func load(_ url: URL, sessions: Int, seconds: Double, timeout: Duration) throws -> LoadConfiguration {
            try LoadConfiguration(
                probe: ProbeConfiguration(url: url, deadline: .seconds(10), attemptTimeout: timeout),
                sessions: sessions,
                durationSeconds: seconds)
        }

        /// Every tenth tools/list stalls 3 s against a 1 s request timeout: those, and only those,
        /// are `timeout` errors, and they are the slowest percent and more (p95, p99).
        @Test func aStallLongerThanTheTimeoutShowsInP99AndTheErrors() async throws {
            try await ProbeFixtures.withLoadServer(["--stall-every", "10", "--stall", "3"]) { url in
                let report = await LoadRunner.run(try Self.load(url, sessions: 4, seconds: 3, timeout: .seconds(1)))
                let stats = try await ProbeFixtures.loadStats(url, idle: 3)
                let load = try #require(report.fields["load"])
                #expect(report.error?.code == .loadErrors)
                #expect(report.error?.exit == .checkFailed)
                #expect(report.fields["era"] == "legacy")
                let requests = try #require(load["requests"]?.intValue)
                let stalled = try #require(stats["stalled"]?.intValue)
                #expect(requests == stats["lists"]?.intValue, "\(load) \(stats)")
                #expect(stalled >= 4 && stalled == stats["abandoned"]?.intValue, "\(stats)")
                #expect(load["errors"]?.objectValue?.keys.sorted() == ["timeout"], "\(load)")
                #expect(load["errors"]?["timeout"]?["count"]?.intValue == stalled)
                #expect(load["ok"]?.intValue == requests - stalled)
                #expect(load["failed"]?.intValue == stalled)
                let first = load["errors"]?["timeout"]?["first_message"]?.stringValue ?? ""
                #expect(first.contains("tools/list to \(url.absoluteString) failed"), "\(first)")
                let latency = try #require(load["latency_ms"])
                #expect((latency["p99"]?.number ?? 0) >= 990, "\(latency)")
                #expect((latency["max"]?.number ?? 0) >= 990 && (latency["max"]?.number ?? 0) < 1500, "\(latency)")
                #expect((latency["p50"]?.number ?? .infinity) < 250, "\(latency)")
                // Every session opened and was counted; the server saw each session's handshake and DELETE.
                let sessions = load["per_session"]?.arrayValue ?? []
                #expect(
                    sessions.count == 4
                        && sessions.allSatisfy { $0["opened"] == true && ($0["requests"]?.intValue ?? 0) > 0 })
                #expect(sessions.compactMap { $0["requests"]?.intValue }.reduce(0, +) == requests)
                // The readiness probe's session and the four loaded ones.
                #expect(stats["sessions"]?.intValue == 5 && stats["deleted"]?.intValue == 5, "\(stats)")
                #expect(stats["open"] == 0, "\(stats)")
            }
        }

        /// A stall shorter than the timeout is no error, but it is the p99.
        @Test func aStallWithinTheTimeoutShowsInP99Only() async throws {
            try await ProbeFixtures.withLoadServer(["--stall-every", "10", "--stall", "0.4"]) { url in
                let report = await LoadRunner.run(try Self.load(url, sessions: 4, seconds: 2, timeout: .seconds(3)))
                let stats = try await ProbeFixtures.loadStats(url, idle: 3)
                let load = try #require(report.fields["load"])
                #expect(report.error == nil, "\(report.error?.message ?? "")")
                let requests = try #require(load["requests"]?.intValue)
                #expect(requests == stats["lists"]?.intValue && load["ok"]?.intValue == requests, "\(load) \(stats)")
                #expect(load["errors"] == [:] && load["session_errors"] == [:])
                #expect((stats["stalled"]?.intValue ?? 0) >= 2 && stats["abandoned"] == 0, "\(stats)")
                #expect((load["latency_ms"]?["p99"]?.number ?? 0) >= 395, "\(load)")
                #expect((load["latency_ms"]?["p50"]?.number ?? .infinity) < 250, "\(load)")
                #expect(stats["open"] == 0, "\(stats)")
            }
        }

        /// A server that never answers tools/list: the run still ends within window + grace, every
        /// request is a timeout, and no connection is left open.
        @Test func aHangingServerCannotHoldTheLoadPastItsGrace() async throws {
            try await ProbeFixtures.withLoadServer(["--hang-lists"]) { url in
                let configuration = try Self.load(url, sessions: 8, seconds: 1.5, timeout: .seconds(1))
                let (report, took) = await Self.timed { await LoadRunner.run(configuration) }
                let stats = try await ProbeFixtures.loadStats(url, idle: 3)
                let load = try #require(report.fields["load"])
                let bound = configuration.duration + configuration.grace
                #expect(took < bound + .milliseconds(750), "took \(took), bound \(bound) plus the readiness probe")
                #expect((load["window_ms"]?.intValue ?? .max) <= bound.milliseconds + 250, "\(load)")
                let requests = try #require(load["requests"]?.intValue)
                // Each session's second request was in flight when the window closed: it still got its
                // whole timeout (every latency is one), and was counted.
                #expect(
                    (8...16).contains(requests) && requests == stats["lists"]?.intValue
                        && requests == stats["abandoned"]?.intValue, "\(load) \(stats)")
                #expect((load["latency_ms"]?["p50"]?.number ?? 0) >= 990, "\(load)")
                #expect(load["ok"] == 0 && load["errors"]?["timeout"]?["count"]?.intValue == requests, "\(load)")
                #expect(report.error?.code == .loadErrors)
                #expect(stats["open"] == 0, "\(stats)")
                #expect(stats["deleted"]?.intValue == 9, "\(stats)")
            }
        }

        /// A handshake session the server forgets (its first tools/list answers 404) is counted as
        /// the failed request it was, and the session initializes again and goes on.
        @Test func anExpiredSessionIsCountedAndOpenedAgain() async throws {
            try await ProbeFixtures.withFault("expire") { server, url in
                let report = await LoadRunner.run(try Self.load(url, sessions: 2, seconds: 1, timeout: .seconds(2)))
                let load = try #require(report.fields["load"])
                #expect(report.error?.code == .loadErrors)
                #expect(
                    load["errors"]?.objectValue?.keys.sorted() == ["http_status"]
                        && load["errors"]?["http_status"]?["count"] == 1, "\(load)")
                #expect(load["errors"]?["http_status"]?["first_status"] == 404)
                let requests = try #require(load["requests"]?.intValue)
                #expect(requests > 2 && load["ok"]?.intValue == requests - 1, "\(load)")
                #expect(load["session_errors"] == [:] && load["sessions_opened"] == 2)
                // The readiness probe's handshake, one per session, and the one that replaced the lost session.
                let isInitialize: @Sendable (String) -> Bool = {
                    $0.hasPrefix("REQ ") && $0.contains(#"\"method\":\"initialize\""#)
                }
                _ = try? await offPool {
                    try server.waitForLine(described: "a fourth initialize", timeout: 10) { _ in
                        server.lines.filter(isInitialize).count >= 4
                    }
                }
                #expect(server.lines.filter(isInitialize).count == 4, "\(server.lines.filter(isInitialize))")
            }
        }

        /// Nothing listens: no load, exit 3 (`server_unreachable`), the attempts still shown.
        @Test func nothingListeningIsUnreachable() async throws {
            try await ProbeFixtures.withFault("refuse") { _, url in
                let configuration = try LoadConfiguration(
                    probe: ProbeConfiguration(url: url, deadline: .seconds(1), attemptTimeout: .milliseconds(500)),
                    sessions: 2,
                    durationSeconds: 1)
                let report = await LoadRunner.run(configuration)
                #expect(report.error?.code == .serverUnreachable)
                #expect(report.error?.exit == .environment)
                #expect(report.error?.message.contains(url.absoluteString) == true)
                #expect(report.fields["load"] == .null)
                #expect(report.outcomes.count >= 2 && report.outcomes.allSatisfy { $0 == "refused" })
            }
        }

        /// A server that answers, but wrongly, is reached: its own code, exit 1, no load.
        @Test func aServerThatAnswersBadlyIsNotUnreachable() async throws {
            try await ProbeFixtures.withFault("garbage") { _, url in
                let configuration = try LoadConfiguration(
                    probe: ProbeConfiguration(url: url, deadline: .seconds(2), attemptTimeout: .milliseconds(500)),
                    sessions: 2,
                    durationSeconds: 1)
                let report = await LoadRunner.run(configuration)
                #expect(report.error?.code == .invalidBody)
                #expect(report.error?.exit == .checkFailed)
                #expect(report.fields["load"] == .null)
            }
        }

        static func timed<T>(_ body: () async -> T) async -> (T, Duration) {
            let clock = ContinuousClock()
            let began = clock.now
            let value = await body()
            return (value, clock.now - began)
        }
    }
}
