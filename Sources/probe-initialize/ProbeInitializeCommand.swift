import ArgumentParser
import Foundation
import ProbeKit
import SmokeCLI
import SmokeCore

extension EraChoice: ExpressibleByArgument {}

@main
struct ProbeInitializeCommand: ToolMain, ToolCommand {
    static let toolName = "probe-initialize"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract:
            "Wait until an MCP server is ready in either protocol era (server/discover or initialize), lists what is asked for and answers a tool call: a streamable-HTTP endpoint (--url), a stdio server (--stdio -- CMD ARGS…), or every server of a proxy.json (--proxy-config).",
        usage: """
            probe-initialize [--url URL] [--era auto|modern|legacy] [--call NAME [--args JSON|@FILE] [--expect-error]] [options]
            probe-initialize --stdio [--env K=V]... [--cwd DIR] [options] -- CMD [ARGS...]
            probe-initialize --proxy-config PATH [--server NAME]... [--require-tool [SERVER::]TOOL]... [options]
            probe-initialize --url URL --load SESSIONS [--duration SEC] [--call NAME [--args JSON|@FILE]] [options]
            """,
        discussion:
            "Exit 0 ready; 1 not ready (error.code says why); 2 bad flags or config; 3 environment. See docs/probe-initialize.md.",
        version: SmokeVersion.current
    )

    @Option(help: "MCP endpoint (default: $PROBE_URL, else http://127.0.0.1:$PROXY_PORT/mcp).")
    var url: String?

    @Option(help: "Seconds from start to verdict; no attempt runs past it.")
    var deadline: Double = 30

    @Option(help: "Seconds one TCP connect or HTTP exchange may take.")
    var attemptTimeout: Double = 5

    @Option(help: "First retry delay in milliseconds; doubles per retry, with jitter.")
    var initialDelayMs: Int = 50

    @Option(help: "Cap of the retry delay in milliseconds.")
    var maxDelayMs: Int = 250

    @Option(
        help:
            "Protocol era: auto (server/discover, falling back to initialize as the MCP SDK does), modern (2026-07-28 only) or legacy (initialize only)."
    )
    var era: EraChoice = .auto

    @Option(
        help:
            "Version to ask for: a handshake version goes to initialize (default 2025-06-18), any other to server/discover (default 2026-07-28)."
    )
    var protocolVersion: String?

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("Extra request header 'Name: value' (repeatable).", valueName: "header"))
    var headers: [String] = []

    @Option(help: "Wait until tools/list shows at least this many tools.")
    var minTools: Int = 0

    @Option(
        name: .customLong("require-tool"),
        help: ArgumentHelp("Wait until tools/list shows this tool (repeatable).", valueName: "name"))
    var requiredTools: [String] = []

    @Option(
        help:
            "After readiness, keep listing tools until the list (names and schema hashes) has not changed for this many seconds (0: off; HTTP only)."
    )
    var stableFor: Double = 0

    @Option(help: "Write the last complete tools/list result {\"tools\":[…]} to this file (atomically).")
    var toolsOut: String?

    @Option(
        name: .customLong("require-resource"),
        help: ArgumentHelp("Wait until resources/list shows this URI or name (repeatable).", valueName: "uri"))
    var requiredResources: [String] = []

    @Option(
        name: .customLong("require-prompt"),
        help: ArgumentHelp("Wait until prompts/list shows this prompt (repeatable).", valueName: "name"))
    var requiredPrompts: [String] = []

    @Option(help: ArgumentHelp("Once ready, call this tool (tools/call) and check its answer.", valueName: "name"))
    var call: String?

    @Option(
        name: .customLong("args"),
        help: ArgumentHelp("With --call: the arguments, a JSON object or @FILE.", valueName: "json"))
    var callArguments: String?

    @Flag(help: "With --call: the call must fail (isError or a JSON-RPC error).")
    var expectError = false

    @Flag(help: "Wait for a TCP connect to the endpoint's port before the first HTTP attempt.")
    var waitPort = false

    @Option(help: "Cap on the bytes read from one answer (stdio: one stdout line).")
    var maxBodyBytes: Int = ProbeConfiguration.defaultMaxBodyBytes

    @Option(help: "Check every server of this Stelae / TBXark mcp-proxy proxy.json on its own transport.")
    var proxyConfig: String?

    @Option(
        name: .customLong("server"),
        help: ArgumentHelp("With --proxy-config: check only this server (repeatable).", valueName: "name"))
    var servers: [String] = []

    @Option(
        help: ArgumentHelp(
            "Once ready, this many concurrent sessions repeat tools/list (or --call) until --duration ends; reports counts, errors by code and latency percentiles (HTTP only).",
            valueName: "sessions"))
    var load: Int?

    @Option(
        help:
            "With --load: seconds the sessions keep sending (default 10); each request's timeout is --attempt-timeout.")
    var duration: Double?

    @Flag(help: "Start the command after -- and probe it over MCP stdio.")
    var stdio = false

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("With --stdio: set K=V for the command (repeatable).", valueName: "K=V"))
    var environment: [String] = []

    @Option(help: "With --stdio: the command's working directory.")
    var cwd: String?

    @Option(help: "Seconds from SIGTERM to SIGKILL when stopping a stdio server (default 2).")
    var stopGrace: Double?

    @Argument(
        parsing: .postTerminator,
        help: ArgumentHelp("With --stdio: the server command and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    @OptionGroup var common: CommonOptions

    func execute() async throws -> ToolOutcome {
        let log = Log(tool: Self.toolName, quiet: common.quiet)
        if proxyConfig != nil {
            let configuration = try makeProxyConfiguration()
            let report = await ProxyProbe.run(configuration, log: log)
            return report.outcome
        }
        if stdio {
            let configuration = try makeStdioConfiguration()
            let report = await StdioProbe.report(configuration, toolsOut: toolsOut, log: log)
            return report.outcome
        }
        try rejectOutsideMode(
            "the HTTP probe (--url)",
            [
                ("--server", !servers.isEmpty), ("--env", !environment.isEmpty), ("--cwd", cwd != nil),
                ("--stop-grace", stopGrace != nil), ("a command after --", !command.isEmpty),
            ])
        let configuration = try makeConfiguration()
        if let load {
            let loadConfiguration = try LoadConfiguration(
                probe: configuration, sessions: load,
                durationSeconds: duration ?? LoadConfiguration.defaultDurationSeconds)
            let report = await LoadRunner.run(loadConfiguration, log: log)
            if let error = report.error { return .failure(error, report.fields) }
            return .success(report.fields)
        }
        try rejectOutsideMode("--load", [("--duration", duration != nil)], without: true)
        let report = await Probe(configuration: configuration, log: log).run()
        return report.outcome
    }

    private func rejectOutsideMode(_ mode: String, _ flags: [(String, Bool)], without: Bool = false) throws(SmokeError)
    {
        let given = flags.filter(\.1).map(\.0)
        guard given.isEmpty else {
            throw SmokeError(
                .invalidArgument,
                "\(given.joined(separator: ", ")) cannot be used \(without ? "without" : "with") \(mode)")
        }
    }

    private func checkCommonNumbers() throws(SmokeError) {
        // Bounded above too: Int64(1e30 * 1000) trapped (found by the mutation test).
        let longest = 1e9
        guard deadline.isFinite, deadline >= 0, deadline <= longest else {
            throw SmokeError(.invalidArgument, "--deadline \(deadline): must be 0 to \(Int(longest)) seconds")
        }
        guard attemptTimeout.isFinite, attemptTimeout > 0, attemptTimeout <= longest else {
            throw SmokeError(
                .invalidArgument, "--attempt-timeout \(attemptTimeout): must be > 0 and ≤ \(Int(longest)) seconds")
        }
        guard initialDelayMs >= 0, maxDelayMs >= 0 else {
            throw SmokeError(.invalidArgument, "--initial-delay-ms and --max-delay-ms must be ≥ 0")
        }
        guard stableFor.isFinite, stableFor >= 0, stableFor <= longest else {
            throw SmokeError(.invalidArgument, "--stable-for \(stableFor): must be 0 to \(Int(longest)) seconds")
        }
        guard minTools >= 0 else { throw SmokeError(.invalidArgument, "--min-tools \(minTools): must be ≥ 0") }
        guard maxBodyBytes >= 1024 else {
            throw SmokeError(.invalidArgument, "--max-body-bytes \(maxBodyBytes): must be ≥ 1024")
        }
        if let stopGrace {
            guard stopGrace.isFinite, stopGrace >= 0, stopGrace <= 3600 else {
                throw SmokeError(.invalidArgument, "--stop-grace \(stopGrace): must be 0 to 3600 seconds")
            }
        }
    }

    private var stopGraceDuration: Duration { .milliseconds(Int64((stopGrace ?? 2) * 1000)) }

    private var eraSettings: EraSettings { EraSettings(choice: era, protocolVersion: protocolVersion) }

    /// `--call` with its `--args` and `--expect-error` (which mean nothing without it).
    private func toolCall() throws(SmokeError) -> ToolCall? {
        guard let call else {
            try rejectOutsideMode(
                "--call", [("--args", callArguments != nil), ("--expect-error", expectError)], without: true)
            return nil
        }
        guard !call.isEmpty else { throw SmokeError(.invalidArgument, "--call: the tool name is empty") }
        return ToolCall(name: call, arguments: try ToolCall.parseArguments(callArguments), expectError: expectError)
    }

    private func makeProxyConfiguration() throws(SmokeError) -> ProxyProbeConfiguration {
        try rejectOutsideMode(
            "--proxy-config",
            [
                ("--url", url != nil), ("--header", !headers.isEmpty), ("--min-tools", minTools != 0),
                ("--tools-out", toolsOut != nil), ("--wait-port", waitPort), ("--stdio", stdio),
                ("--env", !environment.isEmpty), ("--cwd", cwd != nil), ("a command after --", !command.isEmpty),
                ("--require-resource", !requiredResources.isEmpty), ("--require-prompt", !requiredPrompts.isEmpty),
                ("--call", call != nil), ("--args", callArguments != nil), ("--expect-error", expectError),
                ("--stable-for", stableFor != 0), ("--load", load != nil), ("--duration", duration != nil),
            ])
        try checkCommonNumbers()
        var requirements: [ToolRequirement] = []
        for text in requiredTools { requirements.append(try ToolRequirement.parse(text)) }
        let config = try ProxyConfig.load(path: proxyConfig!)
        return try ProxyProbeConfiguration(
            config: config, selecting: servers, requirements: requirements,
            deadline: .milliseconds(Int64(deadline * 1000)),
            attemptTimeout: .milliseconds(Int64(attemptTimeout * 1000)),
            initialDelay: .milliseconds(initialDelayMs), maxDelay: .milliseconds(maxDelayMs),
            era: eraSettings, maxBodyBytes: maxBodyBytes, stopGrace: stopGraceDuration)
    }

    private func makeStdioConfiguration() throws(SmokeError) -> StdioProbeConfiguration {
        if load != nil {
            throw SmokeError(
                .invalidArgument, "--load cannot be used with --stdio: the load mode speaks streamable HTTP only",
                hint: "serve the command over HTTP and give its --url")
        }
        try rejectOutsideMode(
            "--stdio",
            [
                ("--url", url != nil), ("--header", !headers.isEmpty), ("--wait-port", waitPort),
                ("--server", !servers.isEmpty),
                ("--stable-for", stableFor != 0), ("--duration", duration != nil),
            ])
        try checkCommonNumbers()
        guard let executable = command.first else {
            throw SmokeError(
                .usage, "--stdio needs the server command after --",
                hint: "e.g. probe-initialize --stdio -- python server.py")
        }
        var variables: [String: String] = [:]
        for pair in environment {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                let name = pair.prefix { $0 != "=" }
                throw SmokeError(.invalidArgument, "--env \(name)…: expected K=V")
            }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if Redactor.isSecretName(name) { Redactor.shared.add(value) }
            variables[name] = value
        }
        var configuration = StdioProbeConfiguration(
            command: StdioCommand(
                command: executable, arguments: Array(command.dropFirst()), environment: variables,
                workingDirectory: cwd),
            deadline: .milliseconds(Int64(deadline * 1000)), era: eraSettings, minTools: minTools,
            requiredTools: requiredTools, maxLineBytes: maxBodyBytes, stopGrace: stopGraceDuration,
            initialDelay: .milliseconds(initialDelayMs), maxDelay: .milliseconds(maxDelayMs))
        configuration.requiredResources = requiredResources
        configuration.requiredPrompts = requiredPrompts
        configuration.call = try toolCall()
        return configuration
    }

    private func makeConfiguration() throws(SmokeError) -> ProbeConfiguration {
        let endpoint = try ProbeConfiguration.resolveURL(flag: url, environment: ProcessInfo.processInfo.environment)
        try checkCommonNumbers()
        var parsedHeaders: [(name: String, value: String)] = []
        for header in headers { parsedHeaders.append(try ProbeConfiguration.parseHeader(header)) }
        var configuration = ProbeConfiguration(
            url: endpoint,
            deadline: .milliseconds(Int64(deadline * 1000)),
            attemptTimeout: .milliseconds(Int64(attemptTimeout * 1000)),
            initialDelay: .milliseconds(initialDelayMs),
            maxDelay: .milliseconds(maxDelayMs),
            era: eraSettings,
            headers: parsedHeaders,
            minTools: minTools,
            requiredTools: requiredTools,
            toolsOut: toolsOut,
            waitPort: waitPort,
            maxBodyBytes: maxBodyBytes)
        configuration.requiredResources = requiredResources
        configuration.requiredPrompts = requiredPrompts
        configuration.call = try toolCall()
        if stableFor > 0 { configuration.stableFor = .milliseconds(Int64(stableFor * 1000)) }
        return configuration
    }
}
