import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// Every test that starts a server runs one at a time: the probe's timing is what they
/// measure, and two shared cores starting a dozen Python servers at once would measure the
/// scheduler instead.
@Suite(.serialized) struct ProbeServerTests {}

/// The Python servers under Tests/Fixtures/ProbeKit, started on ephemeral ports.
enum ProbeFixtures {
    static let directory = "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit"

    /// A fault_server.py in `mode`; returns the process (stop it!) and its /mcp URL.
    /// With `--listen-delay` in `extra` it returns at the `PORT` line, before the server listens.
    static func fault(_ mode: String, _ extra: [String] = []) async throws -> (BackgroundProcess, URL) {
        let server = try BackgroundProcess.python("\(directory)/fault_server.py", ["--mode", mode] + extra)
        let prefix = extra.contains("--listen-delay") ? "PORT" : "READY"
        let line = try await offPool { try server.waitForLine(prefix: prefix) }
        let port = Int(line.split(separator: " ").last ?? "")!
        return (server, URL(string: "http://127.0.0.1:\(port)/mcp")!)
    }

    /// A real FastMCP server; waits for `READY` unless `waitReady` is false (then for `PORT`).
    static func fastmcp(_ arguments: [String] = [], waitReady: Bool = true) async throws -> (BackgroundProcess, URL) {
        let server = try BackgroundProcess.python("\(directory)/fastmcp_server.py", arguments)
        let line = try await offPool { try server.waitForLine(prefix: waitReady ? "READY" : "PORT", timeout: 60) }
        let port = Int(line.split(separator: " ").last ?? "")!
        return (server, URL(string: "http://127.0.0.1:\(port)/mcp")!)
    }

    /// An era_server.py (the SDK's low-level server, one era only): `era` is `legacy` or `modern`.
    static func era(_ era: String, _ extra: [String] = []) async throws -> (BackgroundProcess, URL) {
        let server = try BackgroundProcess.python("\(directory)/era_server.py", ["--era", era] + extra)
        let line = try await offPool { try server.waitForLine(prefix: "READY", timeout: 60) }
        let port = Int(line.split(separator: " ").last ?? "")!
        return (server, URL(string: "http://127.0.0.1:\(port)/mcp")!)
    }

    /// Runs `body` with an era_server.py and stops the server afterwards.
    static func withEra<T>(
        _ era: String, _ extra: [String] = [], _ body: (BackgroundProcess, URL) async throws -> T
    ) async throws -> T {
        let (server, url) = try await self.era(era, extra)
        return try await stopping(server) { try await body(server, url) }
    }

    /// The `REQ` lines an era_server.py logged so far, decoded (the server logs a request before
    /// answering it, so every request the probe got an answer to is among them).
    static func eraRequests(_ server: BackgroundProcess) -> [JSONValue] {
        server.lines.compactMap { line in
            guard line.hasPrefix("REQ ") else { return nil }
            return try? JSONValue.parse(Data(line.dropFirst(4).utf8), source: "REQ")
        }
    }

    /// Runs `body` with a fault server and stops the server afterwards, off the cooperative pool.
    static func withFault<T>(
        _ mode: String, _ extra: [String] = [], _ body: (BackgroundProcess, URL) async throws -> T
    ) async throws -> T {
        let (server, url) = try await fault(mode, extra)
        return try await stopping(server) { try await body(server, url) }
    }

    /// Runs `body` with a FastMCP server and stops the server afterwards, off the cooperative pool.
    static func withFastMCP<T>(
        _ arguments: [String] = [], waitReady: Bool = true, _ body: (BackgroundProcess, URL) async throws -> T
    ) async throws -> T {
        let (server, url) = try await fastmcp(arguments, waitReady: waitReady)
        return try await stopping(server) { try await body(server, url) }
    }

    private static func stopping<T>(_ server: BackgroundProcess, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            try? await offPool { server.stop() }
            return result
        } catch {
            try? await offPool { server.stop() }
            throw error
        }
    }

    /// The `REQ` lines a fault server logged, decoded.
    /// Waits (bounded) for the log line of the session's closing DELETE first: the server logs
    /// asynchronously to the answers the probe already has.
    static func requests(_ server: BackgroundProcess) async throws -> [JSONValue] {
        let decode: @Sendable (String) -> JSONValue? = { line in
            guard line.hasPrefix("REQ ") else { return nil }
            return try? JSONValue.parse(Data(line.dropFirst(4).utf8), source: "REQ")
        }
        _ = try await offPool {
            try server.waitForLine(described: "REQ of the DELETE", timeout: 10) { decode($0)?["method"] == "DELETE" }
        }
        return server.lines.compactMap(decode)
    }

    /// A `NAME <unix time>` line the server printed, as a Date.
    static func timestamp(_ server: BackgroundProcess, _ name: String) async throws -> Date {
        let line = try await offPool { try server.waitForLine(prefix: name + " ", timeout: 10) }
        return Date(timeIntervalSince1970: Double(line.split(separator: " ")[1])!)
    }
}

extension ProbeReport {
    var code: ErrorCode? { error?.code }
    var outcomes: [String] { attempts.compactMap { $0["outcome"]?.stringValue } }
    func attempts(phase: String) -> [JSONValue] { attempts.filter { $0["phase"]?.stringValue == phase } }
    var toolNames: [String] { fields["tools"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

/// Runs a probe and measures how long it took.
func timedProbe(_ configuration: ProbeConfiguration) async -> (ProbeReport, Duration) {
    let clock = ContinuousClock()
    let began = clock.now
    let report = await Probe(configuration: configuration).run()
    return (report, clock.now - began)
}
