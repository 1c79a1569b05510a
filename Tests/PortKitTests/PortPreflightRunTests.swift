import Foundation
import Glibc
import PortKit
import SmokeCore
import SmokeTestSupport
import Testing

/// The tool's decisions (exit code, error code, message) through the library entry point, for
/// cases the binary cannot be steered into from outside.
@Suite struct PortPreflightRunTests {
    struct RefusingSignals: SignalSender {
        func send(_ signal: Int32, to pid: Int32) -> Int32 { EPERM }
    }

    @Test func refusedSignalEndsAsPortInUseWithTheReason() async throws {
        let (server, port) = try PortFixtures.listener()
        defer { server.stop() }
        let outcome = try await PortPreflight.run(
            PreflightRequest(port: String(port), kill: true, graceMs: "50"), signals: RefusingSignals())
        let error = try #require(outcome.error)
        #expect(error.code == "port_in_use")
        #expect(error.exit == .checkFailed)
        #expect(error.message.contains("pid \(server.pid)"))
        #expect(error.message.contains("permission_denied"))
        let skipped = try #require(outcome.fields["skipped"]?.arrayValue?.first)
        #expect(skipped["reason"] == "permission_denied")
        #expect(skipped["pid"]?.intValue == Int64(server.pid))
        #expect(skipped["detail"]?.stringValue?.contains("SIGTERM") == true)
        #expect(outcome.fields["signalled"] == [])
        #expect(server.process.isRunning)
    }

    /// TIME_WAIT left by a server WITHOUT SO_REUSEADDR blocks every new bind on Linux, even one
    /// with SO_REUSEADDR: nobody listens, yet no server could start there. Reported as held,
    /// with the TIME_WAIT sockets as evidence, never as free.
    @Test func bindBlockedWithoutListenerIsHeldAndExplained() async throws {
        let (server, port) = try PortFixtures.listener(["--close-accepted", "--no-reuseaddr"])
        let connect = try ChildProcess.run(PythonFixture.systemPython, [
            "-c", "import socket; c = socket.create_connection(('127.0.0.1', \(port))); c.recv(1); c.close()",
        ])
        #expect(connect.status == 0, "\(connect.stderr)")
        server.stop()
        #expect(PortFixtures.waitForExit(server))

        let outcome = try await PortPreflight.run(PreflightRequest(port: String(port)))
        let error = try #require(outcome.error)
        #expect(error.code == "port_in_use")
        #expect(error.message.contains("nothing listens"))
        #expect(outcome.fields["listeners"] == [])
        #expect(outcome.fields["free"] == false)
        let states = outcome.fields["other_sockets"]?.arrayValue?.compactMap { $0["state"]?.stringValue } ?? []
        #expect(states.contains("TIME_WAIT"))
        #expect((outcome.fields["other_socket_count"]?.intValue ?? 0) >= 1)
    }

    @Test func checkingAFreePortSucceedsWithTheContractKeys() async throws {
        let port = try PortFixtures.ephemeralPort()
        let outcome = try await PortPreflight.run(PreflightRequest(port: String(port)))
        #expect(outcome.error == nil)
        #expect(outcome.fields["port"]?.intValue == Int64(port))
        #expect(outcome.fields["free"] == true)
        for key in ["listeners", "signalled", "skipped", "bind_checks", "other_sockets"] {
            #expect(outcome.fields[key]?.arrayValue != nil, "\(key) is an array")
        }
    }

    /// Without procfs discovery would silently find nothing and call every port free: refuse
    /// instead (exit 3). Bad input is still reported first (exit 2).
    @Test func missingProcfsIsAnEnvironmentErrorAfterInputValidation() async throws {
        let empty = try TempDirectory(prefix: "no-proc")
        let discovery = ListenerDiscovery(procRoot: empty.path)
        await #expect {
            try await PortPreflight.run(PreflightRequest(port: "18000"), discovery: discovery)
        } throws: { error in
            (error as? SmokeError)?.code == "proc_unavailable" && (error as? SmokeError)?.exit == .environment
        }
        await #expect {
            try await PortPreflight.run(PreflightRequest(random: true, range: "9-1"), discovery: discovery)
        } throws: { error in
            (error as? SmokeError)?.code == "invalid_range"
        }
    }
}
