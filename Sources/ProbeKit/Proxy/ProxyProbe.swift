import Foundation
import SmokeCore

/// A `--require-tool` in the per-server mode: `SERVER::TOOL` must be listed by that server (its
/// tool wait polls for it); a bare `TOOL` must be listed by at least one checked server.
public struct ToolRequirement: Sendable, Equatable {
    public var server: String?
    public var tool: String

    public init(server: String?, tool: String) {
        self.server = server
        self.tool = tool
    }

    public static let separator = "::"

    public static func parse(_ text: String) throws(SmokeError) -> ToolRequirement {
        if let range = text.range(of: separator) {
            let server = String(text[..<range.lowerBound])
            let tool = String(text[range.upperBound...])
            guard !server.isEmpty, !tool.isEmpty else {
                throw SmokeError(.invalidArgument, "--require-tool \(text): expected SERVER::TOOL or TOOL")
            }
            return ToolRequirement(server: server, tool: tool)
        }
        guard !text.isEmpty else { throw SmokeError(.invalidArgument, "--require-tool: the tool name is empty") }
        return ToolRequirement(server: nil, tool: text)
    }
}

/// Everything a per-server run needs, validated against the config.
public struct ProxyProbeConfiguration: Sendable {
    public var config: ProxyConfig
    /// The servers to check, sorted (all enabled servers when `--server` is not given).
    public var servers: [ProxyServer]
    /// Disabled servers not checked.
    public var skipped: [String]
    public var requirements: [ToolRequirement]
    /// Each server's budget; all servers run at the same time.
    public var deadline: Duration
    public var attemptTimeout: Duration
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// `--era` and `--protocol-version`, for every server.
    public var era: EraSettings
    public var maxBodyBytes: Int
    public var stopGrace: Duration
    public var clientVersion: String

    /// `--server` names must exist (a disabled server named explicitly is checked); a
    /// `SERVER::TOOL` must name a checked server.
    public init(
        config: ProxyConfig, selecting names: [String] = [], requirements: [ToolRequirement] = [],
        deadline: Duration = .seconds(30), attemptTimeout: Duration = .seconds(5),
        initialDelay: Duration = .milliseconds(50), maxDelay: Duration = .milliseconds(250),
        era: EraSettings = EraSettings(),
        maxBodyBytes: Int = ProbeConfiguration.defaultMaxBodyBytes, stopGrace: Duration = .seconds(2),
        clientVersion: String = SmokeVersion.current
    ) throws(SmokeError) {
        let known = Set(config.servers.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw SmokeError(
                .unknownServer,
                "--server \(unknown.joined(separator: ", ")): not in \(config.path) (servers: \(config.servers.map(\.name).joined(separator: ", ")))",
                fields: ["file": .string(config.path)])
        }
        if names.isEmpty {
            servers = config.servers.filter { !$0.disabled }
            skipped = config.servers.filter(\.disabled).map(\.name)
        } else {
            let wanted = Set(names)
            servers = config.servers.filter { wanted.contains($0.name) }
            skipped = []
        }
        guard !servers.isEmpty else {
            throw SmokeError(
                .noServers, "\(config.path): no server to check (mcpServers is empty or every server is disabled)",
                fields: ["file": .string(config.path)])
        }
        let checked = Set(servers.map(\.name))
        for requirement in requirements {
            if let server = requirement.server, !checked.contains(server) {
                throw SmokeError(
                    .unknownServer,
                    "--require-tool \(server)::\(requirement.tool): \(server) is not among the checked servers (\(checked.sorted().joined(separator: ", ")))",
                    fields: ["file": .string(config.path)])
            }
        }
        self.config = config
        self.requirements = requirements
        self.deadline = deadline
        self.attemptTimeout = attemptTimeout
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.era = era
        self.maxBodyBytes = maxBodyBytes
        self.stopGrace = stopGrace
        self.clientVersion = clientVersion
    }

    func requiredTools(of server: String) -> [String] {
        requirements.filter { $0.server == server }.map(\.tool)
    }
}

/// The verdict on one server: the entry of the `servers` array.
public struct ServerCheck: Sendable {
    public var name: String
    public var transport: String
    /// One of the per-server codes (docs/probe-initialize.md): command_not_found, spawn_failed,
    /// exited, timeout, unreachable, invalid_answer, tool_not_listed, unsupported_protocol_version,
    /// header_mismatch, modern_unsupported.
    public var error: (code: ErrorCode, message: String)?
    /// Sorted tool names of the last complete listing (empty when none).
    public var tools: [String]
    public var elapsedMs: Int64
    /// Transport-specific keys (stdio: `command`, `stderr_tail`, …; http: `url`, `attempts`, …).
    public var evidence: [String: JSONValue]

    public var ok: Bool { error == nil }

    public var json: JSONValue {
        var object = evidence
        object["name"] = .string(name)
        object["transport"] = .string(transport)
        object["ok"] = .bool(ok)
        object["tools"] = .array(tools.map(JSONValue.string))
        object["elapsed_ms"] = .int(elapsedMs)
        if let error { object["error"] = Envelope.error(code: error.code.rawValue, message: error.message) }
        return .object(object)
    }
}

/// The verdict of a per-server run.
public struct ProxyReport: OutcomeReport, Sendable {
    public var servers: [ServerCheck]
    /// The answer: `proxy_config`, `servers`, … and, when a server is not ready, why.
    public var outcome: ToolOutcome

    init(servers: [ServerCheck], fields: [String: JSONValue], error: SmokeError?) {
        self.servers = servers
        outcome = ToolOutcome(fields: fields, error: error)
    }

    public var ok: Bool { error == nil }
    public func server(_ name: String) -> ServerCheck? { servers.first { $0.name == name } }
}

/// Checks every server of a proxy config on its own transport, all at once, each within the
/// deadline: stdio servers are started and spoken to over stdin/stdout (`StdioProbe`), http
/// servers get the streamable-HTTP probe (`Probe`).
public enum ProxyProbe {
    public static func run(_ configuration: ProxyProbeConfiguration, log: Log? = nil) async -> ProxyReport {
        let checks = await withTaskGroup(of: ServerCheck.self) { group in
            for server in configuration.servers {
                group.addTask { await check(server, configuration) }
            }
            var all: [ServerCheck] = []
            for await check in group {
                if let error = check.error {
                    log?.info("[\(error.code.rawValue)] \(error.message) (\(check.transport), \(check.elapsedMs) ms)")
                } else {
                    log?.info(
                        "server \(check.name) (\(check.transport)): ok, \(check.tools.count) tools in \(check.elapsedMs) ms"
                    )
                }
                all.append(check)
            }
            return all.sorted { $0.name < $1.name }
        }
        return verdict(checks, configuration)
    }

    static func verdict(_ checks: [ServerCheck], _ configuration: ProxyProbeConfiguration) -> ProxyReport {
        let failed = checks.filter { !$0.ok }
        var fields: [String: JSONValue] = [
            "proxy_config": .string(configuration.config.path),
            // Each server with the curated tools it should serve: what a broken one takes with it.
            "servers": .array(
                checks.map { check in
                    let required = configuration.requiredTools(of: check.name)
                    guard !required.isEmpty, case .object(var object) = check.json else { return check.json }
                    object["required_tools"] = .array(required.map(JSONValue.string))
                    return .object(object)
                }),
            "servers_failed": .array(failed.map { .string($0.name) }),
        ]
        if !configuration.skipped.isEmpty {
            fields["servers_skipped"] = .array(configuration.skipped.map(JSONValue.string))
        }
        let bare = configuration.requirements.filter { $0.server == nil }.map(\.tool)
        var unlisted: [String] = []
        if !bare.isEmpty {
            let union = Set(checks.flatMap(\.tools))
            unlisted = bare.filter { !union.contains($0) }
            fields["tools_missing"] = .array(unlisted.map(JSONValue.string))
        }
        var error: SmokeError?
        if !failed.isEmpty {
            var message =
                "\(failed.count) of \(checks.count) servers not ready: "
                + failed.map { check in
                    let takes = configuration.requiredTools(of: check.name)
                    let suffix = takes.isEmpty ? "" : "; takes \(takes.joined(separator: ", "))"
                    return "\(check.name) (\(check.error!.code.rawValue)\(suffix))"
                }.joined(separator: ", ")
            if !unlisted.isEmpty { message += "; no server lists \(unlisted.joined(separator: ", "))" }
            error = SmokeError(
                .serversNotReady, message, hint: "each entry of servers says why in error and its evidence")
        } else if !unlisted.isEmpty {
            error = SmokeError(
                .toolNotListed,
                "every server answered, but no server lists \(unlisted.joined(separator: ", "))",
                hint: "qualify a tool as SERVER::TOOL to wait for it on that server")
        }
        return ProxyReport(servers: checks, fields: fields, error: error)
    }

    static func check(_ server: ProxyServer, _ configuration: ProxyProbeConfiguration) async -> ServerCheck {
        switch server.transport {
        case .stdio(let command): await checkStdio(server.name, command, configuration)
        case .http(let url, let headers): await checkHTTP(server.name, url, headers, configuration)
        }
    }

    static func checkStdio(_ name: String, _ command: StdioCommand, _ configuration: ProxyProbeConfiguration) async
        -> ServerCheck
    {
        let probe = StdioProbeConfiguration(
            command: command, deadline: configuration.deadline, era: configuration.era,
            clientVersion: configuration.clientVersion, listTools: true,
            requiredTools: configuration.requiredTools(of: name), maxLineBytes: configuration.maxBodyBytes,
            stopGrace: configuration.stopGrace, initialDelay: configuration.initialDelay,
            maxDelay: configuration.maxDelay)
        let result = await StdioProbe.run(probe)
        var evidence = result.evidenceFields()
        evidence["command"] = .string(command.command)
        evidence["args"] = .array(command.arguments.map(JSONValue.string))
        var error: (code: ErrorCode, message: String)?
        if let failure = result.failure {
            let code: ErrorCode =
                switch failure.code {
                case .commandNotFound: .commandNotFound
                case .spawnFailed: .spawnFailed
                case .exited: .exited
                case .timeout: .timeout
                case .invalidAnswer, .callFailed: .invalidAnswer
                case .toolsMissing, .resourcesMissing, .promptsMissing: .toolNotListed
                case .unsupportedProtocolVersion: .unsupportedProtocolVersion
                case .headerMismatch: .headerMismatch
                case .modernUnsupported: .modernUnsupported
                }
            error = (code, "server \(name): \(failure.message)")
        }
        return ServerCheck(
            name: name, transport: "stdio", error: error, tools: result.toolNames.sorted(), elapsedMs: result.elapsedMs,
            evidence: evidence)
    }

    static func checkHTTP(
        _ name: String, _ url: URL, _ headers: [HTTPHeaderPair], _ configuration: ProxyProbeConfiguration
    ) async -> ServerCheck {
        var probeConfiguration = ProbeConfiguration(
            url: url, deadline: configuration.deadline, attemptTimeout: configuration.attemptTimeout,
            initialDelay: configuration.initialDelay, maxDelay: configuration.maxDelay,
            era: configuration.era, headers: headers.map { ($0.name, $0.value) },
            requiredTools: configuration.requiredTools(of: name), maxBodyBytes: configuration.maxBodyBytes,
            clientVersion: configuration.clientVersion)
        probeConfiguration.listTools = true
        let clock = ContinuousClock()
        let began = clock.now
        let report = await Probe(configuration: probeConfiguration).run()
        let elapsed = (clock.now - began).milliseconds

        var evidence: [String: JSONValue] = [
            "url": .string(url.absoluteString),
            "attempts": .int(Int64(report.attempts.count)),
            "ready_ms": report.fields["ready_ms"] ?? .null,
            "server_info": report.fields["server_info"] ?? .null,
            "protocol_version": report.fields["protocol_version"] ?? .null,
            "era": report.fields["era"] ?? .null,
            "supported_versions": report.fields["supported_versions"] ?? .null,
        ]
        if let fallback = report.fields["era_fallback"] { evidence["era_fallback"] = fallback }
        for key in ["resources_count", "prompts_count", "resources_error", "prompts_error"] {
            if let value = report.fields[key] { evidence[key] = value }
        }
        if let toolsReady = report.fields["tools_ready_ms"] { evidence["tools_ready_ms"] = toolsReady }
        var error: (code: ErrorCode, message: String)?
        if let failure = report.error {
            let code = serverCode(failure.code, report: report)
            error = (code, "server \(name): \(failure.message)")
            if let last = report.attempts.last(where: { $0["outcome"]?.stringValue != "ok" }) ?? report.attempts.last {
                evidence["last_attempt"] = last
            }
            evidence["probe_code"] = .string(failure.code.rawValue)
            if let rpc = report.fields["rpc_error"] { evidence["rpc_error"] = rpc }
            if code == .toolNotListed { evidence["tools_missing"] = report.fields["tools_missing"] ?? [] }
        }
        return ServerCheck(
            name: name, transport: "http", error: error, tools: (report.listedTools ?? []).sorted(), elapsedMs: elapsed,
            evidence: evidence)
    }

    /// The HTTP probe's codes folded onto the per-server ones.
    static func serverCode(_ probeCode: ErrorCode, report: ProbeReport) -> ErrorCode {
        switch probeCode {
        case .connectionRefused: return .unreachable
        case .timeout, .deadlineExceeded, .toolsUnstable: return .timeout
        case .unsupportedProtocolVersion: return .unsupportedProtocolVersion
        case .headerMismatch: return .headerMismatch
        case .modernUnsupported: return .modernUnsupported
        case .resourcesNotReady, .promptsNotReady: return .toolNotListed
        case .toolsNotReady:
            if report.listedTools != nil { return .toolNotListed }
            // No complete listing: say why the last tools/list failed.
            let outcome = report.attempts.last { $0["phase"]?.stringValue == ProbePhase.toolsList.rawValue }
                .flatMap { $0["outcome"]?.stringValue }.flatMap(AttemptOutcome.init(rawValue:))
            return outcome.map { serverCode($0.probeCode.errorCode, report: report) } ?? .timeout
        // connection_reset, http_status, not_acceptable, invalid_body, jsonrpc_error, and what is
        // not the HTTP probe's own (a --call code, write_failed).
        default: return .invalidAnswer
        }
    }
}
