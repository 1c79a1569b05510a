import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// `probe-initialize --load` as users run it: the built binary against the embedded stack
/// (stack/ rendered by the real render-manifest, served by stack/stelae_proxy.py) and against
/// Tests/Fixtures/ProbeKit/load_server.py, which stalls on purpose and counts what it saw.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ProbeInitializeLoadTests {
    static let loadServer = "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit/load_server.py"

    /// The embedded stack on a port of its own, over a throwaway git workspace.
    final class EmbeddedStack: @unchecked Sendable {
        let directory: TempDirectory
        let workspace: SmokeServerTests.Workspace
        let process: BackgroundProcess
        let port: Int
        var url: String { "http://127.0.0.1:\(port)/mcp" }
        var log: String { process.stderr }

        init() throws {
            directory = try TempDirectory(prefix: "load-stack")
            workspace = try SmokeServerTests.Workspace()
            let render = try ToolRun.run(
                "render-manifest",
                [
                    "render", "--template", "\(SmokePaths.stack)/proxy.template.json", "--catalog",
                    "\(SmokePaths.stack)/catalog/core.json",
                    "--scope", "default", "--config-home", directory.file("config"), "--state-home", directory.path,
                    "--out-dir", directory.path, "--set", "PROXY_PORT=1", "--set",
                    "STACK_PYTHON=\(ProjectPaths.python)",
                    "--set", "WORKSPACE_DIR=\(workspace.path)", "--quiet",
                ])
            guard render.status == 0, let config = render.json["outputs"]?["proxy"]?.stringValue else {
                throw NSError(
                    domain: "EmbeddedStack", code: 1,
                    userInfo: [NSLocalizedDescriptionKey: "render failed: \(render.stdout)"])
            }
            process = try BackgroundProcess(
                ProjectPaths.python, [StelaeProxyTests.proxy, "--config", config, "--port", "0"],
                environment: StelaeProxyTests.environment())
            port = try StelaeProxyTests.Stack.waitForServing(process, timeout: 60)
        }

        /// Waits (bounded) until the stack logged `count` lines containing `text`; returns how many it did.
        func logLines(containing text: String, reaching count: Int, within seconds: Double = 10) -> Int {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                let seen = log.split(separator: "\n").filter { $0.contains(text) }.count
                if seen >= count || Date() >= deadline { return seen }
                usleep(20_000)
            }
        }

        deinit { process.stop(grace: 5) }
    }

    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PROBE_URL"] = nil
        env["PROXY_PORT"] = nil
        return env
    }

    static let launchAllowance = Sanitizer.launchAllowance(
        "probe-initialize", failingWith: ["--url", "not a url", "--quiet"])

    private func probe(_ arguments: [String]) throws -> (ToolRun, Double) {
        let began = Date()
        let run = try ToolRun.run("probe-initialize", arguments + ["--quiet"], environment: Self.environment)
        return (run, Date().timeIntervalSince(began))
    }

    private func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: nil
        }
    }

    /// The issue's figures: 32 sessions for 10 s on the embedded stack, every one counted, no error.
    @Test func thirtyTwoSessionsForTenSecondsOnTheEmbeddedStack() throws {
        let stack = try EmbeddedStack()
        let (run, took) = try probe(["--url", stack.url, "--load", "32", "--duration", "10"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)\n\(stack.log.suffix(2000))")
        #expect(run.stdout.split(separator: "\n").count == 1)
        let load = try #require(run.json["load"]?.objectValue)
        #expect(run.json["era"] == "modern" && load["era"] == "modern")  // auto meets the stack in the modern era
        #expect(load["sessions"] == 32 && load["sessions_opened"] == 32 && load["request"] == "tools/list")
        let sessions = load["per_session"]?.arrayValue ?? []
        #expect(sessions.count == 32)
        for session in sessions {
            let requests = session["requests"]?.intValue ?? 0
            #expect(requests > 0 && session["ok"]?.intValue == requests && session["opened"] == true, "\(session)")
        }
        let requests = try #require(load["requests"]?.intValue)
        #expect(requests == sessions.compactMap { $0["requests"]?.intValue }.reduce(0, +))
        #expect(load["ok"]?.intValue == requests && load["failed"] == 0)
        #expect(load["errors"] == [:] && load["session_errors"] == [:])
        let latency = try #require(load["latency_ms"])
        let percentiles = ["p50", "p95", "p99", "max"].compactMap { number(latency[$0]) }
        #expect(percentiles.count == 4 && percentiles.first! > 0 && percentiles == percentiles.sorted(), "\(latency)")
        let window = try #require(load["window_ms"]?.intValue)
        #expect(window >= 10_000 && window < 10_000 + 5_500, "\(window)")
        #expect(took < 10 + 5.5 + 10 + Self.launchAllowance, "took \(took) s")
    }

    /// The handshake era and --call: every call the report counts is one the stack served.
    @Test func legacySessionsCallingATool() throws {
        let stack = try EmbeddedStack()
        let (run, _) = try probe([
            "--url", stack.url, "--era", "legacy", "--load", "4", "--duration", "2",
            "--call", "doc_fetch_suite", "--args", #"{"operation": "list_documents"}"#,
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let load = try #require(run.json["load"])
        #expect(load["era"] == "legacy" && load["request"] == "tools/call" && load["tool"] == "doc_fetch_suite")
        let requests = try #require(load["requests"]?.intValue)
        #expect(requests >= 4 && load["ok"]?.intValue == requests)
        let served = stack.logLines(
            containing: "call tool=doc_fetch_suite server=stelae -> ok", reaching: Int(requests))
        #expect(served == Int(requests), "\(stack.log.suffix(2000))")
    }

    /// A server that never answers the repeated request: the command still returns within
    /// duration + grace (plus its start and readiness probe), every request a timeout.
    @Test func aHangingServerEndsWithinDurationPlusGrace() throws {
        let server = try BackgroundProcess.python(Self.loadServer, ["--hang-lists"])
        defer { server.stop() }
        let port = try server.waitForReadyPort()
        let (run, took) = try probe([
            "--url", "http://127.0.0.1:\(port)/mcp", "--load", "4", "--duration", "1", "--attempt-timeout", "1",
        ])
        #expect(run.status == 1)
        #expect(run.errorCode == "load_errors")
        let load = try #require(run.json["load"])
        let requests = try #require(load["requests"]?.intValue)
        #expect(
            requests >= 4 && load["errors"]?["timeout"]?["count"]?.intValue == requests && load["ok"] == 0, "\(load)")
        #expect(
            run.json["error"]?["message"]?.stringValue?.contains(
                "\(requests) of \(requests) requests failed (\(requests) timeout)") == true)
        #expect(took < 1 + 1.5 + 1.5 + Self.launchAllowance, "took \(took) s")
        let read = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())"
        let stats = try JSONValue.parse(
            Data(
                try ChildProcess.run(ProjectPaths.python, ["-c", read, "http://127.0.0.1:\(port)/stats?idle=3"]).stdout
                    .utf8),
            source: "stats")
        #expect(stats["open"] == 0 && stats["lists"]?.intValue == requests, "\(stats)")
    }

    @Test func nothingListeningIsExit3() throws {
        let server = try BackgroundProcess.python(
            "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit/fault_server.py", ["--mode", "refuse"])
        defer { server.stop() }
        let port = try server.waitForReadyPort()
        let (run, _) = try probe([
            "--url", "http://127.0.0.1:\(port)/mcp", "--load", "2", "--duration", "1", "--deadline", "1",
        ])
        #expect(run.status == 3)
        #expect(run.errorCode == "server_unreachable")
        #expect(run.json["load"] == .null)
    }

    static let url = ["--url", "http://127.0.0.1:9/mcp"]

    /// Bad flags: exit 2, the code, a message naming the flag; nothing is contacted.
    @Test(arguments: [
        (url + ["--load", "0"], "--load 0: must be 1 to 1000 sessions"),
        (url + ["--load=-2"], "--load -2: must be 1 to 1000 sessions"),
        (url + ["--load", "4", "--duration=-1"], "--duration -1.0: must be > 0 and ≤ 3600 seconds"),
        (url + ["--load", "4", "--duration", "0"], "--duration 0.0: must be > 0 and ≤ 3600 seconds"),
        (url + ["--duration", "5"], "--duration cannot be used without --load"),
        (url + ["--load", "4", "--call", "x", "--expect-error"], "--expect-error cannot be used with --load"),
        (
            ["--load", "4", "--stdio", "--", "python3", "server.py"],
            "--load cannot be used with --stdio: the load mode speaks streamable HTTP only"
        ),
        (["--load", "4", "--proxy-config", "/nonexistent/proxy.json"], "--load cannot be used with --proxy-config"),
    ])
    func badFlagsAreExit2(_ arguments: [String], _ message: String) throws {
        let (run, took) = try probe(arguments)
        #expect(run.status == 2, "\(run.stdout)")
        #expect(run.errorCode == "invalid_argument")
        #expect(run.json["error"]?["message"]?.stringValue == message)
        #expect(took < 2 + Self.launchAllowance)
    }
}
