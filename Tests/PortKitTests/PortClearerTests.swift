import Foundation
import Glibc
import PortKit
import SmokeTestSupport
import Testing

/// The --kill sequence against real processes: who is signalled, with what, and the final state.
@Suite struct PortClearerTests {
    static func clearer(force: Bool = false, graceMs: Int = 3000, signals: any SignalSender = KernelSignals())
        -> PortClearer
    {
        PortClearer(policy: KillPolicy(force: force), grace: .milliseconds(graceMs), signals: signals)
    }

    @Test func sigtermFreesThePort() async throws {
        let (server, port) = try PortFixtures.listener()
        defer { server.stop() }
        let report = await Self.clearer().clear(port: port)
        #expect(report.before.listeners.map(\.pid) == [server.pid])
        #expect(report.signalled == [SignalRecord(pid: server.pid, signal: "SIGTERM")])
        #expect(report.skipped.isEmpty)
        #expect(report.after.free)
        #expect(report.after.listeners.isEmpty)
        #expect(PortFixtures.waitForExit(server))
        #expect(server.process.terminationReason == .uncaughtSignal)
        #expect(server.process.terminationStatus == SIGTERM)
    }

    @Test(.enabled(if: PortFixtures.ipv6Loopback, "this host has no IPv6 loopback"))
    func ipv6ListenerIsClearedToo() async throws {
        let (server, port) = try PortFixtures.listener(["--host", "::1"])
        defer { server.stop() }
        let report = await Self.clearer().clear(port: port)
        #expect(report.signalled.map(\.pid) == [server.pid])
        #expect(report.after.free)
    }

    @Test func listenerIgnoringSigtermGetsSigkillAfterTheGrace() async throws {
        let (server, port) = try PortFixtures.listener(["--ignore-sigterm"])
        defer { server.stop() }
        let started = ContinuousClock.now
        let report = await Self.clearer(graceMs: 400).clear(port: port)
        let elapsed = ContinuousClock.now - started
        #expect(
            report.signalled == [
                SignalRecord(pid: server.pid, signal: "SIGTERM"), SignalRecord(pid: server.pid, signal: "SIGKILL"),
            ])
        #expect(elapsed >= .milliseconds(400), "SIGKILL only after the grace period")
        #expect(report.after.free)
        #expect(PortFixtures.waitForExit(server))
        #expect(server.process.terminationStatus == SIGKILL)
    }

    @Test func anotherUsersListenerIsSkippedWithoutForce() async throws {
        let (server, port) = try PortFixtures.listener([], asUser: true)
        defer { server.stop() }
        let report = await Self.clearer().clear(port: port)
        #expect(report.signalled.isEmpty)
        #expect(report.skipped == [SkipRecord(pid: server.pid, reason: .otherUser, uid: 65534, detail: nil)])
        #expect(!report.after.free)
        #expect(report.after.listeners.map(\.pid) == [server.pid])
        #expect(server.process.isRunning)
    }

    @Test func anotherUsersListenerIsKilledWithForce() async throws {
        let (server, port) = try PortFixtures.listener([], asUser: true)
        defer { server.stop() }
        let report = await Self.clearer(force: true).clear(port: port)
        #expect(report.signalled == [SignalRecord(pid: server.pid, signal: "SIGTERM")])
        #expect(report.skipped.isEmpty)
        #expect(report.after.free)
        #expect(PortFixtures.waitForExit(server))
    }

    /// Only the listener is signalled: not a client connected to the port, not a socket bound to
    /// the port on another loopback address without listening, not a listener on another port.
    @Test func decoysAreNeverSignalled() async throws {
        let (server, port) = try PortFixtures.listener()
        defer { server.stop() }
        let (connected, _) = try PortFixtures.client(["--port", String(port)])
        defer { connected.stop() }
        let (boundOnly, _) = try PortFixtures.client([
            "--host", "127.0.0.2", "--local-port", String(port), "--bind-only",
        ])
        defer { boundOnly.stop() }
        let (otherServer, otherPort) = try PortFixtures.listener()
        defer { otherServer.stop() }
        let (otherClient, _) = try PortFixtures.client(["--port", String(otherPort)])
        defer { otherClient.stop() }

        let report = await Self.clearer().clear(port: port)
        #expect(report.before.listeners.map(\.pid) == [server.pid])
        #expect(report.signalled.map(\.pid) == [server.pid])
        #expect(report.after.free)
        #expect(PortFixtures.waitForExit(server))
        for decoy in [connected, boundOnly, otherServer, otherClient] {
            #expect(decoy.process.isRunning, "decoy \(decoy.pid) must survive")
        }
        #expect(ListenerDiscovery().discover(port: otherPort).listeners.map(\.pid) == [otherServer.pid])
    }

    @Test func aListenerOfThisProcessIsNeverSignalled() async throws {
        let listener = try InProcessListener()
        defer { listener.close() }
        let report = await Self.clearer(force: true).clear(port: listener.port)
        #expect(report.signalled.isEmpty)
        #expect(report.skipped == [SkipRecord(pid: getpid(), reason: .isSelf, uid: getuid(), detail: nil)])
        #expect(!report.after.free)
    }

    struct RefusingSignals: SignalSender {
        func send(_ signal: Int32, to pid: Int32) -> Int32 { EPERM }
    }

    @Test func aRefusedSignalIsRecordedNotFatal() async throws {
        let (server, port) = try PortFixtures.listener()
        defer { server.stop() }
        let report = await Self.clearer(graceMs: 100, signals: RefusingSignals()).clear(port: port)
        #expect(report.signalled.isEmpty)
        let skip = try #require(report.skipped.first)
        #expect(skip.pid == server.pid)
        #expect(skip.reason == .permissionDenied)
        #expect(skip.detail?.contains("SIGTERM") == true)
        #expect(!report.after.free)
        #expect(server.process.isRunning)
    }

    @Test func freePortNeedsNoSignals() async throws {
        let port = try PortFixtures.ephemeralPort()
        let report = await Self.clearer().clear(port: port)
        #expect(report.signalled.isEmpty)
        #expect(report.skipped.isEmpty)
        #expect(report.after.free)
    }
}
