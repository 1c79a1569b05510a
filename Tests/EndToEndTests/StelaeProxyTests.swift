import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// stack/stelae_proxy.py, the offline stand-in for Stelae's Go proxy, serving real FastMCP stdio
/// servers (Tests/Fixtures/StelaeProxy) under the fixture tool overrides. A client's view comes
/// from the built probe-initialize and from a small MCP client (mcp_calls.py); the stack log is
/// the proxy's stderr. Every wait is bounded.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct StelaeProxyTests {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/StelaeProxy"
    static let proxy = "\(ProjectPaths.root)/stack/stelae_proxy.py"
    static let overridesPath = "\(fixtures)/tool_overrides.json"
    static let missingCommand = "/nonexistent/stelae-proxy-fixture-command"

    /// The environment the proxy (and through it every stdio server) gets: the test's own, without
    /// a PROXY_PORT that would choose the port.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PROXY_PORT"] = nil
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["FASTMCP_SHOW_SERVER_BANNER"] = "false"
        env["FASTMCP_CHECK_FOR_UPDATES"] = "off"
        return env.merging(extra) { $1 }
    }

    /// A fixture template with its placeholders filled, written as proxy.json into `directory`.
    static func render(
        _ template: String, into directory: TempDirectory, secret: String, port: String = "1",
        overrides: String = overridesPath
    ) throws -> String {
        var text = try String(contentsOfFile: "\(fixtures)/\(template)", encoding: .utf8)
        for (key, value) in [
            "PROXY_PORT": port, "TOOL_OVERRIDES_PATH": overrides, "PYTHON": ProjectPaths.python,
            "FIXTURES": fixtures, "SECRET": secret, "PID_DIR": directory.file("pids"),
        ] {
            text = text.replacingOccurrences(of: "{{\(key)}}", with: value)
        }
        try FileManager.default.createDirectory(atPath: directory.file("pids"), withIntermediateDirectories: true)
        return try directory.write("proxy.json", text)
    }

    /// The proxy on a port of its own choosing (`--port 0`), started and waited for until its
    /// `serving ... on http://127.0.0.1:P/mcp` line; stopped with SIGTERM when released.
    final class Stack: @unchecked Sendable {
        let directory: TempDirectory
        let secret = "s3cret-\(UUID().uuidString.prefix(8))"
        let process: BackgroundProcess
        let port: Int
        var url: String { "http://127.0.0.1:\(port)/mcp" }
        var log: String { process.stderr }

        init(template: String = "proxy.template.json", arguments: [String] = []) throws {
            directory = try TempDirectory(prefix: "stelae-proxy")
            let config = try StelaeProxyTests.render(template, into: directory, secret: secret)
            process = try Self.launch(config: config, arguments: arguments)
            port = try Self.waitForServing(process, timeout: 60)
        }

        /// The proxy on a free port, not yet waited for.
        static func launch(config: String, arguments: [String] = []) throws -> BackgroundProcess {
            try BackgroundProcess(
                ProjectPaths.python,
                [StelaeProxyTests.proxy, "--config", config, "--port", "0"] + arguments,
                environment: StelaeProxyTests.environment())
        }

        static func waitForServing(_ process: BackgroundProcess, timeout: Double) throws -> Int {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                for line in process.stderr.split(separator: "\n") where line.hasPrefix("stelae-proxy: serving ") {
                    if let range = line.range(of: #"127\.0\.0\.1:(\d+)/mcp"#, options: .regularExpression),
                        let port = Int(line[range].dropFirst("127.0.0.1:".count).dropLast("/mcp".count))
                    {
                        return port
                    }
                }
                if !process.process.isRunning { break }
                usleep(50_000)
            }
            throw NSError(
                domain: "StelaeProxyTests", code: 1,
                userInfo: [
                    NSLocalizedDescriptionKey:
                        "the proxy did not serve within \(timeout) s (running: \(process.process.isRunning)); stderr:\n\(process.stderr.suffix(4000))"
                ])
        }

        /// Pids the fixture servers wrote (servers and their helper children), by file name.
        func fixturePids() throws -> [String: Int32] { try Self.fixturePids(in: directory) }

        /// The pid each fixture server wrote into `<directory>/pids` when it started.
        static func fixturePids(in directory: TempDirectory) throws -> [String: Int32] {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.file("pids"))
            var pids: [String: Int32] = [:]
            for name in names where name.hasSuffix(".pid") {
                let text = try String(contentsOfFile: directory.file("pids/\(name)"), encoding: .utf8)
                pids[String(name.dropLast(4))] = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return pids
        }

        func stop(with signal: Int32) -> Double { Self.stop(process, with: signal) }

        /// Sends `signal` and waits (bounded) for the proxy to exit; returns the seconds it took.
        static func stop(_ process: BackgroundProcess, with signal: Int32) -> Double {
            let began = Date()
            kill(process.pid, signal)
            while process.process.isRunning, Date().timeIntervalSince(began) < 10 { usleep(5_000) }
            return Date().timeIntervalSince(began)
        }

        deinit { process.stop(grace: 5) }
    }

    // MARK: - /proc

    /// The fields after the command name in /proc/<pid>/stat: state, ppid, pgrp, ...
    static func procStat(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Alive = present and not a zombie (an orphan's zombie waits for PID 1, but it has exited).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let fields = procStat(pid) else { return false }
        return fields.first != "Z"
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let fields = procStat(pid), fields.count > 1 else { return false }
            return Int32(fields[1]) == parent && fields[0] != "Z"
        }
    }

    // MARK: - clients

    struct Call: Encodable {
        var name: String
        var arguments: [String: JSONValue] = [:]
    }

    static func observe(_ stack: Stack, calls: [Call]) throws -> JSONValue {
        let result = try ChildProcess.run(
            "timeout",
            [
                "60", ProjectPaths.python, "\(fixtures)/mcp_calls.py", "--url", stack.url,
                "--calls", try JSONValue(encoding: calls).encodedString(),
            ])
        guard result.status == 0 else {
            throw NSError(
                domain: "mcp_calls", code: Int(result.status),
                userInfo: [
                    NSLocalizedDescriptionKey: "mcp_calls failed (\(result.status)): \(result.stderr.suffix(3000))"
                ])
        }
        return try JSONValue.parse(Data(result.stdout.utf8), source: "mcp_calls")
    }

    static func logLines(_ log: String, server: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.hasPrefix("stelae-proxy: server=\(server) transport=") }
    }

    // MARK: - tests

    /// Tests that only look at a running stack share one (each start is a few seconds of Python).
    @Suite(.shared { try StelaeProxyTests.Stack() }) struct OneStack {
        @Test func publishesTheMergedToolsAfterTheOverridesAndLogsEachServer() throws {
            let stack = try SuiteShared.value(StelaeProxyTests.Stack.self)
            let out = stack.directory.file("live/tools.json")
            let probe = try ToolRun.run(
                "probe-initialize",
                [
                    "--url", stack.url, "--deadline", "20", "--tools-out", out,
                    "--require-tool", "reveal_secret", "--require-tool", "measure",
                ], environment: StelaeProxyTests.environment())
            #expect(probe.status == 0, "\(probe.stdout)\n\(probe.stderr)")
            #expect(probe.json["server_info"]?["name"] == "stelae")

            let listed = try JSONValue.load(path: out)["tools"]?.arrayValue ?? []
            var tools: [String: JSONValue] = [:]
            for tool in listed { if let name = tool["name"]?.stringValue { tools[name] = tool } }
            // Under their own names, no server prefix; hidden, disabled and shadowed tools absent.
            #expect(
                Set(tools.keys) == ["reveal_secret", "add", "whoami", "big", "fail", "greet", "measure", "beta_only"])
            #expect(listed.count == 8, "a name published twice")

            let overrides = try JSONValue.load(path: StelaeProxyTests.overridesPath)
            let measure = overrides["servers"]?["beta"]?["tools"]?["measure"]
            #expect(tools["measure"]?["inputSchema"] == measure?["inputSchema"])
            #expect(tools["measure"]?["outputSchema"] == measure?["outputSchema"])
            #expect(tools["measure"]?["description"] == "Echo a count back.")
            #expect(tools["add"]?["description"] == "Adds a and b (description from the tool overrides).")
            #expect(tools["greet"]?["description"] == "Beta's own description of greet.")  // not mentioned: as served
            #expect(tools["reveal_secret"]?["description"] == "Alpha's own description of secret.")
            // Annotations: master "*" merged under the tool's own override.
            #expect(tools["reveal_secret"]?["annotations"] == ["openWorldHint": false, "readOnlyHint": true])
            #expect(tools["greet"]?["annotations"] == ["openWorldHint": false])
            #expect(tools["whoami"]?["description"] == "Answers with the server's name (alpha).")

            // The stack log: one line per server, failures named with their reason and stderr.
            let log = stack.log
            for server in ["alpha", "beta", "broken", "crasher", "gamma"] {
                #expect(StelaeProxyTests.logLines(log, server: server).count == 1, "\(server): \(log)")
            }
            #expect(log.contains("stelae-proxy: server=alpha transport=stdio status=ready tools=5/6\n"))
            #expect(log.contains("stelae-proxy: server=beta transport=stdio status=ready tools=3/4\n"))
            #expect(
                log.contains(
                    "stelae-proxy: server=gamma transport=stdio status=ready tools=0/4 (server disabled by the tool overrides)\n"
                ))
            #expect(
                log.contains(
                    "stelae-proxy: server=broken transport=stdio status=failed reason=\"command not found: \(StelaeProxyTests.missingCommand)\"\n"
                ))
            let crasher = StelaeProxyTests.logLines(log, server: "crasher").first ?? ""
            #expect(crasher.contains("status=failed reason=\"exited with status 3 during start\""), "\(crasher)")
            #expect(crasher.contains("No module named stelae_missing"), "its last stderr lines: \(crasher)")
            #expect(
                log.contains(
                    "stelae-proxy: server=beta tool=whoami not published: the name 'whoami' is already published by server=alpha\n"
                ))
            #expect(log.contains("stelae-proxy: serving 8 tool(s) from 3 of 5 server(s) on \(stack.url)\n"))
            // A stdio server's stderr, relayed under its name.
            #expect(log.contains("[alpha] alpha fixture: starting\n"))
            #expect(log.contains("[crasher] crasher: ModuleNotFoundError: No module named stelae_missing\n"))
        }

        @Test func callsReachTheOriginalToolsAndAnswersPassThrough() throws {
            let stack = try SuiteShared.value(StelaeProxyTests.Stack.self)
            let observation = try StelaeProxyTests.observe(
                stack,
                calls: [
                    Call(name: "reveal_secret"),
                    Call(name: "whoami"),
                    Call(name: "measure", arguments: ["count": 7]),
                    Call(name: "greet", arguments: ["who": "proxy"]),
                    Call(name: "fail"),
                    Call(name: "big", arguments: ["size": 300_000]),
                    Call(name: "secret"), Call(name: "hidden"), Call(name: "gamma_only"), Call(name: "no_such_tool"),
                ])
            let calls = observation["calls"]?.arrayValue ?? []
            try #require(calls.count == 10)
            // The renamed tool reaches alpha's `secret`, which answers with the env value proxy.json set.
            #expect(calls[0]["is_error"] == false)
            #expect(calls[0]["structured"] == ["result": .string(stack.secret)])
            #expect(calls[0]["text"]?.stringValue == stack.secret)
            #expect(calls[1]["text"] == "alpha", "the first server in name order wins a shared name")
            #expect(calls[2]["structured"] == ["count": 7, "server": "beta"])
            #expect(calls[3]["text"] == "hello proxy from beta")
            #expect(calls[4]["is_error"] == true)
            #expect(calls[4]["text"]?.stringValue?.contains("alpha refuses") == true)
            // A 300 KB answer arrives whole (Stelae's Go proxy returned an empty body over 64 KiB).
            #expect(calls[5]["text"]?.stringValue == String(repeating: "x", count: 300_000))
            for call in calls[6...] {
                let name = call["name"]?.stringValue ?? "?"
                #expect(call["error"]?["code"] == -32602, "\(name): \(call)")
                #expect(call["error"]?["message"]?.stringValue == "Unknown tool: \(name)")
            }
            #expect(stack.log.contains("stelae-proxy: call tool=reveal_secret server=alpha (as secret) -> ok in "))
            #expect(stack.log.contains("stelae-proxy: call tool=fail server=alpha -> isError in "))
            #expect(stack.log.contains("stelae-proxy: call tool=secret -> unknown tool"))
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsEverythingPromptly(signal: Int32) throws {
        let stack = try Stack()
        let pids = try stack.fixturePids()
        #expect(Set(pids.keys) == ["alpha", "beta", "beta-child", "gamma", "gamma-child"])
        let direct = Set(Self.children(of: stack.process.pid))
        #expect(
            direct.isSuperset(of: [pids["alpha"], pids["beta"], pids["gamma"]].compactMap { $0 }), "\(direct) \(pids)")
        let watched = direct.union(pids.values)
        for pid in watched { #expect(Self.isAlive(pid), "pid \(pid) should be running before the stop") }

        let took = stack.stop(with: signal)
        #expect(!stack.process.process.isRunning)
        #expect(took < 2.0, "stopping took \(took) s")
        #expect(stack.process.process.terminationReason == .exit)
        #expect(stack.process.process.terminationStatus == 0)
        let survivors = watched.filter(Self.isAlive)
        #expect(survivors.isEmpty, "left running: \(survivors.sorted())")
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        #expect(stack.log.contains("stelae-proxy: \(name) received: stopping\n"))
        #expect(stack.log.hasSuffix("stelae-proxy: stopped\n"), "\(stack.log.suffix(500))")
    }

    /// The stdio servers start before the proxy imports its MCP side (about a second): a stop in
    /// that window still reaches every server, and the proxy ends as after any other stop.
    @Test func aSignalWhileTheServersStartStopsEverything() throws {
        let directory = try TempDirectory(prefix: "stelae-proxy")
        let config = try Self.render("proxy.template.json", into: directory, secret: "unused")
        let process = try Stack.launch(config: config)
        defer { process.stop(grace: 5) }
        var started: [Int32] = []
        let deadline = Date().addingTimeInterval(30)
        while started.count < 3, process.process.isRunning, Date() < deadline {
            started = Self.children(of: process.pid)
            usleep(5_000)
        }
        #expect(started.count >= 3, "the proxy's servers: \(started); stderr: \(process.stderr)")
        #expect(!process.stderr.contains("stelae-proxy: serving"), "served before the stop: \(process.stderr)")
        _ = Stack.stop(process, with: SIGTERM)
        #expect(!process.process.isRunning)
        #expect(process.process.terminationReason == .exit && process.process.terminationStatus == 0)
        let written = try Stack.fixturePids(in: directory).values
        let survivors = Set(started + written).filter(Self.isAlive)
        #expect(survivors.isEmpty, "left running: \(survivors.sorted())")
        #expect(process.stderr.contains("stelae-proxy: SIGTERM received: stopping\n"), "\(process.stderr)")
        #expect(process.stderr.hasSuffix("stelae-proxy: stopped\n"), "\(process.stderr.suffix(500))")
    }

    @Test func aServerThatNeverAnswersIsStoppedAtTheStartTimeoutAndTheOthersServe() throws {
        let began = Date()
        let stack = try Stack(template: "proxy.slow.template.json", arguments: ["--start-timeout", "10"])
        let waited = Date().timeIntervalSince(began)
        #expect(waited >= 10 && waited < 30, "served after \(waited) s")
        let log = stack.log
        #expect(
            log.contains(
                "stelae-proxy: server=silent transport=stdio status=failed reason=\"no answer within the start timeout (10 s)\" stderr=\"silent fixture: reading nothing, answering nothing\"\n"
            ), "\(log)")
        #expect(log.contains("stelae-proxy: server=alpha transport=stdio status=ready tools=5/6\n"), "\(log)")
        // Stopped at the timeout, not left running until the proxy's own stop.
        let silent = try #require(try stack.fixturePids()["silent"])
        let deadline = Date().addingTimeInterval(3)
        while Self.isAlive(silent), Date() < deadline { usleep(20_000) }
        #expect(!Self.isAlive(silent))
        let calls = try Self.observe(stack, calls: [Call(name: "reveal_secret")])["calls"]?.arrayValue ?? []
        #expect(calls.first?["text"]?.stringValue == stack.secret)
    }

    @Test func unusableConfigsAndTakenPortsFailAtOnceWithoutStartingAnything() throws {
        let directory = try TempDirectory(prefix: "stelae-proxy-bad")
        func runProxy(_ arguments: [String], _ extra: [String: String] = [:]) throws -> ProcessResult {
            try ChildProcess.run(
                "timeout", ["30", ProjectPaths.python, Self.proxy] + arguments,
                environment: Self.environment(extra))
        }
        let missing = try runProxy(["--config", directory.file("no-such-proxy.json"), "--port", "0"])
        #expect(missing.status == 2)
        #expect(
            missing.stderr
                == "stelae-proxy: cannot start: proxy config \(directory.file("no-such-proxy.json")) does not exist\n")

        let broken = try directory.write("broken_overrides.json", "{\"servers\": ")
        let withBrokenOverrides = try Self.render(
            "proxy.slow.template.json", into: directory, secret: "x", overrides: broken)
        let unreadable = try runProxy(["--config", withBrokenOverrides, "--port", "0"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("tool overrides \(broken) is not readable JSON"), "\(unreadable.stderr)")

        // The port: --port, else $PROXY_PORT, else mcpProxy.addr. A taken port is named.
        let listener = try BackgroundProcess(
            "python3",
            [
                "-c",
                """
                import socket, time
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
                print("READY", s.getsockname()[1], flush=True); time.sleep(120)
                """,
            ])
        defer { listener.stop() }
        let taken = try listener.waitForReadyPort(timeout: 20)
        let fromAddr = try Self.render("proxy.slow.template.json", into: directory, secret: "x", port: "\(taken)")
        let viaAddr = try runProxy(["--config", fromAddr])
        #expect(viaAddr.status == 1)
        #expect(
            viaAddr.stderr
                == "stelae-proxy: cannot start: cannot listen on 127.0.0.1:\(taken): Address already in use\n")
        let viaEnv = try runProxy(["--config", fromAddr], ["PROXY_PORT": "not-a-port"])
        #expect(viaEnv.status == 2)
        #expect(viaEnv.stderr.contains("PROXY_PORT gives 'not-a-port'"), "\(viaEnv.stderr)")
        let viaFlag = try runProxy(["--config", fromAddr, "--port", "\(taken)"], ["PROXY_PORT": "not-a-port"])
        #expect(viaFlag.status == 1)
        #expect(viaFlag.stderr.contains("cannot listen on 127.0.0.1:\(taken)"), "\(viaFlag.stderr)")
        // Nothing was started: no fixture server wrote its pid.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("pids")).isEmpty)
    }
}
