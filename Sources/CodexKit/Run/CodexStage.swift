import Foundation
import SmokeCore

/// `codex-stage run` and `codex-stage check`, as a library so tests drive them directly.
public enum CodexStage {
    public enum ModelMode: String, Sendable, CaseIterable {
        case scripted, real
    }

    public struct RunOptions: Sendable {
        public var stagesPath: String
        public var name: String
        public var cd: String
        public var mcpURL: String
        public var mcpServerName = "stelae"
        public var codex: String?
        public var codexHomeTemplate: String?
        public var work: String?
        public var transcripts: String?
        public var timeout: Double = 300
        public var heartbeatTimeout: Double = 120
        public var grace: Double = 3
        public var model: ModelMode = .scripted
        public var scriptPath: String?
        public var startupTimeout = 10
        public var toolTimeout = 30
        /// The scripted provider's `stream_idle_timeout_ms`, in seconds like every limit here.
        public var streamIdleTimeout: Double = 20
        public var extraArguments: [String] = []
        public var keepHome = false
        /// Root for the throwaway CODEX_HOME (nil: `HomePlacement.defaultScratch` when usable).
        public var scratch: String?
        /// Known failures of this stage, reported as expected (`known_failures`) instead of failing.
        public var baseline = Baseline()

        public init(stagesPath: String, name: String, cd: String, mcpURL: String) {
            self.stagesPath = stagesPath
            self.name = name
            self.cd = cd
            self.mcpURL = mcpURL
        }
    }

    /// Finds Codex: `--codex`, then `CODEX_BIN`, then the pinned venv package
    /// (`<venv>/lib/python*/site-packages/codex_cli_bin/bin/codex`, venv from `STELAE_SMOKE_VENV`
    /// or `./.venv`), then `codex` on PATH.
    public static func locateCodex(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SmokeError) -> String {
        let manager = FileManager.default
        if let path = explicit ?? environment["CODEX_BIN"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard manager.isExecutableFile(atPath: path) else {
                throw SmokeError(
                    .codexNotFound, "\(path): Codex binary not found or not executable",
                    hint:
                        "pass --codex PATH or set CODEX_BIN; `make deps` installs the pinned openai-codex-cli-bin into .venv"
                )
            }
            return path
        }
        var venvs: [String] = []
        if let venv = environment["STELAE_SMOKE_VENV"] { venvs.append(venv) }
        if let venv = environment["VIRTUAL_ENV"] { venvs.append(venv) }
        venvs.append(manager.currentDirectoryPath + "/.venv")
        for venv in venvs {
            let lib = "\(venv)/lib"
            for python in (try? manager.contentsOfDirectory(atPath: lib))?.sorted() ?? []
            where python.hasPrefix("python") {
                let candidate = "\(lib)/\(python)/site-packages/codex_cli_bin/bin/codex"
                if manager.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/codex"
            if manager.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SmokeError(
            .codexNotFound, "Codex binary not found (no --codex, CODEX_BIN, .venv codex_cli_bin or codex on PATH)",
            hint: "`make deps` installs the pinned openai-codex-cli-bin into .venv")
    }

    /// The longest limit a flag may set (about 31 years): larger ones are typos, and overflow Duration.
    public static let maximumSeconds: Double = 1e9

    public static func run(_ options: RunOptions) async throws(SmokeError) -> StageReport {
        URLCredentials.register(in: options.mcpURL)
        let stage = try StageFile.stage(named: options.name, path: options.stagesPath)
        // Finite and bounded too: Duration.seconds(1e30) or (inf) traps (found by the mutation test).
        let limits = [options.timeout, options.heartbeatTimeout, options.grace, options.streamIdleTimeout]
        guard limits.allSatisfy({ $0 >= 0 && $0 <= maximumSeconds }) else {
            throw SmokeError(
                .invalidTimeout,
                "--timeout, --heartbeat-timeout, --grace and --stream-idle-timeout must be 0 to \(Int(maximumSeconds)) seconds"
            )
        }
        guard let url = URL(string: options.mcpURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw SmokeError(
                .invalidURL, "--mcp-url '\(options.mcpURL)': expected an http(s) URL such as http://127.0.0.1:9090/mcp")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.cd, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw SmokeError(.cdNotFound, "--cd \(options.cd): not a directory")
        }
        // Both become absolute: the child starts in --cd, where relative paths would resolve twice.
        let cd = absolute(options.cd)
        let codex = absolute(try locateCodex(explicit: options.codex))
        let script: ModelScript? =
            switch options.model {
            case .scripted:
                try options.scriptPath.map { path throws(SmokeError) in
                    try ModelScript.load(path: path, defaultServer: options.mcpServerName)
                }
                    ?? ModelScript.calling(stage, defaultServer: options.mcpServerName)
            case .real: nil
            }

        let work = try workDirectory(options.work)
        let transcripts = absolute(options.transcripts ?? "\(work)/transcripts")
        let transcriptPath = "\(transcripts)/\(stage.name).jsonl"
        let stderrPath = "\(transcripts)/\(stage.name).stderr.log"
        let offeredPath = "\(transcripts)/\(stage.name).offered.json"
        try? FileManager.default.removeItem(atPath: offeredPath)

        // The model server starts beside the CODEX_HOME set-up (its port is known once bound);
        // the config needs only the port, and Codex's first request comes hundreds of ms later.
        let listener: LoopbackListener?
        if script != nil { listener = try LoopbackListener.open() } else { listener = nil }
        async let starting = startServer(script, on: listener)
        let prepared = Result { () throws(SmokeError) -> (HomePlacement, CodexHome) in
            let placement = try HomePlacement.choose(
                name: stage.name, work: work, keep: options.keepHome, scratch: options.scratch.map(absolute))
            do throws(SmokeError) {
                let template = options.codexHomeTemplate ?? (options.model == .real ? defaultRealTemplate() : nil)
                let home = try CodexHome.prepare(
                    at: placement.path, template: template,
                    settings: .init(
                        mcpServerName: options.mcpServerName, mcpURL: options.mcpURL,
                        startupTimeoutSeconds: options.startupTimeout,
                        toolTimeoutSeconds: options.toolTimeout,
                        scriptedBaseURL: listener.map { ScriptedModelServer.baseURL(port: $0.port) },
                        streamIdleTimeoutMs: Int((options.streamIdleTimeout * 1000).rounded())))
                return (placement, home)
            } catch {
                if !options.keepHome { try? FileManager.default.removeItem(atPath: placement.removable) }
                throw error
            }
        }
        let server: ScriptedModelServer?
        switch await starting {
        case .success(let started): server = started
        case .failure(let error):
            if case .success(let (placement, _)) = prepared, !options.keepHome {
                try? FileManager.default.removeItem(atPath: placement.removable)
            }
            throw error
        }
        let placement: HomePlacement
        let home: CodexHome
        switch prepared {
        case .success(let value): (placement, home) = value
        case .failure(let error):
            await server?.shutdown()
            throw error
        }
        // Whatever ends the stage, a throwaway home goes (it may hold credentials).
        func finish() async {
            await server?.shutdown()
            if !options.keepHome { try? FileManager.default.removeItem(atPath: placement.removable) }
        }
        let runner = StageRunner(
            executable: codex,
            arguments: [
                "exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write", "--ephemeral", "--cd", cd,
            ]
                + options.extraArguments + [stage.prompt],
            workingDirectory: cd, environment: ["CODEX_HOME": home.path],
            transcriptPath: transcriptPath, stderrPath: stderrPath,
            timeout: options.timeout, heartbeatTimeout: options.heartbeatTimeout, grace: options.grace)
        let result: StageRunner.Result
        do {
            result = try await runner.run()
        } catch {
            await finish()
            throw error
        }
        await finish()
        let offered = server?.offeredTools
        // Evidence beside the transcript, which is written line by line without a flush to disk either.
        if let offered { try FileIO.writeJSON(offered.json, to: offeredPath, durable: false) }

        let judge = StageJudge(
            stage: stage, transcript: result.transcript, stderr: result.stderr, offered: offered, end: result.end)
        var extra: [String: JSONValue] = [
            "mode": .string(options.model.rawValue),
            "codex": .string(codex),
            "mcp_url": .string(options.mcpURL),
            "mcp_server": .string(options.mcpServerName),
            "stderr_lines": .int(Int64(result.stderr.lines)),
        ]
        if options.keepHome { extra["codex_home"] = .string(home.path) }
        if let server { extra["model_requests"] = .int(Int64(server.requestCount)) }
        if offered != nil { extra["offered_file"] = .string(offeredPath) }
        return StageReport.make(
            judge: judge, transcriptPath: transcriptPath, stderrPath: stderrPath, duration: result.duration,
            extra: extra
        )
        .applying(options.baseline, judge: judge)
    }

    static func startServer(_ script: ModelScript?, on listener: LoopbackListener?) async -> Result<
        ScriptedModelServer?, SmokeError
    > {
        guard let script, let listener else { return .success(nil) }
        do { return .success(try await ScriptedModelServer.start(script: script, listener: listener)) } catch {
            return .failure(error)
        }
    }

    /// Judges saved files with the same logic as `run`. The stderr log and the offered-tools file
    /// default to their names beside the transcript when they exist.
    public static func check(
        stagesPath: String, name: String, transcriptPath: String, stderrPath: String?, offeredPath: String? = nil,
        baseline: Baseline = Baseline()
    ) throws(SmokeError) -> StageReport {
        let stage = try StageFile.stage(named: name, path: stagesPath)
        let base = transcriptPath.hasSuffix(".jsonl") ? String(transcriptPath.dropLast(".jsonl".count)) : transcriptPath
        var transcript = TranscriptParser()
        try TranscriptReader.forEachLine(path: transcriptPath) { transcript.consume(line: $0) }
        var stderr = StderrDigest()
        let stderrFile =
            stderrPath ?? (FileManager.default.fileExists(atPath: "\(base).stderr.log") ? "\(base).stderr.log" : nil)
        if let stderrFile {
            try TranscriptReader.forEachLine(path: stderrFile) { stderr.consume(line: $0) }
        }
        var offered: OfferedTools?
        let offeredFile = offeredPath ?? "\(base).offered.json"
        if FileManager.default.fileExists(atPath: offeredFile) {
            offered = OfferedTools(json: try JSONValue.load(path: offeredFile))
        }
        let judge = StageJudge(stage: stage, transcript: transcript, stderr: stderr, offered: offered, end: nil)
        return StageReport.make(
            judge: judge, transcriptPath: transcriptPath, stderrPath: stderrFile ?? "", duration: nil,
            extra: ["mode": "check"]
        ).applying(baseline, judge: judge)
    }

    static func workDirectory(_ given: String?) throws(SmokeError) -> String {
        if let given {
            let path = absolute(given)
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw SmokeError(.writeFailed, "--work \(path): cannot create: \(error.localizedDescription)")
            }
            return path
        }
        var template = Array("\(FileManager.default.temporaryDirectory.path)/codex-stage-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SmokeError(
                .writeFailed, "cannot create a work directory under \(FileManager.default.temporaryDirectory.path)")
        }
        return String(cString: made)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Real mode without a template: the user's own Codex home (provider and credentials).
    static func defaultRealTemplate() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let candidate = environment["CODEX_HOME"] ?? environment["HOME"].map { "\($0)/.codex" }
        guard let candidate, FileManager.default.fileExists(atPath: candidate) else { return nil }
        return candidate
    }
}
