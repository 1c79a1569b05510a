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
            .clear(port: port, force: false, grace: .milliseconds(50)), signals: RefusingSignals())
        let error = try #require(outcome.error)
        #expect(error.code == .portInUse)
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
        let connect = try ChildProcess.run(
            PythonFixture.systemPython,
            [
                "-c", "import socket; c = socket.create_connection(('127.0.0.1', \(port))); c.recv(1); c.close()",
            ])
        #expect(connect.status == 0, "\(connect.stderr)")
        server.stop()
        #expect(PortFixtures.waitForExit(server))

        let outcome = try await PortPreflight.run(.check(port: port))
        let error = try #require(outcome.error)
        #expect(error.code == .portInUse)
        #expect(error.message.contains("nothing listens"))
        #expect(outcome.fields["listeners"] == [])
        #expect(outcome.fields["free"] == false)
        let states = outcome.fields["other_sockets"]?.arrayValue?.compactMap { $0["state"]?.stringValue } ?? []
        #expect(states.contains("TIME_WAIT"))
        #expect((outcome.fields["other_socket_count"]?.intValue ?? 0) >= 1)
    }

    @Test func checkingAFreePortSucceedsWithTheContractKeys() async throws {
        let port = try PortFixtures.ephemeralPort()
        let outcome = try await PortPreflight.run(.check(port: port))
        #expect(outcome.error == nil)
        #expect(outcome.fields["port"]?.intValue == Int64(port))
        #expect(outcome.fields["free"] == true)
        for key in ["listeners", "signalled", "skipped", "bind_checks", "other_sockets"] {
            #expect(outcome.fields[key]?.arrayValue != nil, "\(key) is an array")
        }
    }

    /// Without procfs discovery would silently find nothing and call every port free: refuse
    /// instead (exit 3). Bad input is still reported first (exit 2): flags become a request
    /// before anything on the machine is looked at.
    @Test func missingProcfsIsAnEnvironmentErrorAfterInputValidation() async throws {
        let empty = try TempDirectory(prefix: "no-proc")
        let discovery = ListenerDiscovery(procRoot: empty.path)
        await #expect {
            try await PortPreflight.run(try PreflightFlags(port: "18000").request(), discovery: discovery)
        } throws: { error in
            (error as? SmokeError)?.code == .procUnavailable && (error as? SmokeError)?.exit == .environment
        }
        #expect {
            try PreflightFlags(random: true, range: "9-1").request()
        } throws: { error in
            (error as? SmokeError)?.code == .invalidRange
        }
    }

    /// Which flags go together is judged before their values, so `--random --port x` names the
    /// conflict, not the bad port; each default is the documented one.
    @Test func flagsBecomeATypedRequest() throws {
        #expect {
            try PreflightFlags(port: "x", random: true).request()
        } throws: { error in
            (error as? SmokeError)?.code == .conflictingOptions
        }
        guard case .clear(let port, let force, let grace) = try PreflightFlags(port: "8123", kill: true).request()
        else {
            Issue.record("--port --kill is not a clear request")
            return
        }
        #expect(port == 8123 && !force && grace == PreflightFlags.defaultGrace)
        guard case .clear(_, _, let seconds) = try PreflightFlags(port: "1", kill: true, grace: "0.25").request(),
            case .clear(_, _, let milliseconds) = try PreflightFlags(port: "1", kill: true, graceMs: "250").request()
        else {
            Issue.record("--grace is not a clear request")
            return
        }
        #expect(seconds == .milliseconds(250) && milliseconds == seconds)
        #expect {
            try PreflightFlags(port: "1", kill: true, grace: "1", graceMs: "1000").request()
        } throws: { error in
            (error as? SmokeError)?.code == .conflictingOptions
        }
        guard case .random(let picker) = try PreflightFlags(random: true, exclude: "", seed: "7").request() else {
            Issue.record("--random is not a random request")
            return
        }
        #expect(picker.range == RandomPortPicker.defaultRange && picker.excluded.isEmpty && picker.seed == 7)
    }
}
