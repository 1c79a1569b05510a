import Foundation
import Glibc
import SmokeCore
import SmokeTestSupport
import Testing

/// The built `port-preflight` binary against real listeners: exit codes and JSON shape.
@Suite struct PortPreflightTests {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/PortKit"
    static func listener(_ arguments: [String] = [], asNobody: Bool = false) throws -> (BackgroundProcess, Int) {
        try PythonFixture.start("\(fixtures)/listener.py", arguments, asNobody: asNobody)
    }

    /// `count` consecutive ports below the ephemeral range held by one listener (bounded retries).
    static func consecutive(_ count: Int) throws -> (BackgroundProcess, Int) {
        var failure: Error?
        for _ in 0..<25 {
            do {
                return try listener(["--port", String(Int.random(in: 25000...30900)), "--count", String(count)])
            } catch {
                failure = error
            }
        }
        throw failure!
    }

    /// A port nothing holds: a listener's ephemeral port after the listener has exited.
    static func freePort() throws -> Int {
        let (server, port) = try listener()
        server.stop()
        server.process.waitUntilExit()
        return port
    }

    static func run(_ arguments: [String]) throws -> ToolRun {
        try ToolRun.run("port-preflight", arguments)
    }

    static func expectEnvelope(_ run: ToolRun, ok: Bool) {
        #expect(run.json["tool"] == "port-preflight")
        #expect(run.json["ok"]?.boolValue == ok)
        #expect(run.json["version"]?.stringValue == SmokeVersion.current)
        #expect(run.json["elapsed_ms"]?.intValue != nil)
        #expect(run.stdout.split(separator: "\n").count == 1, "exactly one JSON document on stdout")
    }

    @Test func freePortIsExitZero() throws {
        let port = try Self.freePort()
        let run = try Self.run(["--port", String(port)])
        #expect(run.status == 0, "\(run.stdout)")
        Self.expectEnvelope(run, ok: true)
        #expect(run.json["port"]?.intValue == Int64(port))
        #expect(run.json["free"] == true)
        #expect(run.json["listeners"] == [])
        #expect(run.json["signalled"] == [])
        #expect(run.json["skipped"] == [])
        let checks = run.json["bind_checks"]?.arrayValue ?? []
        #expect(
            checks.compactMap { $0["address"]?.stringValue } == [
                "127.0.0.1:\(port)", "0.0.0.0:\(port)", "[::]:\(port)",
            ])
    }

    @Test func heldPortIsExitOneWithTheListener() throws {
        let (server, port) = try Self.listener()
        defer { server.stop() }
        let run = try Self.run(["--port", String(port)])
        #expect(run.status == 1)
        Self.expectEnvelope(run, ok: false)
        #expect(run.errorCode == "port_in_use")
        #expect(run.json["error"]?["message"]?.stringValue?.contains("pid \(server.pid)") == true)
        #expect(run.json["free"] == false)
        let listener = try #require(run.json["listeners"]?.arrayValue?.first)
        #expect(listener["pid"]?.intValue == Int64(server.pid))
        #expect(listener["uid"]?.intValue == Int64(getuid()))
        #expect(listener["user"]?.stringValue?.isEmpty == false)
        #expect(listener["command"]?.stringValue?.contains("listener.py") == true)
        #expect(listener["address"]?.stringValue == "127.0.0.1:\(port)")
        #expect(server.process.isRunning, "without --kill nothing is signalled")
    }

    @Test func killFreesThePort() throws {
        let (server, port) = try Self.listener(["--host", "0.0.0.0"])
        defer { server.stop() }
        let run = try Self.run(["--port", String(port), "--kill", "--grace", "3"])
        #expect(run.status == 0, "\(run.stdout)")
        Self.expectEnvelope(run, ok: true)
        #expect(run.json["free"] == true)
        #expect(run.json["signalled"] == [["pid": .int(Int64(server.pid)), "signal": "SIGTERM"]])
        #expect(run.json["listeners"]?.arrayValue?.first?["address"]?.stringValue == "0.0.0.0:\(port)")
        #expect(run.json["remaining"] == [])
        #expect(run.json["grace_ms"] == 3000)
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == SIGTERM)
    }

    @Test func sigtermIgnoringListenerIsKilled() throws {
        let (server, port) = try Self.listener(["--ignore-sigterm"])
        defer { server.stop() }
        let run = try Self.run(["--port", String(port), "--kill", "--grace-ms", "200"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.json["signalled"]?.arrayValue?.compactMap { $0["signal"]?.stringValue } == ["SIGTERM", "SIGKILL"])
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == SIGKILL)
    }

    @Test func anotherUsersListenerNeedsForce() throws {
        let (server, port) = try Self.listener([], asNobody: true)
        defer { server.stop() }
        let refused = try Self.run(["--port", String(port), "--kill"])
        #expect(refused.status == 1)
        #expect(refused.errorCode == "port_in_use")
        #expect(refused.json["skipped"] == [["pid": .int(Int64(server.pid)), "reason": "other_user", "uid": 65534]])
        #expect(refused.json["signalled"] == [])
        #expect(refused.json["error"]?["hint"]?.stringValue?.contains("--force") == true)
        #expect(server.process.isRunning)

        let forced = try Self.run(["--port", String(port), "--kill", "--force"])
        #expect(forced.status == 0, "\(forced.stdout)")
        #expect(forced.json["signalled"]?.arrayValue?.first?["pid"]?.intValue == Int64(server.pid))
        #expect(forced.json["free"] == true)
    }

    /// The test process is port-preflight's parent: even --force must not signal it.
    @Test func parentIsNeverSignalled() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(listening)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let run = try Self.run(["--port", String(port), "--kill", "--force"])
        #expect(run.status == 1)
        #expect(run.json["signalled"] == [])
        #expect(
            run.json["skipped"] == [["pid": .int(Int64(getpid())), "reason": "parent", "uid": .int(Int64(getuid()))]])
    }

    @Test func randomHonoursRangeExcludeAndSeed() throws {
        let (holder, base) = try Self.consecutive(3)
        defer { holder.stop() }
        let held = Set((base...(base + 2)).map(Int64.init))
        let arguments = [
            "--random", "--range", "\(base)-\(base + 7)", "--exclude", "\(base + 3),\(base + 4)", "--seed", "42",
        ]
        let first = try Self.run(arguments)
        let second = try Self.run(arguments)
        #expect(first.status == 0, "\(first.stdout)")
        Self.expectEnvelope(first, ok: true)
        let port = try #require(first.json["port"]?.intValue)
        #expect(second.json["port"]?.intValue == port)
        #expect([base + 5, base + 6, base + 7].map(Int64.init).contains(port))
        #expect(first.json["free"] == true)
        #expect(first.json["seed"] == 42)
        #expect(first.json["range"] == ["low": .int(Int64(base)), "high": .int(Int64(base + 7))])
        #expect(first.json["excluded"] == [.int(Int64(base + 3)), .int(Int64(base + 4))])
        let busy = try #require(first.json["busy"]?.arrayValue).compactMap(\.intValue)
        #expect(Set(busy).isSubset(of: held))
    }

    @Test func randomWithoutSeedReportsOneThatReplays() throws {
        let (holder, base) = try Self.consecutive(1)
        defer { holder.stop() }
        let range = "\(base + 1)-\(base + 60)"
        let first = try Self.run(["--random", "--range", range])
        #expect(first.status == 0, "\(first.stdout)")
        let seed = try #require(first.json["seed"]?.intValue)
        let replay = try Self.run(["--random", "--range", range, "--seed", String(seed)])
        #expect(replay.json["port"] == first.json["port"])
    }

    @Test func fullRangeIsNoFreePort() throws {
        let (holder, base) = try Self.consecutive(2)
        defer { holder.stop() }
        let run = try Self.run(["--random", "--range", "\(base)-\(base + 1)", "--exclude", ""])
        #expect(run.status == 3)
        Self.expectEnvelope(run, ok: false)
        #expect(run.errorCode == "no_free_port")
        #expect(run.json["port"] == .null)
        #expect(run.json["attempts"] == 2)
    }

    /// The tool must not drag in libgit2 or an HTTP stack (DESIGN.md: a tool links what it needs).
    @Test func linksNeitherLibgit2NorAnHTTPStack() throws {
        let result = try ChildProcess.run("ldd", [ProjectPaths.binary("port-preflight")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("libc.so"), "precondition: ldd listed the libraries")
        for library in ["libgit2", "FoundationNetworking", "libcurl", "NIO", "libssl"] {
            #expect(!result.stdout.contains(library), "port-preflight links \(library)")
        }
    }

    @Test(arguments: [
        (["--port", "0"], "invalid_port"),
        (["--port", "65536"], "invalid_port"),
        (["--port", "http"], "invalid_port"),
        (["--random", "--range", "24000-18000"], "invalid_range"),
        (["--random", "--range", "1-70000"], "invalid_range"),
        (["--random", "--range", "20000-20001", "--exclude", "20000,20001"], "invalid_range"),
        (["--random", "--exclude", "80,x"], "invalid_exclude"),
        (["--random", "--seed=-3"], "invalid_seed"),
        (["--random", "--seed", "x"], "invalid_seed"),
        (["--port", "8080", "--kill", "--grace-ms=-1"], "invalid_grace"),
        (["--port", "8080", "--kill", "--grace=-0.5"], "invalid_grace"),
        (["--port", "8080", "--kill", "--grace", "nan"], "invalid_grace"),
        (["--port", "8080", "--random"], "conflicting_options"),
        (["--random", "--kill"], "conflicting_options"),
        (["--port", "8080", "--seed", "1"], "conflicting_options"),
        (["--port", "8080", "--force"], "conflicting_options"),
        ([], "missing_port"),
    ])
    func invalidInputIsExitTwo(arguments: [String], code: String) throws {
        let run = try Self.run(arguments)
        #expect(run.status == 2, "\(run.stdout)")
        Self.expectEnvelope(run, ok: false)
        #expect(run.errorCode == code)
        #expect(run.json["error"]?["message"]?.stringValue?.isEmpty == false)
    }
}

/// Run as `nobody`, the tool cannot read a root process's fds: the listener must still be
/// reported (pid null, with the socket's uid) and can never be signalled.
@Suite struct PortPreflightUnseenOwnerTests {
    static func runAsNobody(_ arguments: [String]) throws -> (status: Int32, json: JSONValue) {
        let result = try ChildProcess.run(
            "/usr/bin/setpriv",
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", ProjectPaths.binary("port-preflight")] + arguments)
        return (result.status, try JSONValue.parse(Data(result.stdout.utf8), source: "port-preflight stdout"))
    }

    @Test func rootListenerSeenByNobodyHasNullPidAndIsSkipped() throws {
        try #require(getuid() == 0, "needs root to own the listener")
        let (server, port) = try PortPreflightTests.listener()
        defer { server.stop() }
        let check = try Self.runAsNobody(["--port", String(port)])
        #expect(check.status == 1)
        #expect(check.json["error"]?["code"] == "port_in_use")
        #expect(
            check.json["listeners"] == [
                [
                    "pid": .null, "uid": 0, "user": "root", "command": .null,
                    "address": .string("127.0.0.1:\(port)"),
                    "inode": check.json["listeners"]?.arrayValue?.first?["inode"] ?? .null,
                ]
            ])
        let kill = try Self.runAsNobody(["--port", String(port), "--kill", "--force", "--grace-ms", "100"])
        #expect(kill.status == 1)
        #expect(kill.json["skipped"] == [["pid": .null, "reason": "owner_unknown", "uid": 0]])
        #expect(kill.json["signalled"] == [])
        #expect(kill.json["error"]?["hint"]?.stringValue?.contains("not visible") == true)
        #expect(server.process.isRunning)
    }
}
