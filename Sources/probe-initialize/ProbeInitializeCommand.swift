import ArgumentParser
import Foundation
import ProbeKit
import SmokeCore

@main
struct ProbeInitializeCommand: ToolMain, ToolCommand {
    static let toolName = "probe-initialize"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Wait until an MCP streamable-HTTP endpoint completes initialize (and lists the tools asked for).",
        discussion: "Exit 0 ready; 1 not ready (error.code says why); 2 bad flags; 3 environment. See docs/probe-initialize.md.",
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

    @Option(help: "protocolVersion sent in initialize.")
    var protocolVersion: String = ProbeConfiguration.defaultProtocolVersion

    @Option(name: .customLong("header"), help: ArgumentHelp("Extra request header 'Name: value' (repeatable).", valueName: "header"))
    var headers: [String] = []

    @Option(help: "Wait until tools/list shows at least this many tools.")
    var minTools: Int = 0

    @Option(name: .customLong("require-tool"), help: ArgumentHelp("Wait until tools/list shows this tool (repeatable).", valueName: "name"))
    var requiredTools: [String] = []

    @Option(help: "Write the last complete tools/list result {\"tools\":[…]} to this file (atomically).")
    var toolsOut: String?

    @Flag(help: "Wait for a TCP connect to the endpoint's port before the first HTTP attempt.")
    var waitPort = false

    @Option(help: "Cap on the bytes read from one answer.")
    var maxBodyBytes: Int = ProbeConfiguration.defaultMaxBodyBytes

    @OptionGroup var common: CommonOptions

    func execute() async throws -> ToolOutcome {
        let configuration = try makeConfiguration()
        let report = await Probe(configuration: configuration, log: Log(tool: Self.toolName, quiet: common.quiet)).run()
        if let error = report.error { return .failure(error, report.fields) }
        return .success(report.fields)
    }

    private func makeConfiguration() throws(SmokeError) -> ProbeConfiguration {
        let endpoint = try ProbeConfiguration.resolveURL(flag: url, environment: ProcessInfo.processInfo.environment)
        // Bounded above too: Int64(1e30 * 1000) trapped (found by the mutation test).
        let longest = 1e9
        guard deadline.isFinite, deadline >= 0, deadline <= longest else {
            throw .invalidInput("invalid_argument", "--deadline \(deadline): must be 0 to \(Int(longest)) seconds")
        }
        guard attemptTimeout.isFinite, attemptTimeout > 0, attemptTimeout <= longest else {
            throw .invalidInput("invalid_argument", "--attempt-timeout \(attemptTimeout): must be > 0 and ≤ \(Int(longest)) seconds")
        }
        guard initialDelayMs >= 0, maxDelayMs >= 0 else {
            throw .invalidInput("invalid_argument", "--initial-delay-ms and --max-delay-ms must be ≥ 0")
        }
        guard minTools >= 0 else { throw .invalidInput("invalid_argument", "--min-tools \(minTools): must be ≥ 0") }
        guard maxBodyBytes >= 1024 else { throw .invalidInput("invalid_argument", "--max-body-bytes \(maxBodyBytes): must be ≥ 1024") }
        var parsedHeaders: [(name: String, value: String)] = []
        for header in headers { parsedHeaders.append(try ProbeConfiguration.parseHeader(header)) }
        return ProbeConfiguration(
            url: endpoint,
            deadline: .milliseconds(Int64(deadline * 1000)),
            attemptTimeout: .milliseconds(Int64(attemptTimeout * 1000)),
            initialDelay: .milliseconds(initialDelayMs),
            maxDelay: .milliseconds(maxDelayMs),
            protocolVersion: protocolVersion,
            headers: parsedHeaders,
            minTools: minTools,
            requiredTools: requiredTools,
            toolsOut: toolsOut,
            waitPort: waitPort,
            maxBodyBytes: maxBodyBytes)
    }
}
