import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// probe-initialize's per-server mode (--proxy-config) and plain stdio mode (--stdio), the built
/// binary against real servers: FastMCP over stdio and over HTTP, and the misbehaving ones.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ProbeInitializeProxyTests {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit"
    static let fastmcp = "\(fixtures)/fastmcp_server.py"
    static let faults = "\(fixtures)/stdio_fault_server.py"

    /// The environment without the variables that choose an endpoint or carry the fixture's secret.
    static var cleanEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PROBE_URL"] = nil
        env["PROXY_PORT"] = nil
        env["FIXTURE_API_KEY"] = nil
        return env
    }

    static let launchAllowance = Sanitizer.launchAllowance(
        "probe-initialize", failingWith: ["--url", "not a url", "--quiet"])

    private func probe(_ arguments: [String]) throws -> (ToolRun, Double) {
        let began = Date()
        let run = try ToolRun.run("probe-initialize", arguments, environment: Self.cleanEnvironment)
        return (run, Date().timeIntervalSince(began))
    }

    /// A FastMCP HTTP server and a port where nothing listens (bound, never listening), for `body`.
    private func withHTTPServers<T>(_ body: (_ mcpURL: String, _ closedURL: String) throws -> T) throws -> T {
        let web = try BackgroundProcess.python(Self.fastmcp, ["--tools", "2"])
        defer { web.stop() }
        let refuse = try BackgroundProcess.python("\(Self.fixtures)/fault_server.py", ["--mode", "refuse"])
        defer { refuse.stop() }
        let webPort = try web.waitForReadyPort(timeout: 60)
        let closedPort = try refuse.waitForReadyPort(timeout: 30)
        return try body("http://127.0.0.1:\(webPort)/mcp", "http://127.0.0.1:\(closedPort)/mcp")
    }

    private func writeConfig(_ temp: TempDirectory, _ servers: [String: JSONValue]) throws -> String {
        let path = temp.file("proxy.json")
        try FileIO.writeJSON(
            ["mcpProxy": ["addr": ":9090", "type": "streamable-http"], "mcpServers": .object(servers)], to: path)
        return path
    }

    private static func stdio(_ command: String, _ arguments: [String], env: [String: String] = [:]) -> JSONValue {
        var entry: [String: JSONValue] = [
            "type": "stdio", "command": .string(command), "args": .array(arguments.map(JSONValue.string)),
        ]
        if !env.isEmpty { entry["env"] = .object(env.mapValues(JSONValue.string)) }
        return .object(entry)
    }

    private static func fault(_ mode: String, env: [String: String] = [:]) -> JSONValue {
        // No "type": a command means stdio.
        var entry: [String: JSONValue] = [
            "command": .string(PythonFixture.systemPython), "args": [.string(faults), "--mode", .string(mode)],
        ]
        if !env.isEmpty { entry["env"] = .object(env.mapValues(JSONValue.string)) }
        return .object(entry)
    }

    private static func entries(_ run: ToolRun) -> [String: JSONValue] {
        var byName: [String: JSONValue] = [:]
        for entry in run.json["servers"]?.arrayValue ?? [] {
            if let name = entry["name"]?.stringValue { byName[name] = entry }
        }
        return byName
    }

    @Test func proxyConfigDiagnosesEveryServerOnItsOwnTransport() throws {
        let secret = "cfg-secret-\(UUID().uuidString)"
        try withHTTPServers { mcpURL, closedURL in
            let temp = try TempDirectory()
            let config = try writeConfig(
                temp,
                [
                    "fast": Self.stdio(
                        ProjectPaths.python, [Self.fastmcp, "--stdio", "--tools", "3", "--page-size", "2"]),
                    "missing": ["command": "no-such-mcp-server-binary", "args": ["--stdio"]],
                    "crash": Self.fault("exit", env: ["FIXTURE_API_KEY": secret]),
                    "hang": Self.fault("hang"),
                    "garbage": Self.fault("garbage"),
                    "web": ["type": "streamable-http", "url": .string(mcpURL)],
                    "down": ["url": .string(closedURL)],
                    "off": ["command": "no-such-binary-either", "options": ["disabled": true]],
                ])
            let deadline = 8.0
            let (run, took) = try probe([
                "--proxy-config", config, "--deadline", String(deadline),
                "--require-tool", "fast::tool_02", "--require-tool", "web::tool_01",
            ])
            #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
            #expect(run.json["ok"] == false)
            #expect(run.errorCode == "servers_not_ready")
            let message = run.json["error"]?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("5 of 7 servers not ready: "))
            for (name, code) in [
                ("crash", "exited"), ("down", "unreachable"), ("garbage", "invalid_answer"), ("hang", "timeout"),
                ("missing", "command_not_found"),
            ] {
                #expect(message.contains("\(name) (\(code))"), "\(message)")
            }
            #expect(run.json["servers_failed"] == ["crash", "down", "garbage", "hang", "missing"])
            #expect(run.json["servers_skipped"] == ["off"])
            #expect(run.json["proxy_config"]?.stringValue == config)
            #expect(
                run.json["servers"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                    "crash", "down", "fast", "garbage", "hang", "missing", "web",
                ])

            let servers = Self.entries(run)
            for (name, entry) in servers {
                for key in ["name", "transport", "ok", "tools", "elapsed_ms"] {
                    #expect(entry[key] != nil, "\(name) has no \(key)")
                }
                #expect((entry["ok"] == true) == (entry["error"] == nil), "\(name): ok and error disagree")
            }

            let fast = try #require(servers["fast"])
            #expect(fast["ok"] == true, "\(fast)")
            #expect(fast["transport"] == "stdio")
            #expect(fast["tools"] == ["tool_00", "tool_01", "tool_02"])
            #expect(fast["server_info"]?["name"] == "fixture-fastmcp")

            let web = try #require(servers["web"])
            #expect(web["ok"] == true, "\(web)")
            #expect(web["transport"] == "http")
            #expect(web["tools"] == ["tool_00", "tool_01"])
            #expect(web["url"]?.stringValue == mcpURL)

            let missing = try #require(servers["missing"])
            #expect(missing["error"]?["code"] == "command_not_found")
            let missingMessage = missing["error"]?["message"]?.stringValue ?? ""
            #expect(missingMessage.contains("no-such-mcp-server-binary") && missingMessage.contains("missing"))

            let crash = try #require(servers["crash"])
            #expect(crash["error"]?["code"] == "exited")
            #expect(crash["exit_status"] == 3)
            let tail = crash["stderr_tail"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(tail.contains("fatal: cannot open the database /nonexistent/db.sqlite"))
            #expect(tail.last == "api key was \(Redactor.placeholder)")
            #expect(crash["error"]?["message"]?.stringValue?.contains("exit status 3") == true)
            // The secret lives only in the config's env: still never printed.
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret))

            let hang = try #require(servers["hang"])
            #expect(hang["error"]?["code"] == "timeout")
            #expect(hang["stderr_tail"] == ["hanging on purpose"])
            let hangMs = Double(hang["elapsed_ms"]?.intValue ?? 0)
            #expect(hangMs >= deadline * 1000 && hangMs < (deadline + 2) * 1000, "hang took \(hangMs) ms")

            let garbage = try #require(servers["garbage"])
            #expect(garbage["error"]?["code"] == "invalid_answer")
            #expect((garbage["skipped_lines"]?.intValue ?? 0) >= 1)
            #expect(garbage["skipped_sample"]?.arrayValue?.first == "this is not json")

            let down = try #require(servers["down"])
            #expect(down["error"]?["code"] == "unreachable")
            #expect(down["last_attempt"]?["outcome"] == "refused")
            #expect(Double(down["elapsed_ms"]?.intValue ?? .max) < (deadline + 2) * 1000)

            #expect(took < deadline + 2 + Self.launchAllowance, "took \(took) s")
            #expect(run.stdout.split(separator: "\n").count == 1)
            #expect(run.stderr.contains("[timeout] server hang: no answer to server/discover"))
        }
    }

    @Test func everyServerReadyIsExit0() throws {
        try withHTTPServers { mcpURL, closedURL in
            let temp = try TempDirectory()
            let config = try writeConfig(
                temp,
                [
                    "fast": Self.stdio(ProjectPaths.python, [Self.fastmcp, "--stdio", "--tools", "2"]),
                    "web": ["type": "http", "url": .string(mcpURL)],
                    "down": ["url": .string(closedURL)],
                ])
            // --server leaves the unreachable one out; a bare tool is looked for in the union.
            let (run, _) = try probe([
                "--proxy-config", config, "--server", "fast", "--server", "web", "--require-tool", "tool_01",
                "--deadline", "30", "--quiet", "--pretty",
            ])
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.json["ok"] == true)
            #expect(run.json["servers"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["fast", "web"])
            #expect(run.json["servers_failed"] == [])
            #expect(run.json["tools_missing"] == [])
            #expect(run.stderr.isEmpty)
            #expect(run.stdout.contains("\n  \""))
        }
    }

    @Test func aRequiredToolTheServerDoesNotListIsToolNotListed() throws {
        let temp = try TempDirectory()
        let config = try writeConfig(temp, ["local": Self.fault("banner")])
        let (run, took) = try probe([
            "--proxy-config", config, "--require-tool", "local::gamma", "--deadline", "1.5", "--quiet",
        ])
        #expect(run.status == 1)
        #expect(run.errorCode == "servers_not_ready")
        let local = try #require(Self.entries(run)["local"])
        #expect(local["error"]?["code"] == "tool_not_listed")
        #expect(local["tools"] == ["alpha", "beta"])
        #expect(local["tools_missing"] == ["gamma"])
        #expect(took < 3.5 + Self.launchAllowance)
    }

    @Test(arguments: [
        ("absent", [String](), "file_not_found"),
        ("malformed", [String](), "invalid_json"),
        ("no-servers-key", [String](), "invalid_proxy_config"),
        ("bad-args", [String](), "invalid_proxy_config"),
        ("good", ["--server", "nope"], "unknown_server"),
        ("good", ["--require-tool", "nope::x"], "unknown_server"),
        ("good", ["--require-tool", "::x"], "invalid_argument"),
        ("good", ["--min-tools", "2"], "invalid_argument"),
        ("good", ["--url", "http://127.0.0.1:1/mcp"], "invalid_argument"),
        ("good", ["--stdio"], "invalid_argument"),
    ])
    func badConfigOrFlagsAreExit2(config: String, extra: [String], code: String) throws {
        let temp = try TempDirectory()
        let contents = [
            "malformed": #"{"mcpServers": {"a": {"command": "x",}}}"#,
            "no-servers-key": #"{"mcpProxy": {"addr": ":9090"}}"#,
            "bad-args": #"{"mcpServers": {"a": {"command": "x", "args": "--verbose"}}}"#,
            "good": #"{"mcpServers": {"a": {"command": "x"}}}"#,
        ]
        let path = temp.file("\(config).json")
        if let text = contents[config] { try temp.write("\(config).json", text) }
        let (run, _) = try probe(["--proxy-config", path] + extra)
        #expect(run.status == 2, "\(run.stdout)")
        #expect(run.errorCode == code)
        #expect(run.json["ok"] == false)
        if ["file_not_found", "invalid_json", "invalid_proxy_config"].contains(code) {
            #expect(run.json["error"]?["message"]?.stringValue?.contains(path) == true)
        }
        if config == "bad-args" {
            #expect(run.json["error"]?["message"]?.stringValue?.contains("mcpServers.a.args") == true)
        }
    }

    // MARK: - --stdio

    @Test func stdioModeWaitsForToolsAndWritesToolsOut() throws {
        let temp = try TempDirectory()
        let out = temp.file("live/tools.json")
        let (run, _) = try probe([
            "--stdio", "--require-tool", "tool_03", "--min-tools", "4", "--tools-out", out, "--deadline", "30",
            "--", ProjectPaths.python, Self.fastmcp, "--stdio", "--tools", "4", "--page-size", "3",
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.json["transport"] == "stdio")
        #expect(run.json["tools"] == ["tool_00", "tool_01", "tool_02", "tool_03"])
        #expect(run.json["server_info"]?["name"] == "fixture-fastmcp")
        #expect(run.json["tools_out"]?.stringValue == out)
        let written = try JSONValue.load(path: out)
        #expect(written["tools"]?.arrayValue?.count == 4)
        #expect(written["tools"]?.arrayValue?.first?["inputSchema"] != nil)
    }

    @Test func stdioModeEnvAndCwdReachTheServer() throws {
        // The script path is relative: it resolves only in --cwd.
        let (run, _) = try probe([
            "--stdio", "--cwd", Self.fixtures, "--env", "FIXTURE_TOOLS=gamma,delta", "--require-tool", "delta",
            "--quiet",
            "--", PythonFixture.systemPython, "stdio_fault_server.py", "--mode", "banner",
        ])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.json["tools"] == ["gamma", "delta"])
        #expect(run.json["skipped_lines"] == 1)
    }

    @Test func stdioModeFailures() throws {
        let (missing, _) = try probe(["--stdio", "--quiet", "--", "no-such-mcp-server-binary"])
        #expect(missing.status == 3)
        #expect(missing.errorCode == "command_not_found")

        let (notReady, took) = try probe([
            "--stdio", "--quiet", "--deadline", "1.5", "--require-tool", "gamma",
            "--", PythonFixture.systemPython, Self.faults, "--mode", "banner",
        ])
        #expect(notReady.status == 1)
        #expect(notReady.errorCode == "tools_not_ready")
        #expect(notReady.json["tools"] == ["alpha", "beta"])
        #expect(notReady.json["tools_missing"] == ["gamma"])
        #expect(took < 3.5 + Self.launchAllowance)

        let secret = "env-secret-\(UUID().uuidString)"
        let (crashed, _) = try probe([
            "--stdio", "--quiet", "--env", "FIXTURE_API_KEY=\(secret)",
            "--", PythonFixture.systemPython, Self.faults, "--mode", "exit",
        ])
        #expect(crashed.status == 1)
        #expect(crashed.errorCode == "exited")
        #expect(crashed.json["exit_status"] == 3)
        #expect(crashed.json["stderr_tail"]?.arrayValue?.last == .string("api key was \(Redactor.placeholder)"))
        #expect(!crashed.stdout.contains(secret))

        let (usage, _) = try probe(["--stdio", "--quiet"])
        #expect(usage.status == 2)
        #expect(usage.errorCode == "usage")
        let (badEnv, _) = try probe(["--stdio", "--env", "NOEQUALS", "--", "true"])
        #expect(badEnv.status == 2)
        #expect(badEnv.errorCode == "invalid_argument")
    }
}
