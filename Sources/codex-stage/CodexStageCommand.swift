import ArgumentParser
import CodexKit
import ManifestKit
import SmokeCLI
import SmokeCore

@main
struct CodexStageCommand: ToolMain {
    static let toolName = "codex-stage"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Run one Codex stage against an MCP stack and judge its transcript.",
        version: SmokeVersion.current,
        subcommands: [RunStage.self, CheckStage.self, ServeModel.self]
    )
}

struct RunStage: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run `codex exec --json` for one stage, keep its transcript, judge it.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Stages file ({\"stages\": [{name, prompt, expectations}]}).") var stages: String
    @Option(help: "Stage to run.") var name: String
    @Option(help: "Directory Codex works in (--cd).") var cd: String
    @Option(help: "Streamable-HTTP URL of the MCP stack under test.") var mcpUrl: String
    @Option(help: "Config key of the MCP server (the mcp__<name> namespace).") var mcpServerName = "stelae"
    @Option(help: "Codex binary (default: CODEX_BIN, then the pinned .venv package, then PATH).") var codex: String?
    @Option(help: "Directory copied as the fresh CODEX_HOME (real mode default: $CODEX_HOME or ~/.codex).")
    var codexHomeTemplate: String?
    @Option(help: "Work directory for CODEX_HOME and default transcripts (default: a new temp dir).") var work: String?
    @Option(help: "Directory for <name>.jsonl, <name>.stderr.log, <name>.offered.json (default: <work>/transcripts).")
    var transcripts: String?
    @Option(help: "Whole-stage limit in seconds (0 = none).") var timeout: Double = 300
    @Option(help: "Stop after this many seconds without a new stdout or stderr line (0 = none).") var heartbeatTimeout:
        Double = 120
    @Option(help: "Seconds between SIGTERM and SIGKILL of the process group.") var grace: Double = 3
    @Option(help: "scripted (offline model on loopback) or real (your provider and key).") var model:
        CodexStage.ModelMode = .scripted
    @Option(help: "Scripted-model steps file (default: call every expected tool, then answer).") var script: String?
    @Option(help: "mcp_servers.<name>.startup_timeout_sec.") var startupTimeout: Int = 10
    @Option(help: "mcp_servers.<name>.tool_timeout_sec.") var toolTimeout: Int = 30
    @Option(help: "Scripted provider's stream_idle_timeout, in seconds.") var streamIdleTimeout: Double = 20
    // The older spelling in milliseconds, kept for scripts; every other time flag is in seconds.
    @Option(help: ArgumentHelp(visibility: .hidden)) var streamIdleTimeoutMs: Int?
    @Option(name: .customLong("codex-arg"), help: "Extra argument for codex exec (repeatable).") var codexArgs:
        [String] = []
    @Flag(help: "Keep the stage's CODEX_HOME (it may hold credentials; files are 0600).") var keepHome = false
    @Option(
        help:
            "Where the throwaway CODEX_HOME goes, in a private directory (default: /dev/shm when it is a writable tmpfs, else --work)."
    )
    var scratch: String?
    @Option(
        help:
            "The stack's curated manifest.json: a stage expecting a tool it does not hold is unknown_tool (exit 2) before Codex starts."
    )
    var manifest: String?
    @Option(
        help:
            "Known failures ({\"known_failures\": [{stage, tool?, code?, reason}]}): reported as expected, not failing; unmatched entries are stale."
    )
    var baseline: String?

    func execute() async throws -> ToolOutcome {
        let mode = model
        if mode == .real, script != nil {
            throw SmokeError(.usage, "--script applies to --model scripted only")
        }
        if let manifest {
            let names = try Drift.manifestNames(ManifestJSON.load(path: manifest), source: manifest)
            try StageFile.stage(named: name, path: stages).checkTools(against: names, source: manifest)
        }
        var options = CodexStage.RunOptions(stagesPath: stages, name: name, cd: cd, mcpURL: mcpUrl)
        options.mcpServerName = mcpServerName
        options.codex = codex
        options.codexHomeTemplate = codexHomeTemplate
        options.work = work
        options.transcripts = transcripts
        options.timeout = timeout
        options.heartbeatTimeout = heartbeatTimeout
        options.grace = grace
        options.model = mode
        options.scriptPath = script
        options.startupTimeout = startupTimeout
        options.toolTimeout = toolTimeout
        options.streamIdleTimeout = streamIdleTimeoutMs.map { Double($0) / 1000 } ?? streamIdleTimeout
        options.extraArguments = codexArgs
        options.keepHome = keepHome
        options.scratch = scratch
        if let baseline { options.baseline = try Baseline.load(path: baseline) }
        URLCredentials.register(in: mcpUrl)  // before the first log line names the URL
        let log = Log(tool: "codex-stage", quiet: common.quiet)
        log.info("stage \(name): codex exec against \(mcpUrl) (\(mode.rawValue) model)")
        let report = try await CodexStage.run(options)
        if let transcript = report.fields["transcript"]?.stringValue { log.info("transcript: \(transcript)") }
        return report.outcome
    }
}

struct CheckStage: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Judge a saved transcript with the same logic as `run`, running nothing.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Stages file.") var stages: String
    @Option(help: "Stage whose expectations apply.") var name: String
    @Option(help: "Codex stderr log (default: <transcript>.stderr.log beside it, if present).") var stderr: String?
    @Option(help: "Offered-tools file (default: <transcript>.offered.json beside it, if present).") var offered: String?
    @Option(help: "Known failures, as for run.") var baseline: String?
    @Argument(help: "The saved <name>.jsonl transcript.") var transcript: String

    func execute() async throws -> ToolOutcome {
        try CodexStage.check(
            stagesPath: stages, name: name, transcriptPath: transcript, stderrPath: stderr, offeredPath: offered,
            baseline: baseline.map { path throws(SmokeError) in try Baseline.load(path: path) } ?? Baseline()
        ).outcome
    }
}

struct ServeModel: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-model",
        abstract: "Serve a stage's scripted model on 127.0.0.1 until SIGTERM (for bare `codex exec` runs).")

    @OptionGroup var common: CommonOptions
    @Option(help: "Stages file.") var stages: String
    @Option(help: "Stage whose expectations make the default script.") var name: String
    @Option(help: "Scripted-model steps file.") var script: String?
    @Option(help: "Config key of the MCP server.") var mcpServerName = "stelae"
    @Option(help: "With --codex-home: the MCP stack URL written into its config.toml.") var mcpUrl: String?
    @Option(help: "Write a verified CODEX_HOME here pointing at this model and --mcp-url.") var codexHome: String?
    @Option(help: "Write `READY <port>` to this file once listening.") var readyFile: String?
    @Option(help: "Stop after this many seconds at the latest.") var maxSeconds: Double = 3600
    @Option(help: "mcp_servers.<name>.tool_timeout_sec for --codex-home.") var toolTimeout: Int = 30

    func execute() async throws -> ToolOutcome {
        var options = ModelService.Options(stagesPath: stages, name: name)
        options.scriptPath = script
        options.mcpServerName = mcpServerName
        options.mcpURL = mcpUrl
        options.codexHome = codexHome
        options.readyFile = readyFile
        options.maxSeconds = maxSeconds
        options.toolTimeout = toolTimeout
        return .success(try await ModelService.serve(options, log: Log(tool: "codex-stage", quiet: common.quiet)))
    }
}

/// `--model scripted|real`: ArgumentParser names the allowed values in its usage error.
extension CodexStage.ModelMode: ExpressibleByArgument {}
