import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The FastMCP fixture server (Tests/Fixtures/CodexKit/mcp_fixture.py) on 127.0.0.1.
final class FixtureServer: Sendable {
    let process: BackgroundProcess
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/mcp" }

    init() throws {
        process = try BackgroundProcess.python("\(ProjectPaths.root)/Tests/Fixtures/CodexKit/mcp_fixture.py")
        port = try process.waitForReadyPort(timeout: 60)
    }

    deinit { process.stop() }
}

/// A temp work area with a stages file, and helpers to run a stage with the real Codex CLI.
final class StageHarness: Sendable {
    let temp: TempDirectory
    let stagesPath: String
    let codex: String

    init(stages: String) throws {
        temp = try TempDirectory(prefix: "codex-stage-test")
        stagesPath = try temp.write("stages.json", stages)
        try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
        guard let codex = ProjectPaths.codex else {
            throw NSError(
                domain: "StageHarness", code: 1,
                userInfo: [NSLocalizedDescriptionKey: "the pinned Codex CLI is missing: run `make deps`"])
        }
        self.codex = codex
    }

    func options(_ name: String, mcpURL: String) -> CodexStage.RunOptions {
        var options = CodexStage.RunOptions(stagesPath: stagesPath, name: name, cd: temp.file("repo"), mcpURL: mcpURL)
        options.codex = codex
        options.work = temp.file("work")
        options.transcripts = temp.file("transcripts")
        options.timeout = 60
        options.heartbeatTimeout = 30
        options.grace = 2
        return options
    }

    /// Writes an executable shell wrapper (for --codex) and returns its path.
    func wrapper(_ name: String, _ body: String) throws -> String {
        let path = temp.file(name)
        // O_CLOEXEC write + rename: a concurrent fork elsewhere cannot keep it open for writing (ETXTBSY).
        try FileIO.writeAtomically("#!/bin/bash\nCODEX='\(codex)'\n\(body)\n", to: path, mode: 0o755)
        return path
    }

    func script(_ name: String, _ json: String) throws -> String { try temp.write(name, json) }

    /// `check` on the files `run` left, so each test can assert both agree.
    func check(_ report: StageReport, name: String) throws -> StageReport {
        try CodexStage.check(stagesPath: stagesPath, name: name, transcriptPath: report.transcriptPath, stderrPath: nil)
    }
}

extension StageReport {
    var transcriptPath: String { fields["transcript"]?.stringValue ?? "" }
    var stderrLogPath: String { fields["stderr_log"]?.stringValue ?? "" }
    var code: ErrorCode? { error?.code }
    var calls: [JSONValue] { fields["calls"]?.arrayValue ?? [] }
    var expectationResults: [JSONValue] { fields["expectations"]?.arrayValue ?? [] }
}

/// A port nothing listens on: bound by the kernel, then closed.
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Lines of a file, read whole (tests only; files here are small or bounded).
func fileLines(_ path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}
