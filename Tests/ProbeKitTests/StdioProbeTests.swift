import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// The stdio transport against real servers the probe starts itself: FastMCP from the pinned
/// venv, and the misbehaving ones of stdio_fault_server.py.
enum StdioFixtures {
    static let fastmcp = "\(ProbeFixtures.directory)/fastmcp_server.py"
    static let faults = "\(ProbeFixtures.directory)/stdio_fault_server.py"

    /// FastMCP over stdio (venv Python), `extra` appended to its arguments.
    static func fastMCP(_ extra: [String] = []) -> StdioCommand {
        StdioCommand(command: ProjectPaths.python, arguments: [fastmcp, "--stdio"] + extra)
    }

    /// stdio_fault_server.py in `mode` (system Python: quick to start, standard library only).
    static func fault(_ mode: String, _ extra: [String] = []) -> StdioCommand {
        StdioCommand(command: PythonFixture.systemPython, arguments: [faults, "--mode", mode] + extra)
    }

    /// Whether `pid` is a live process (a zombie is not: in a container PID 1 may never reap it).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first ?? ""
        return state != "Z" && state != "X"
    }
}

/// Runs a stdio probe and measures it.
func timedStdioProbe(_ configuration: StdioProbeConfiguration) async -> (StdioProbeResult, Duration) {
    let clock = ContinuousClock()
    let began = clock.now
    let result = await StdioProbe.run(configuration)
    return (result, clock.now - began)
}

extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct StdioProbeTests {
        @Test func fastMCPOverStdioListsEveryPage() async throws {
            // 5 tools, 2 per page: three tools/list calls with nextCursor.
            let result = await StdioProbe.run(
                StdioProbeConfiguration(
                    command: StdioFixtures.fastMCP(["--tools", "5", "--page-size", "2"]), deadline: .seconds(30),
                    requiredTools: ["tool_04"]))
            #expect(result.ok, "\(result.failure.map { "\($0.code): \($0.message)" } ?? "")")
            #expect(result.toolNames == (0..<5).map { String(format: "tool_%02d", $0) })
            #expect(result.serverInfo?["name"] == "fixture-fastmcp")
            #expect(result.era == .modern)
            #expect(result.protocolVersion == "2026-07-28")
            let ready = try #require(result.readyMs)
            let toolsReady = try #require(result.toolsReadyMs)
            #expect(ready <= toolsReady)
            #expect(result.stop == "terminated" || result.stop == "exited")
            #expect(result.skippedLines == 0)
            let pid = try #require(result.pid)
            #expect(!StdioFixtures.isAlive(pid))
        }

        @Test func toolWaitPollsUntilLateToolsAppear() async throws {
            // The first two listings hold only tool_00: the wait must list a third time.
            let result = await StdioProbe.run(
                StdioProbeConfiguration(
                    command: StdioFixtures.fastMCP(["--tools", "3", "--tools-after-lists", "2"]),
                    deadline: .seconds(30),
                    requiredTools: ["tool_02"]))
            #expect(result.ok, "\(result.failure.map { "\($0.code): \($0.message)" } ?? "")")
            #expect(result.toolNames == ["tool_00", "tool_01", "tool_02"])
            #expect(
                result.stderrTail.filter { $0.hasPrefix("TOOLS_LISTED") } == [
                    "TOOLS_LISTED 1", "TOOLS_LISTED 2", "TOOLS_LISTED 3",
                ])
        }

        @Test func missingToolEndsAtTheDeadlineWithWhatWasListed() async throws {
            let deadline: Duration = .seconds(3)
            let (result, took) = await timedStdioProbe(
                StdioProbeConfiguration(
                    command: StdioFixtures.fault("banner"), deadline: deadline, requiredTools: ["alpha", "grep"]))
            #expect(result.failure?.code == .toolsMissing)
            #expect(result.toolNames == ["alpha", "beta"])
            #expect(result.toolsMissing == ["grep"])
            #expect(result.failure?.message.contains("missing grep") == true)
            #expect(took >= deadline - .milliseconds(200))
            #expect(took < deadline + .seconds(2))
        }

        @Test func stoppingTakesDownTheWholeProcessGroup() async throws {
            let temp = try TempDirectory()
            let pidFile = temp.file("child.pid")
            let result = await StdioProbe.run(
                StdioProbeConfiguration(
                    command: StdioFixtures.fastMCP(["--tools", "1", "--child-pid-file", pidFile]),
                    deadline: .seconds(30),
                    listTools: true))
            #expect(result.ok, "\(result.failure.map { "\($0.code): \($0.message)" } ?? "")")
            let child = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
            // The child slept for 600 s in the server's group; only a signal to the group ends it.
            #expect(!StdioFixtures.isAlive(child), "child \(child) of the server still runs")
            #expect(!StdioFixtures.isAlive(try #require(result.pid)))
        }

        @Test func serverIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
            let deadline: Duration = .seconds(1)
            let grace: Duration = .milliseconds(500)
            let (result, took) = await timedStdioProbe(
                StdioProbeConfiguration(
                    command: StdioFixtures.fault("ignore_term"), deadline: deadline, stopGrace: grace))
            #expect(result.failure?.code == .timeout)
            #expect(result.stop == "killed")
            #expect(result.stderrTail == ["hanging on purpose"])
            #expect(took >= deadline + grace - .milliseconds(50))
            #expect(took < deadline + grace + .seconds(1))
            #expect(!StdioFixtures.isAlive(try #require(result.pid)))
        }

        @Test func exitBeforeAnsweringReportsStatusAndStderrTail() async throws {
            let result = await StdioProbe.run(
                StdioProbeConfiguration(command: StdioFixtures.fault("exit"), deadline: .seconds(20)))
            #expect(result.failure?.code == .exited)
            #expect(result.exitStatus == 3)
            #expect(result.stop == "exited")
            #expect(result.stderrTail.first == "starting fixture server")
            #expect(result.stderrTail.contains("fatal: cannot open the database /nonexistent/db.sqlite"))
            #expect(result.failure?.message.contains("exit status 3") == true)
            #expect(result.failure?.message.contains("fatal: cannot open the database") == true)
            #expect(result.elapsedMs < 5000)
        }

        @Test func hangIsTimeoutBoundedByTheDeadline() async throws {
            let deadline: Duration = .milliseconds(1500)
            let (result, took) = await timedStdioProbe(
                StdioProbeConfiguration(command: StdioFixtures.fault("hang"), deadline: deadline))
            #expect(result.failure?.code == .timeout)
            // auto asks server/discover first: a silent server gives no era verdict.
            #expect(result.failure?.message == "no answer to server/discover within 1.5 s")
            #expect(result.stop == "terminated")
            #expect(took >= deadline)
            #expect(took < deadline + .seconds(2))
        }

        @Test func garbageOnStdoutIsInvalidAnswerWithTheLinesAsEvidence() async throws {
            let deadline: Duration = .milliseconds(1500)
            let (result, took) = await timedStdioProbe(
                StdioProbeConfiguration(command: StdioFixtures.fault("garbage"), deadline: deadline))
            #expect(result.failure?.code == .invalidAnswer)
            #expect(result.skippedLines == 2)
            #expect(result.skippedSample == ["this is not json", "<html>nor this</html>"])
            #expect(result.failure?.message.contains("2 lines that are not JSON-RPC") == true)
            #expect(took < deadline + .seconds(2))
        }

        @Test func jsonRPCErrorIsInvalidAnswerAtOnce() async throws {
            let (result, took) = await timedStdioProbe(
                StdioProbeConfiguration(command: StdioFixtures.fault("rpc_error"), deadline: .seconds(20)))
            #expect(result.failure?.code == .invalidAnswer)
            #expect(result.rpcError?["code"] == -32602)
            #expect(result.failure?.message.contains("-32602: Unsupported protocol version") == true)
            #expect(took < .seconds(10))
        }

        @Test func bannerOnStdoutIsSkippedAndAServerPingIsAnswered() async throws {
            let result = await StdioProbe.run(
                StdioProbeConfiguration(command: StdioFixtures.fault("banner"), deadline: .seconds(20), listTools: true)
            )
            #expect(result.ok, "\(result.failure.map { "\($0.code): \($0.message)" } ?? "")")
            #expect(result.skippedLines == 1)
            #expect(result.skippedSample.first?.hasPrefix("Fixture server v1") == true)
            #expect(result.toolNames == ["alpha", "beta"])
            #expect(result.stderrTail.contains("PING_ANSWERED"))
        }

        @Test func environmentAndWorkingDirectoryReachTheCommand() async throws {
            // A relative script path only resolves in the right working directory.
            let command = StdioCommand(
                command: PythonFixture.systemPython, arguments: ["stdio_fault_server.py", "--mode", "banner"],
                environment: ["FIXTURE_TOOLS": "gamma,delta"], workingDirectory: ProbeFixtures.directory)
            let result = await StdioProbe.run(
                StdioProbeConfiguration(command: command, deadline: .seconds(20), listTools: true))
            #expect(result.ok, "\(result.failure.map { "\($0.code): \($0.message)" } ?? "")")
            #expect(result.toolNames == ["gamma", "delta"])
        }

        @Test(arguments: [
            "no-such-stdio-server-\(UUID().uuidString.prefix(8))", "/etc/passwd", "/nonexistent/bin/server", "/tmp",
        ])
        func missingOrNonExecutableCommandIsCommandNotFound(command: String) async throws {
            let result = await StdioProbe.run(
                StdioProbeConfiguration(command: StdioCommand(command: command), deadline: .seconds(5)))
            #expect(result.failure?.code == .commandNotFound)
            #expect(result.failure?.message.contains(command) == true)
            #expect(result.pid == nil)
        }

        @Test func missingWorkingDirectoryIsSpawnFailed() async throws {
            let command = StdioCommand(command: PythonFixture.systemPython, workingDirectory: "/nonexistent/dir")
            let result = await StdioProbe.run(StdioProbeConfiguration(command: command, deadline: .seconds(5)))
            #expect(result.failure?.code == .spawnFailed)
            #expect(result.failure?.message.contains("/nonexistent/dir") == true)
        }
    }
}
