import Foundation
import Glibc
import PortKit
import SmokeTestSupport
import Testing

/// Discovery against real listeners the tests start: right pid, uid, user, command, address;
/// only LISTEN sockets count.
@Suite struct ListenerDiscoveryTests {
    let discovery = ListenerDiscovery()

    @Test(arguments: [
        (["--host", "127.0.0.1"], "127.0.0.1"),
        (["--host", "0.0.0.0"], "0.0.0.0"),
    ])
    func ipv4ListenerIsFoundWithPidUidAndCommand(arguments: [String], host: String) throws {
        try expectDiscovered(arguments: arguments, host: host)
    }

    @Test(
        .enabled(if: PortFixtures.ipv6Loopback, "this host has no IPv6 loopback"),
        arguments: [
            (["--host", "::1"], "[::1]"),
            (["--host", "::", "--dual-stack"], "[::]"),
            (["--host", "::ffff:127.0.0.1", "--dual-stack"], "[::ffff:127.0.0.1]"),
        ])
    func ipv6ListenerIsFoundWithPidUidAndCommand(arguments: [String], host: String) throws {
        try expectDiscovered(arguments: arguments, host: host)
    }

    func expectDiscovered(arguments: [String], host: String) throws {
        let (server, port) = try PortFixtures.listener(arguments)
        defer { server.stop() }
        let found = discovery.discover(port: port)
        #expect(found.listeners.count == 1)
        let listener = try #require(found.listeners.first)
        #expect(listener.pid == server.pid)
        #expect(listener.uid == getuid())
        #expect(listener.user == UserNames.name(uid: getuid()))
        #expect(listener.command?.contains("listener.py") == true)
        #expect(listener.command?.contains(arguments[1]) == true)
        #expect(listener.address == "\(host):\(port)")
        #expect(listener.process?.pid == server.pid)

        let status = PortStatus.inspect(port: port)
        #expect(!status.free)
        #expect(status.failedBinds.contains { $0.status == .inUse })
    }

    @Test func anotherUsersListenerShowsItsUidAndUser() throws {
        let (server, port) = try PortFixtures.listener(["--host", "127.0.0.1"], asUser: true)
        defer { server.stop() }
        let listener = try #require(discovery.discover(port: port).listeners.first)
        #expect(listener.pid == server.pid)
        #expect(listener.uid == 65534)
        #expect(listener.user == "nobody")
        #expect(listener.process?.uid == 65534)
        #expect(listener.command?.contains("listener.py") == true)
    }

    @Test func freePortHasNoListenersAndBindsEverywhere() throws {
        let port = try PortFixtures.ephemeralPort()
        let status = PortStatus.inspect(port: port)
        #expect(status.listeners.isEmpty)
        #expect(status.free)
        #expect(status.bindChecks.map(\.address) == ["127.0.0.1:\(port)", "0.0.0.0:\(port)", "[::]:\(port)"])
        #expect(status.bindChecks.allSatisfy { $0.status == .ok || $0.status == .unavailable })
    }

    /// The original's lsof fallback counted any socket on the port. A socket bound to local port
    /// P and connected elsewhere is not a listener: the port is not held.
    @Test func connectedButNotListeningSocketDoesNotHoldThePort() throws {
        let (server, serverPort) = try PortFixtures.listener()
        defer { server.stop() }
        let localPort = try PortFixtures.ephemeralPort()
        let (client, boundPort) = try PortFixtures.client([
            "--port", String(serverPort), "--local-port", String(localPort),
        ])
        defer { client.stop() }
        #expect(boundPort == localPort)

        let rows = TCPSocketTable.read().filter { $0.localPort == localPort }
        #expect(rows.contains { $0.stateName == "ESTABLISHED" }, "precondition: the client socket is in the table")
        let status = PortStatus.inspect(port: localPort)
        #expect(status.listeners.isEmpty)
        #expect(status.free)
        #expect(
            status.otherSockets.contains {
                $0.state == "ESTABLISHED" && $0.local == "127.0.0.1:\(localPort)"
                    && $0.remote == "127.0.0.1:\(serverPort)"
            })
    }

    /// A server that closed its connections leaves TIME_WAIT rows on its port; with
    /// SO_REUSEADDR the next server binds anyway, so the port is free.
    @Test func timeWaitDoesNotCountAsBusy() throws {
        let (server, port) = try PortFixtures.listener(["--close-accepted"])
        let connect = try ChildProcess.run(
            PythonFixture.systemPython,
            [
                "-c",
                "import socket; c = socket.create_connection(('127.0.0.1', \(port))); c.recv(1); c.close()",
            ])
        #expect(connect.status == 0, "\(connect.stderr)")
        server.stop()
        #expect(PortFixtures.waitForExit(server))

        let rows = TCPSocketTable.read().filter { $0.localPort == port }
        #expect(rows.contains { $0.stateName == "TIME_WAIT" }, "precondition: the server side is in TIME_WAIT")
        let status = PortStatus.inspect(port: port)
        #expect(status.listeners.isEmpty)
        #expect(status.free)
        #expect(status.otherSockets.contains { $0.state == "TIME_WAIT" })
    }

    @Test func sharedSocketListsEveryHoldingProcess() throws {
        // The shell keeps the listening socket as fd 3 and hands it to a child: two holders.
        let script = """
            import os, signal, socket, sys, time
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
            s.set_inheritable(True)
            child = os.fork()
            if child == 0:
                while True: time.sleep(3600)
            print(f'READY {s.getsockname()[1]} {child}', flush=True)
            while True: time.sleep(3600)
            """
        let parent = try BackgroundProcess(PythonFixture.systemPython, ["-c", script])
        defer { parent.stop() }
        let line = try parent.waitForLine(prefix: "READY")
        let fields = line.split(separator: " ")
        let port = try #require(Int(fields[1]))
        let child = try #require(Int32(fields[2]))
        defer { kill(child, SIGKILL) }
        let pids = discovery.discover(port: port).listeners.compactMap(\.pid)
        #expect(pids == [parent.pid, child].sorted())
    }
}
