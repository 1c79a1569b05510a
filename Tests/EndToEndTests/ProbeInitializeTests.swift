import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// probe-initialize as users run it: the built binary against real servers on 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ProbeInitializeTests {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit"

    /// The environment without the variables that choose the endpoint.
    static var cleanEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PROBE_URL"] = nil
        env["PROXY_PORT"] = nil
        return env
    }

    private func withServer<T>(_ script: String, _ arguments: [String], _ body: (BackgroundProcess, Int) throws -> T)
        throws -> T
    {
        let server = try BackgroundProcess.python("\(Self.fixtures)/\(script)", arguments)
        defer { server.stop() }
        let port = try server.waitForReadyPort(timeout: 60)
        return try body(server, port)
    }

    /// The deadline bounds below are the probe's own; under a sanitizer the instrumented
    /// binary's launch and exit come on top (an invalid URL exits before any network work).
    static let launchAllowance = Sanitizer.launchAllowance(
        "probe-initialize", failingWith: ["--url", "not a url", "--quiet"])

    private func probe(_ arguments: [String], environment: [String: String] = cleanEnvironment) throws -> (
        ToolRun, Double
    ) {
        let began = Date()
        let run = try ToolRun.run("probe-initialize", arguments, environment: environment)
        return (run, Date().timeIntervalSince(began))
    }

    @Test func readyFastMCPWithToolsOut() throws {
        try withServer("fastmcp_server.py", ["--tools", "5", "--page-size", "2"]) { _, port in
            let temp = try TempDirectory()
            let out = temp.file("live/tools.json")
            let (run, _) = try probe([
                "--url", "http://127.0.0.1:\(port)/mcp", "--min-tools", "5", "--require-tool", "tool_04",
                "--tools-out", out, "--deadline", "20",
            ])
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.json["ok"] == true)
            #expect(run.json["tool"] == "probe-initialize")
            // FastMCP serves both eras: auto (the default) meets it in the modern one, no session.
            #expect(run.json["era"] == "modern")
            #expect(run.json["session"] == false)
            #expect(run.json["server_info"]?["name"] == "fixture-fastmcp")
            #expect(run.json["tools"] == ["tool_00", "tool_01", "tool_02", "tool_03", "tool_04"])
            #expect(run.json["ready_ms"]?.intValue != nil)
            #expect(run.stdout.split(separator: "\n").count == 1)  // one compact JSON document
            #expect(run.stderr.contains("attempt 1 server/discover: ok"))
            let written = try JSONValue.load(path: out)
            #expect(written.objectValue?.keys.sorted() == ["tools"])
            #expect(written["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.count == 5)
        }
    }

    @Test func refusedEndsWithExit1AtTheDeadline() throws {
        try withServer("fault_server.py", ["--mode", "refuse"]) { _, port in
            let (run, took) = try probe(["--url", "http://127.0.0.1:\(port)/mcp", "--deadline", "1.5", "--quiet"])
            #expect(run.status == 1)
            #expect(run.errorCode == "connection_refused")
            #expect(run.json["ready_ms"] == .null)
            #expect((run.json["attempts"]?.arrayValue?.count ?? 0) >= 3)
            #expect(run.stderr.isEmpty)
            #expect(took < 2.5 + Self.launchAllowance, "took \(took) s")
        }
    }

    @Test func hangingServerEndsWithinDeadlinePlusOneSecond() throws {
        try withServer("fault_server.py", ["--mode", "hang"]) { _, port in
            let (run, took) = try probe([
                "--url", "http://127.0.0.1:\(port)/mcp", "--deadline", "2", "--attempt-timeout", "0.5",
            ])
            #expect(run.status == 1)
            #expect(run.errorCode == "timeout")
            #expect(took < 3.0 + Self.launchAllowance, "took \(took) s")
        }
    }

    @Test func garbageBodyIsInvalidBodyWithItsFirstBytes() throws {
        try withServer("fault_server.py", ["--mode", "garbage"]) { _, port in
            let (run, _) = try probe(["--url", "http://127.0.0.1:\(port)/mcp", "--pretty"])
            #expect(run.status == 1)
            #expect(run.errorCode == "invalid_body")
            #expect(
                run.json["attempts"]?.arrayValue?.first?["body_preview"]?.stringValue?.contains("It works!") == true)
            #expect(run.stdout.contains("\n  \""))  // --pretty
        }
    }

    @Test func endpointFromPROBE_URLThenPROXY_PORT() throws {
        try withServer("fault_server.py", ["--mode", "mcp"]) { _, port in
            var env = Self.cleanEnvironment
            env["PROBE_URL"] = "http://127.0.0.1:\(port)/mcp"
            let (fromURL, _) = try probe([], environment: env)
            #expect(fromURL.status == 0)
            #expect(fromURL.json["url"]?.stringValue == "http://127.0.0.1:\(port)/mcp")

            env["PROBE_URL"] = nil
            env["PROXY_PORT"] = String(port)
            let (fromPort, _) = try probe([], environment: env)
            #expect(fromPort.status == 0)
            #expect(fromPort.json["url"]?.stringValue == "http://127.0.0.1:\(port)/mcp")
        }
    }

    @Test(arguments: [
        ([String](), "missing_url"),
        (["--url", "ftp://x/y"], "invalid_url"),
        (["--url", "http://127.0.0.1:1/mcp", "--header", "NoColon"], "invalid_header"),
        (["--url", "http://127.0.0.1:1/mcp", "--deadline=-1"], "invalid_argument"),
        (["--url", "http://127.0.0.1:1/mcp", "--attempt-timeout", "0"], "invalid_argument"),
        (["--url", "http://127.0.0.1:1/mcp", "--min-tools", "many"], "usage"),
    ])
    func badInputIsExit2(arguments: [String], code: String) throws {
        let (run, _) = try probe(arguments)
        #expect(run.status == 2)
        #expect(run.errorCode == code)
        #expect(run.json["ok"] == false)
    }

    @Test func credentialsNeverReachTheOutput() throws {
        let token = "tok-\(UUID().uuidString)"
        try withServer("fault_server.py", ["--mode", "auth", "--token", token]) { _, port in
            let url = "http://127.0.0.1:\(port)/mcp"
            let (good, _) = try probe(["--url", url, "--header", "Authorization: Bearer \(token)"])
            #expect(good.status == 0)
            #expect(!good.stdout.contains(token) && !good.stderr.contains(token))

            // A wrong credential is echoed back by the server into the body preview: redacted.
            let wrong = "wrong-\(UUID().uuidString)"
            let (bad, _) = try probe(["--url", url, "--header", "Authorization: Bearer \(wrong)"])
            #expect(bad.status == 1)
            #expect(bad.errorCode == "http_status")
            let preview = bad.json["attempts"]?.arrayValue?.first?["body_preview"]?.stringValue ?? ""
            #expect(preview.contains(Redactor.placeholder))
            #expect(!bad.stdout.contains(wrong) && !bad.stderr.contains(wrong))
        }
    }

    @Test func waitPortAttemptsComeFirst() throws {
        try withServer("fault_server.py", ["--mode", "refuse"]) { _, port in
            let (run, took) = try probe(["--url", "http://127.0.0.1:\(port)/mcp", "--wait-port", "--deadline", "1"])
            #expect(run.status == 1)
            #expect(run.errorCode == "connection_refused")
            let outcomes = run.json["attempts"]?.arrayValue?.compactMap { $0["outcome"]?.stringValue } ?? []
            #expect(!outcomes.isEmpty && outcomes.allSatisfy { $0 == "port_refused" })
            #expect(took < 2.0 + Self.launchAllowance, "took \(took) s")
        }
    }

    @Test func missingToolsAreExit1ToolsNotReady() throws {
        try withServer("fault_server.py", ["--mode", "mcp"]) { _, port in
            let (run, took) = try probe([
                "--url", "http://127.0.0.1:\(port)/mcp", "--require-tool", "alpha", "--require-tool", "grep",
                "--deadline", "1.5",
            ])
            #expect(run.status == 1)
            #expect(run.errorCode == "tools_not_ready")
            #expect(run.json["tools"] == ["alpha", "beta"])
            #expect(run.json["tools_missing"] == ["grep"])
            #expect(run.json["session_end"] == "deleted")
            #expect(took < 2.5 + Self.launchAllowance, "took \(took) s")
        }
    }
}
