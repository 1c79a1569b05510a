import Foundation
import Glibc
import SmokeTestSupport

/// Real listeners and non-listening sockets for the tests, from the Python fixtures in
/// Tests/Fixtures/PortKit. Each is a BackgroundProcess: ready on its READY line, stopped by
/// the test (and by deinit as a last resort).
enum PortFixtures {
    static let directory = "\(ProjectPaths.root)/Tests/Fixtures/PortKit"
    static let listenerScript = "\(directory)/listener.py"
    static let clientScript = "\(directory)/client.py"

    static func listener(_ arguments: [String] = [], asUser nobody: Bool = false) throws -> (BackgroundProcess, Int) {
        try start(listenerScript, arguments, nobody: nobody)
    }

    static func client(_ arguments: [String]) throws -> (BackgroundProcess, Int) {
        try start(clientScript, arguments, nobody: false)
    }

    static func start(_ script: String, _ arguments: [String], nobody: Bool) throws -> (BackgroundProcess, Int) {
        try PythonFixture.start(script, arguments, asNobody: nobody)
    }

    /// A listener holding `count` consecutive ports somewhere in `window`, for tests that need a
    /// range whose every port they control. Bounded retries when a port is taken.
    static func consecutiveListener(count: Int, window: ClosedRange<Int> = 25000...31000) throws -> (
        BackgroundProcess, Int
    ) {
        var lastError: Error?
        for _ in 0..<25 {
            let base = Int.random(in: window.lowerBound...(window.upperBound - count))
            do {
                return try listener(["--port", String(base), "--count", String(count)])
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestFailure("no room for \(count) consecutive ports in \(window)")
    }

    /// Whether this host has IPv6 loopback (containers often run with IPv6 disabled); IPv6
    /// tests are skipped, visibly, where it is missing.
    static let ipv6Loopback: Bool = {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }()

    /// A port that was free a moment ago (bound to 0, read, closed).
    static func ephemeralPort() throws -> Int {
        let listener = try InProcessListener()
        defer { listener.close() }
        return listener.port
    }

    /// Waits (bounded) until the child has exited and been reaped.
    static func waitForExit(_ process: BackgroundProcess, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.process.isRunning, Date() < deadline { usleep(10_000) }
        return !process.process.isRunning
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A listening socket owned by the test process itself (close-on-exec, so no child inherits it).
final class InProcessListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init(host: String = "127.0.0.1") throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, host, &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw TestFailure("bind/listen: \(errno)")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(fd) }
}
