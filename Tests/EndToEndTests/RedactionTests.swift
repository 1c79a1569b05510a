import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// Every landed tool, run with secrets in its environment (`*_KEY`, `*_TOKEN`, `*_SECRET`,
/// `PASSWORD`), in env files, in URLs and in what its children print, on success and failure
/// paths: no secret value may appear in any byte it writes — stdout, stderr, and every file under
/// the directories it writes to. The one exception is a file that must hold a credential to do
/// its job (a rendered proxy config, a Codex home): it must be mode 0600.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RedactionTests {
    /// Secrets in the tools' process environment.
    static let environmentSecrets: [String: String] = [
        "STELAE_API_KEY": "sk-redact-key-4f1c9a7e2b",
        "GITHUB_TOKEN": "ghp-redact-token-8d3e5a1f6c",
        "CLIENT_SECRET": "cs-redact-secret-2b7f9e4d1a",
        "PASSWORD": "pw-redact-password-6a2c8e0f3b",
    ]
    /// Secrets the tools only meet in files, URLs or arguments.
    static let fileToken = "tok-envfile-only-9c4e2a7b1d"
    static let urlPassword = "url-pass-only-3e8b1f6a0c"
    static let headerToken = "hdr-token-only-5d9e2c8a4f"
    static var allSecrets: [String] { Array(environmentSecrets.values) + [fileToken, urlPassword, headerToken] }

    static func environment(home: String) -> [String: String] {
        var environment = [
            "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "GIT_CONFIG_NOSYSTEM": "1",
        ]
        environment.merge(environmentSecrets) { _, secret in secret }
        return environment
    }

    /// What one run wrote, and the files allowed to hold a credential.
    struct Written {
        var label: String
        var result: ProcessResult
        var directories: [String]
        var credentialFiles: Set<String> = []
    }

    /// Fails for every secret found outside a 0600 credential file; returns the credential files
    /// that do hold one (so a test can show the secret really reached its destination).
    @discardableResult
    static func expectNoLeak(_ written: Written, sourceLocation: SourceLocation = #_sourceLocation) -> Set<String> {
        var holding: Set<String> = []
        func scan(_ data: Data, _ place: String) {
            for secret in allSecrets where data.range(of: Data(secret.utf8)) != nil {
                Issue.record(
                    "\(written.label): secret \(secret.prefix(8))… in \(place)", sourceLocation: sourceLocation)
            }
        }
        scan(Data(written.result.stdout.utf8), "stdout")
        scan(Data(written.result.stderr.utf8), "stderr")
        for directory in written.directories {
            guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = "\(directory)/\(relative)"
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: path)
                else { continue }
                let hit = allSecrets.contains { data.range(of: Data($0.utf8)) != nil }
                guard hit else { continue }
                if written.credentialFiles.contains(path) {
                    holding.insert(path)
                    let mode =
                        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
                    #expect(
                        mode == 0o600,
                        "\(written.label): \(path) holds a credential with mode \(String(mode, radix: 8))",
                        sourceLocation: sourceLocation)
                } else {
                    scan(data, path)
                }
            }
        }
        return holding
    }

    static func run(_ tool: String, _ arguments: [String], cwd: String, home: String) throws -> ProcessResult {
        let result = try ChildProcess.run(
            ProjectPaths.binary(tool), arguments, cwd: cwd, environment: environment(home: home))
        #expect(!result.signalled, "\(tool) \(arguments) died from a signal")
        // Exactly one JSON document, whatever the path.
        let json = try JSONValue.parse(Data(result.stdout.utf8), source: "\(tool) stdout")
        #expect((json["ok"]?.boolValue == true) == (result.status == 0), "\(result.stdout)")
        return result
    }

    // MARK: render-manifest

    static let proxyTemplate = """
        {"mcpProxy": {"addr": ":{{PROXY_PORT}}", "baseURL": "{{PUBLIC_BASE_URL}}"},
         "mcpServers": {"stelae": {"type": "stdio", "command": "python3", "args": ["server.py"],
           "env": {"API_KEY": "{{STELAE_API_KEY}}", "AUTH": "{{AUTH_HEADER}}"}}}}
        """

    @Test func renderManifestKeepsSecretsInAPrivateProxyOnly() throws {
        let temp = try TempDirectory(prefix: "redact-render")
        try temp.write("t.json", Self.proxyTemplate)
        try temp.write("indirect.json", #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "auth": "{{AUTH_HEADER}}"}"#)
        try temp.write(".env", "FILE_TOKEN=\(Self.fileToken)\nAUTH_HEADER=Bearer ${FILE_TOKEN}\n")
        try temp.write("badport.env", "FILE_TOKEN=\(Self.fileToken)\nPROXY_PORT=${FILE_TOKEN}\n")
        try temp.write("broken.json", #"{"key": "\#(Self.environmentSecrets["STELAE_API_KEY"]!)", oops}"#)
        let catalog = "\(ProjectPaths.root)/stack/catalog/core.json"
        let common = ["--scope", "default", "--config-home", temp.file("home"), "--catalog", catalog]

        // Success: a secret variable straight in the template, one through an env-file variable.
        let direct = try Self.run(
            "render-manifest", ["render", "--template", "t.json", "--env-file", ".env", "--out-dir", "out"] + common,
            cwd: temp.path, home: temp.path)
        #expect(direct.status == 0, "\(direct.stdout)")
        let held = Self.expectNoLeak(
            .init(
                label: "render direct", result: direct, directories: [temp.file("out")],
                credentialFiles: [temp.file("out/proxy.json")]))
        #expect(held == [temp.file("out/proxy.json")], "the secrets reached proxy.json")

        // Success: the template names no secret variable, but a value it uses carries one.
        let indirect = try Self.run(
            "render-manifest",
            ["render", "--template", "indirect.json", "--env-file", ".env", "--out-dir", "indirect"] + common,
            cwd: temp.path, home: temp.path)
        #expect(indirect.status == 0, "\(indirect.stdout)")
        let heldIndirect = Self.expectNoLeak(
            .init(
                label: "render indirect", result: indirect, directories: [temp.file("indirect")],
                credentialFiles: [temp.file("indirect/proxy.json")]))
        #expect(heldIndirect == [temp.file("indirect/proxy.json")])

        // Failures: a secret as the port, a secret beside a syntax error, --check-only, a missing variable.
        let failures: [(String, [String], Int32)] = [
            ("bad port", ["render", "--template", "t.json", "--env-file", "badport.env", "--out-dir", "f1"], 2),
            (
                "bad port --set",
                [
                    "render", "--template", "t.json", "--set", "PROXY_PORT=\(Self.fileToken)",
                    "--set", "X_TOKEN=\(Self.fileToken)", "--out-dir", "f2",
                ], 2
            ),
            ("broken template", ["render", "--template", "broken.json", "--out-dir", "f3"], 2),
            ("missing variable", ["render", "--template", "t.json", "--out-dir", "f4"], 2),
            (
                "check-only",
                ["render", "--template", "t.json", "--env-file", ".env", "--check-only", "--out-dir", "f5"], 0
            ),
        ]
        for (label, arguments, expected) in failures {
            let result = try Self.run("render-manifest", arguments + common, cwd: temp.path, home: temp.path)
            #expect(result.status == expected, "\(label): \(result.stdout)")
            Self.expectNoLeak(
                .init(
                    label: "render \(label)", result: result,
                    directories: [
                        temp.file("f1"), temp.file("f2"),
                        temp.file("f3"), temp.file("f4"), temp.file("f5"),
                    ]))
            #expect(!FileManager.default.fileExists(atPath: temp.file("f5")), "--check-only wrote nothing")
        }
    }

    @Test func renderManifestDriftRedactsLiveNames() throws {
        let temp = try TempDirectory(prefix: "redact-drift")
        let token = Self.environmentSecrets["GITHUB_TOKEN"]!
        try temp.write("manifest.json", #"{"schemaVersion": 1, "tools": [{"name": "grep", "server": "stelae"}]}"#)
        try temp.write("live.json", #"{"tools": [{"name": "grep"}, {"name": "\#(token)"}]}"#)
        let drift = try Self.run(
            "render-manifest", ["drift", "--manifest", "manifest.json", "--live", "live.json"], cwd: temp.path,
            home: temp.path)
        #expect(drift.status == 1, "\(drift.stdout)")
        #expect(drift.stdout.contains(Redactor.placeholder), "the extra tool is reported, redacted")
        Self.expectNoLeak(.init(label: "drift", result: drift, directories: []))
    }

    // MARK: git-clean-check

    @Test func gitCleanCheckHidesURLCredentials() async throws {
        try await offPool { try gitCleanCheck() }
    }

    func gitCleanCheck() throws {
        let temp = try TempDirectory(prefix: "redact-git")
        let repo = temp.file("upstream")
        for arguments in [["init", "-q", repo], ["-C", repo, "commit", "-q", "--allow-empty", "-m", "one"]] {
            let git = try ChildProcess.run(
                "git", ["-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments,
                environment: Self.environment(home: temp.path))
            try #require(git.status == 0, "\(git.stderr)")
        }
        try temp.write("upstream/dirty.txt", "untracked\n")
        // A server that demands the URL's credentials (HTTP 401 otherwise), so they are really used.
        let bare = try ChildProcess.run("git", ["clone", "-q", "--bare", repo, temp.file("served/repo.git")])
        try #require(bare.status == 0, "\(bare.stderr)")
        let server = try BackgroundProcess(
            "python3",
            [
                "\(ProjectPaths.root)/Tests/Fixtures/GitKit/git_http_server.py", temp.file("served"),
                "--basic-auth", "smoke:\(Self.urlPassword)",
            ])
        defer { server.stop() }
        let port = try server.waitForReadyPort()
        let withCredentials = "http://smoke:\(Self.urlPassword)@127.0.0.1:\(port)/repo.git"

        let clone = try Self.run(
            "git-clean-check", ["clone", withCredentials, "clone"], cwd: temp.path, home: temp.path)
        #expect(clone.status == 0, "\(clone.stdout)")
        // libgit2 gets the credentials through a callback, so neither .git/config nor the reflogs hold them.
        Self.expectNoLeak(.init(label: "clone", result: clone, directories: [temp.file("clone")]))
        let unauthenticated = try Self.run(
            "git-clean-check", ["clone", "http://127.0.0.1:\(port)/repo.git", "anonymous"], cwd: temp.path,
            home: temp.path)
        #expect(unauthenticated.status == 3, "the server really demands credentials: \(unauthenticated.stdout)")
        let wrong = try Self.run(
            "git-clean-check", ["clone", "http://smoke:wrong-\(Self.urlPassword)@127.0.0.1:\(port)/repo.git", "wrong"],
            cwd: temp.path, home: temp.path)
        #expect(wrong.status == 3, "\(wrong.stdout)")
        #expect(wrong.stdout.contains("authentication failed"))
        Self.expectNoLeak(.init(label: "wrong password", result: wrong, directories: [temp.file("wrong")]))

        let refused = withCredentials.replacingOccurrences(of: ":\(port)/", with: ":1/")
        let runs: [(String, [String], Int32)] = [
            ("clone refused", ["clone", refused, "refused"], 3),
            ("clone dest not empty", ["clone", withCredentials, "clone"], 2),
            ("snapshot", ["snapshot", "upstream", "--out", "snap/baseline.json"], 0),
            ("verify dirty", ["verify", "upstream"], 1),
            ("verify baseline", ["verify", "upstream", "--baseline", "snap/baseline.json"], 0),
        ]
        for (label, arguments, expected) in runs {
            let result = try Self.run("git-clean-check", arguments, cwd: temp.path, home: temp.path)
            #expect(result.status == expected, "\(label): \(result.stdout)")
            Self.expectNoLeak(
                .init(label: label, result: result, directories: [temp.file("refused"), temp.file("snap")]))
        }
        #expect(!FileManager.default.fileExists(atPath: temp.file("refused")))
    }

    // MARK: port-preflight

    @Test func portPreflightRedactsListenerCommandLines() async throws {
        try await offPool { try portPreflight() }
    }

    func portPreflight() throws {
        let temp = try TempDirectory(prefix: "redact-port")
        let token = Self.environmentSecrets["GITHUB_TOKEN"]!
        // A listener whose command line carries a secret, as `server --token …` would.
        let script = """
            import signal, socket, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
            print("READY", s.getsockname()[1], flush=True)
            while True: s.accept()
            """
        let listener = try BackgroundProcess("python3", ["-c", script, "--token", token])
        defer { listener.stop() }
        let port = String(try listener.waitForReadyPort())

        let held = try Self.run("port-preflight", ["--port", port], cwd: temp.path, home: temp.path)
        #expect(held.status == 1, "\(held.stdout)")
        #expect(held.stdout.contains("--token \(Redactor.placeholder)"), "the listener's command is shown, redacted")
        Self.expectNoLeak(.init(label: "port held", result: held, directories: []))

        let random = try Self.run("port-preflight", ["--random", "--seed", "7"], cwd: temp.path, home: temp.path)
        #expect(random.status == 0)
        Self.expectNoLeak(.init(label: "port random", result: random, directories: []))

        // Only our own listener is on this port; --kill stops it and reports what it signalled.
        let killed = try Self.run(
            "port-preflight", ["--port", port, "--kill", "--grace-ms", "3000"], cwd: temp.path, home: temp.path)
        #expect(killed.status == 0, "\(killed.stdout)")
        Self.expectNoLeak(.init(label: "port kill", result: killed, directories: []))
    }

    // MARK: probe-initialize

    @Test func probeInitializeHidesHeadersAndEchoedCredentials() async throws {
        try await offPool { try probeInitialize() }
    }

    func probeInitialize() throws {
        let temp = try TempDirectory(prefix: "redact-probe")
        // A server that wants `Authorization: Bearer <token>` and echoes what it got on a 401.
        let server = try BackgroundProcess(
            "python3",
            [
                "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit/fault_server.py", "--mode", "auth", "--token",
                Self.headerToken,
            ])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(try server.waitForReadyPort())/mcp"
        let common = ["--url", url, "--deadline", "3", "--attempt-timeout", "1"]
        let runs: [(String, [String], Int32)] = [
            (
                "probe ok",
                common + [
                    "--header", "Authorization: Bearer \(Self.headerToken)", "--header", "X-Api-Key: \(Self.fileToken)",
                    "--tools-out", "out/tools.json", "--min-tools", "1",
                ], 0
            ),
            (
                "probe 401",
                common + [
                    "--header", "Authorization: Bearer wrong-\(Self.headerToken)", "--tools-out", "bad/tools.json",
                ], 1
            ),
            (
                "probe refused",
                [
                    "--url", "http://smoke:\(Self.urlPassword)@127.0.0.1:\(try closedPort())/mcp", "--deadline", "0.5",
                    "--header", "Authorization: Bearer \(Self.headerToken)",
                ], 1
            ),
            ("probe bad header", common + ["--header", "Authorization \(Self.headerToken)"], 2),
        ]
        for (label, arguments, expected) in runs {
            let result = try Self.run("probe-initialize", arguments, cwd: temp.path, home: temp.path)
            #expect(result.status == expected, "\(label): \(result.stdout)")
            Self.expectNoLeak(.init(label: label, result: result, directories: [temp.file("out"), temp.file("bad")]))
        }
        #expect(
            FileManager.default.fileExists(atPath: temp.file("out/tools.json")),
            "the authorised probe really listed the tools")
    }

    /// A port nothing listens on (bound by the kernel, then closed).
    func closedPort() throws -> Int {
        let listener = try BackgroundProcess(
            "python3",
            [
                "-c",
                "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print('READY', s.getsockname()[1], flush=True)",
            ])
        defer { listener.stop() }
        return try listener.waitForReadyPort()
    }

    // MARK: codex-stage

    static let fakeCodex = "\(ProjectPaths.root)/Tests/Fixtures/Hardening/fake_codex.sh"

    @Test func codexStageRedactsTranscriptsAndKeepsTheHomePrivate() async throws {
        try await offPool { try codexStage() }
    }

    func codexStage() throws {
        let temp = try TempDirectory(prefix: "redact-codex")
        try temp.write(
            "stages.json",
            #"""
            {"stages": [{"name": "leaky", "prompt": "p", "expectations": [{"tool": "echo"}]},
                        {"name": "empty", "prompt": "p", "expectations": []}]}
            """#)
        try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
        try temp.write("template/auth.json", #"{"OPENAI_API_KEY": "\#(Self.environmentSecrets["STELAE_API_KEY"]!)"}"#)
        let mcpURL = "http://smoke:\(Self.urlPassword)@127.0.0.1:9/mcp"
        func stage(_ name: String, mode: String, _ extra: [String] = []) throws -> ProcessResult {
            var environment = Self.environment(home: temp.path)
            environment["FAKE_CODEX_MODE"] = mode
            let arguments =
                [
                    "run", "--stages", "stages.json", "--name", name, "--cd", "repo", "--mcp-url", mcpURL,
                    "--codex", Self.fakeCodex, "--work", "work-\(mode)", "--timeout", "30", "--grace", "1",
                ] + extra
            let result = try ChildProcess.run(
                ProjectPaths.binary("codex-stage"), arguments, cwd: temp.path, environment: environment)
            #expect(!result.signalled)
            _ = try JSONValue.parse(Data(result.stdout.utf8), source: "codex-stage stdout")
            return result
        }

        let leak = try stage("leaky", mode: "leak", ["--keep-home", "--codex-home-template", "template"])
        #expect(leak.status == 1, "\(leak.stdout)")
        let home = temp.file("work-leak/codex-home-leaky")
        let held = Self.expectNoLeak(
            .init(
                label: "codex leak", result: leak, directories: [temp.file("work-leak")],
                credentialFiles: ["\(home)/config.toml", "\(home)/auth.json"]))
        #expect(held == ["\(home)/config.toml", "\(home)/auth.json"], "the credentials reached the kept home")
        let transcript = try String(contentsOfFile: temp.file("work-leak/transcripts/leaky.jsonl"), encoding: .utf8)
        #expect(transcript.contains("raw stdout \(Redactor.placeholder)"), "the leaking lines are kept, redacted")

        for (name, mode, expected, extra) in [
            ("leaky", "fail", Int32(1), [String]()), ("leaky", "hang", 124, ["--heartbeat-timeout", "1"]),
            ("empty", "ok", 0, []),
        ] {
            let result = try stage(name, mode: mode, extra)
            #expect(result.status == expected, "\(mode): \(result.stdout)")
            Self.expectNoLeak(.init(label: "codex \(mode)", result: result, directories: [temp.file("work-\(mode)")]))
        }

        // `check` on saved files that were never redacted (written elsewhere): its answer is.
        let token = Self.environmentSecrets["GITHUB_TOKEN"]!
        try temp.write(
            "saved/leaky.jsonl",
            """
            {"type":"item.completed","item":{"id":"1","type":"mcp_tool_call","server":"stelae","tool":"echo","arguments":{"t":"\(token)"},"status":"failed","error":{"message":"\(token)"}}}
            {"type":"turn.completed"}
            """)
        try temp.write("saved/leaky.stderr.log", "Authorization: Bearer \(token)\n")
        let check = try Self.run(
            "codex-stage", ["check", "--stages", "stages.json", "--name", "leaky", "saved/leaky.jsonl"],
            cwd: temp.path, home: temp.path)
        #expect(check.status == 1, "\(check.stdout)")
        Self.expectNoLeak(.init(label: "codex check", result: check, directories: []))
    }
}
