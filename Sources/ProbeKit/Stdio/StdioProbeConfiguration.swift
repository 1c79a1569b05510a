import Foundation
import SmokeCore

/// A stdio MCP server's command line, as a proxy config or `--stdio -- CMD ARGS` gives it.
public struct StdioCommand: Sendable, Equatable {
    public var command: String
    public var arguments: [String]
    /// Set over the inherited process environment.
    public var environment: [String: String]
    public var workingDirectory: String?

    public init(
        command: String, arguments: [String] = [], environment: [String: String] = [:], workingDirectory: String? = nil
    ) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// Registers the values of secret-looking variables (`*_KEY`, `*_TOKEN`, `*_SECRET`,
    /// `*PASSWORD`) with the redactor, before anything can print them.
    public func registerSecrets() {
        for (name, value) in environment where Redactor.isSecretName(name) { Redactor.shared.add(value) }
    }
}

/// Everything one stdio probe needs, already validated.
public struct StdioProbeConfiguration: Sendable {
    public var command: StdioCommand
    /// From the start of the probe to the verdict; every read is bounded by it. Stopping the
    /// server comes after (at most `stopGrace` more when it ignores SIGTERM).
    public var deadline: Duration
    /// `--era` and `--protocol-version`.
    public var era: EraSettings
    public var clientVersion: String
    /// List the tools even when no tool is required (the per-server mode always does).
    public var listTools: Bool
    public var minTools: Int
    public var requiredTools: [String]
    public var requiredResources: [String] = []
    public var requiredPrompts: [String] = []
    /// `--call`: one tools/call once ready.
    public var call: ToolCall?
    /// Longest stdout line accepted (one JSON-RPC message).
    public var maxLineBytes: Int
    /// SIGTERM to SIGKILL.
    public var stopGrace: Duration
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(
        command: StdioCommand, deadline: Duration = .seconds(30), era: EraSettings = EraSettings(),
        clientVersion: String = SmokeVersion.current, listTools: Bool = false, minTools: Int = 0,
        requiredTools: [String] = [], maxLineBytes: Int = ProbeConfiguration.defaultMaxBodyBytes,
        stopGrace: Duration = .seconds(2), initialDelay: Duration = .milliseconds(50),
        maxDelay: Duration = .milliseconds(250)
    ) {
        self.command = command
        self.deadline = deadline
        self.era = era
        self.clientVersion = clientVersion
        self.listTools = listTools
        self.minTools = minTools
        self.requiredTools = requiredTools
        self.maxLineBytes = maxLineBytes
        self.stopGrace = stopGrace
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    public var waitsForCatalog: Bool {
        listTools || minTools > 0 || !requiredTools.isEmpty || !requiredResources.isEmpty || !requiredPrompts.isEmpty
            || call != nil
    }

    /// The call's tool must be listed before it is called.
    public var catalogRequirements: CatalogRequirements {
        var tools = requiredTools
        if let call, !tools.contains(call.name) { tools.append(call.name) }
        return CatalogRequirements(
            minTools: minTools, tools: tools, resources: requiredResources, prompts: requiredPrompts)
    }
}

/// Why a stdio server is not ready.
public enum StdioFailureCode: Sendable {
    /// The command does not exist or is not executable.
    case commandNotFound
    /// It could not be started for another reason (working directory, pipes).
    case spawnFailed
    /// It ended (or closed stdout) before answering.
    case exited
    /// No complete answer within the deadline.
    case timeout
    /// It answered with something unusable: a JSON-RPC error, a result of the wrong shape, an
    /// overlong line, or only lines that are not JSON-RPC until the deadline.
    case invalidAnswer
    /// It answered, but the tools asked for were not (all) listed by the deadline.
    case toolsMissing
    /// The same for `--require-resource` / `--require-prompt`.
    case resourcesMissing
    case promptsMissing
    /// -32022 with no version left to speak.
    case unsupportedProtocolVersion
    /// -32020 (a stdio server has no headers, but a bridge in front of one may answer it).
    case headerMismatch
    /// `--era modern` against a server that does not answer `server/discover` with a modern version.
    case modernUnsupported
    /// `--call` is not what it should be: `StdioProbeResult.call` holds the `CallVerdict`.
    case callFailed

    static func missing(_ kind: CatalogKind) -> StdioFailureCode {
        switch kind {
        case .tools: .toolsMissing
        case .resources: .resourcesMissing
        case .prompts: .promptsMissing
        }
    }
}

/// What one stdio probe found. `failure` is nil when the server is ready.
public struct StdioProbeResult: Sendable {
    public var failure: (code: StdioFailureCode, message: String)?
    public var pid: Int32?
    /// The era spoken, and the version: from `server/discover` (modern) or `initialize` (legacy).
    public var era: MCPEra?
    public var protocolVersion: String?
    public var supportedVersions: [String]?
    /// Why `auto` fell back to the handshake.
    public var eraFallback: String?
    /// The `initialize` result (legacy era only).
    public var initializeResult: JSONValue?
    /// `{name, version}` from `initialize` or the discover result's `_meta` stamp.
    public var serverInfo: JSONValue?
    /// The server's capabilities, from `initialize` or `server/discover`.
    public var capabilities: JSONValue?
    public var readyMs: Int64?
    /// The last complete `tools/list` listing (every page), when one was read.
    public var tools: [JSONValue]?
    public var toolsReadyMs: Int64?
    public var toolsMissing: [String] = []
    /// `resources_count`, `prompts_count`, `<kind>_missing`, `<kind>_error` (see `CatalogWait`).
    public var catalogFields: [String: JSONValue] = [:]
    public var call: CallVerdict?
    public var rpcError: JSONValue?
    public var stderrTail: [String] = []
    /// How the server ended when it ended on its own (not stopped by the probe).
    public var exitStatus: Int32?
    public var exitSignal: Int32?
    public var skippedLines = 0
    public var skippedSample: [String] = []
    /// `exited`, `terminated` or `killed` (see `StdioChild.Stop`); nil when it never started.
    public var stop: String?
    public var elapsedMs: Int64 = 0

    public var ok: Bool { failure == nil }
    public var toolNames: [String] { (tools ?? []).compactMap { $0["name"]?.stringValue } }

    /// The evidence keys shared by the per-server entries and the `--stdio` answer.
    public func evidenceFields() -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "ready_ms": readyMs.map(JSONValue.int) ?? .null,
            "server_info": .null,
            "protocol_version": protocolVersion.map(JSONValue.string) ?? .null,
            "era": era.map { .string($0.rawValue) } ?? .null,
            "supported_versions": supportedVersions.map { .array($0.map(JSONValue.string)) } ?? .null,
        ]
        if let eraFallback { fields["era_fallback"] = .string(eraFallback) }
        // Output evidence exists only for a server that started.
        if let pid {
            fields["pid"] = .int(Int64(pid))
            fields["skipped_lines"] = .int(Int64(skippedLines))
            if failure != nil { fields["stderr_tail"] = .array(stderrTail.map(JSONValue.string)) }
        }
        if let stop { fields["stop"] = .string(stop) }
        if !skippedSample.isEmpty { fields["skipped_sample"] = .array(skippedSample.map(JSONValue.string)) }
        if era != nil {
            fields["server_info"] = ["name": serverInfo?["name"] ?? .null, "version": serverInfo?["version"] ?? .null]
        }
        if let toolsReadyMs { fields["tools_ready_ms"] = .int(toolsReadyMs) }
        fields.merge(catalogFields) { _, new in new }
        if let call { fields["call"] = call.json }
        if failure != nil {
            if let exitStatus { fields["exit_status"] = .int(Int64(exitStatus)) }
            if let exitSignal { fields["exit_signal"] = .int(Int64(exitSignal)) }
            if let rpcError { fields["rpc_error"] = rpcError }
            if failure?.code == .toolsMissing { fields["tools_missing"] = .array(toolsMissing.map(JSONValue.string)) }
        }
        return fields
    }
}
