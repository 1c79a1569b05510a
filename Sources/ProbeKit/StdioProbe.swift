import Foundation
import SmokeCore

/// A stdio MCP server's command line, as a proxy config or `--stdio -- CMD ARGS` gives it.
public struct StdioCommand: Sendable, Equatable {
    public var command: String
    public var arguments: [String]
    /// Set over the inherited process environment.
    public var environment: [String: String]
    public var workingDirectory: String?

    public init(command: String, arguments: [String] = [], environment: [String: String] = [:], workingDirectory: String? = nil) {
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
    public var protocolVersion: String
    public var clientVersion: String
    /// List the tools even when no tool is required (the per-server mode always does).
    public var listTools: Bool
    public var minTools: Int
    public var requiredTools: [String]
    /// Longest stdout line accepted (one JSON-RPC message).
    public var maxLineBytes: Int
    /// SIGTERM to SIGKILL.
    public var stopGrace: Duration
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(
        command: StdioCommand, deadline: Duration = .seconds(30),
        protocolVersion: String = ProbeConfiguration.defaultProtocolVersion, clientVersion: String = SmokeVersion.current,
        listTools: Bool = false, minTools: Int = 0, requiredTools: [String] = [],
        maxLineBytes: Int = ProbeConfiguration.defaultMaxBodyBytes, stopGrace: Duration = .seconds(2),
        initialDelay: Duration = .milliseconds(50), maxDelay: Duration = .milliseconds(250)
    ) {
        self.command = command
        self.deadline = deadline
        self.protocolVersion = protocolVersion
        self.clientVersion = clientVersion
        self.listTools = listTools
        self.minTools = minTools
        self.requiredTools = requiredTools
        self.maxLineBytes = maxLineBytes
        self.stopGrace = stopGrace
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    public var waitsForTools: Bool { listTools || minTools > 0 || !requiredTools.isEmpty }
}

/// Why a stdio server is not ready.
public enum StdioFailureCode: String, Sendable {
    /// The command does not exist or is not executable.
    case commandNotFound = "command_not_found"
    /// It could not be started for another reason (working directory, pipes).
    case spawnFailed = "spawn_failed"
    /// It ended (or closed stdout) before answering.
    case exited
    /// No complete answer within the deadline.
    case timeout
    /// It answered with something unusable: a JSON-RPC error, a result of the wrong shape, an
    /// overlong line, or only lines that are not JSON-RPC until the deadline.
    case invalidAnswer = "invalid_answer"
    /// It answered, but the tools asked for were not (all) listed by the deadline.
    case toolsMissing = "tools_missing"
}

/// What one stdio probe found. `failure` is nil when the server is ready.
public struct StdioProbeResult: Sendable {
    public var failure: (code: StdioFailureCode, message: String)?
    public var pid: Int32?
    /// The `initialize` result.
    public var initializeResult: JSONValue?
    public var readyMs: Int64?
    /// The last complete `tools/list` listing (every page), when one was read.
    public var tools: [JSONValue]?
    public var toolsReadyMs: Int64?
    public var toolsMissing: [String] = []
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
            "protocol_version": .null,
        ]
        // Output evidence exists only for a server that started.
        if let pid {
            fields["pid"] = .int(Int64(pid))
            fields["skipped_lines"] = .int(Int64(skippedLines))
            if failure != nil { fields["stderr_tail"] = .array(stderrTail.map(JSONValue.string)) }
        }
        if let stop { fields["stop"] = .string(stop) }
        if !skippedSample.isEmpty { fields["skipped_sample"] = .array(skippedSample.map(JSONValue.string)) }
        if let result = initializeResult {
            let info = result["serverInfo"]
            fields["server_info"] = ["name": info?["name"] ?? .null, "version": info?["version"] ?? .null]
            fields["protocol_version"] = result["protocolVersion"] ?? .null
        }
        if let toolsReadyMs { fields["tools_ready_ms"] = .int(toolsReadyMs) }
        if failure != nil {
            if let exitStatus { fields["exit_status"] = .int(Int64(exitStatus)) }
            if let exitSignal { fields["exit_signal"] = .int(Int64(exitSignal)) }
            if let rpcError { fields["rpc_error"] = rpcError }
            if failure?.code == .toolsMissing { fields["tools_missing"] = .array(toolsMissing.map(JSONValue.string)) }
        }
        return fields
    }
}

/// Starts a stdio MCP server, speaks `initialize`, `notifications/initialized` and
/// `tools/list` (every page, polled until the tools asked for are there) with it, and stops it
/// (stdin closed, SIGTERM to its process group, SIGKILL after the grace period).
public enum StdioProbe {
    /// Runs on a thread of its own: the reads block (poll), and the cooperative pool is small.
    public static func run(_ configuration: StdioProbeConfiguration, log: Log? = nil) async -> StdioProbeResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<StdioProbeResult, Never>) in
            let thread = Thread { continuation.resume(returning: runBlocking(configuration, log: log)) }
            thread.name = "probe-initialize stdio"
            thread.start()
        }
    }

    public static func runBlocking(_ configuration: StdioProbeConfiguration, log: Log? = nil) -> StdioProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + configuration.deadline
        var result = StdioProbeResult()
        let command = configuration.command
        command.registerSecrets()
        var environment = ProcessInfo.processInfo.environment
        environment.merge(command.environment) { _, new in new }

        let executable: String
        switch StdioChild.resolve(command.command, environment: environment) {
        case .success(let path): executable = path
        case .failure(let failure):
            result.failure = (.commandNotFound, "command \(failure.message)")
            result.elapsedMs = (clock.now - start).milliseconds
            return result
        }
        let child: StdioChild
        switch StdioChild.spawn(
            executable: executable, arguments: command.arguments, environment: environment,
            workingDirectory: command.workingDirectory)
        {
        case .success(let started): child = started
        case .failure(let failure):
            result.failure =
                failure.notFound
                ? (.commandNotFound, "command \(failure.message)")
                : (.spawnFailed, "cannot start \(command.command): \(failure.message)")
            result.elapsedMs = (clock.now - start).milliseconds
            return result
        }
        result.pid = child.pid
        log?.info("started \(command.command) (pid \(child.pid))")
        let session = StdioSession(child: child, maxLineBytes: configuration.maxLineBytes)

        converse(session, configuration, start: start, deadline: deadline, log: log, into: &result)

        let stop = child.stop(grace: configuration.stopGrace)
        result.stop = stop.rawValue
        result.stderrTail = session.stderrTail
        result.skippedLines = session.skippedLines
        result.skippedSample = session.skippedSample
        if result.failure != nil, stop == .exited || result.failure?.code == .exited {
            switch child.status {
            case .exited(let code): result.exitStatus = code
            case .signalled(let signal): result.exitSignal = signal
            case nil: break
            }
        }
        if let failure = result.failure, failure.code == .exited {
            result.failure = (.exited, failure.message + exitDescription(child.status, tail: session.stderrTail))
        }
        result.elapsedMs = (clock.now - start).milliseconds
        log?.info("stopped pid \(child.pid): \(stop.rawValue)")
        return result
    }

    private static func converse(
        _ session: StdioSession, _ configuration: StdioProbeConfiguration, start: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant, log: Log?, into result: inout StdioProbeResult
    ) {
        let clock = ContinuousClock()
        let params: JSONValue = [
            "protocolVersion": .string(configuration.protocolVersion),
            "capabilities": [:],
            "clientInfo": ["name": "probe-initialize", "version": .string(configuration.clientVersion)],
        ]
        switch outcome(of: session.request(method: "initialize", params: params, until: deadline), phase: "initialize",
                       configuration: configuration, session: session)
        {
        case .success(let initialize):
            result.initializeResult = initialize
            result.readyMs = (clock.now - start).milliseconds
            log?.info(
                "initialized: \(initialize["serverInfo"]?["name"]?.stringValue ?? "?") protocol "
                    + (initialize["protocolVersion"]?.stringValue ?? "?"))
        case .failure(let failure):
            result.failure = (failure.code, failure.message)
            result.rpcError = failure.rpcError
            return
        }
        if let problem = session.notify(method: "notifications/initialized", until: deadline) {
            session.settle()
            result.failure = (.exited, "notifications/initialized could not be sent: \(problem)")
            return
        }
        guard configuration.waitsForTools else { return }

        var backoff = Backoff(initial: configuration.initialDelay, max: configuration.maxDelay)
        while true {
            switch listTools(session, configuration, deadline: deadline) {
            case .success(let tools):
                result.tools = tools
                let present = Set(tools.compactMap { $0["name"]?.stringValue })
                let missing = configuration.requiredTools.filter { !present.contains($0) }
                if missing.isEmpty && present.count >= configuration.minTools {
                    log?.info("tools/list: \(present.count) tools")
                    result.toolsReadyMs = (clock.now - start).milliseconds
                    result.toolsMissing = []
                    return
                }
                result.toolsMissing = missing
                log?.info(
                    "tools/list: \(present.count) tools, waiting for "
                        + (missing.isEmpty ? "at least \(configuration.minTools)" : missing.joined(separator: ", ")))
            case .failure(let failure):
                result.failure = (failure.code, failure.message)
                result.rpcError = failure.rpcError
                return
            }
            // Poll again after a backoff step, keeping the last attempt inside the deadline.
            let wait = backoff.nextDelay()
            let lastChance = deadline - .milliseconds(100)
            let next = min(clock.now + wait, lastChance)
            guard next > clock.now else { break }
            guard session.idle(until: next) else {
                result.failure = (.exited, "ended during the tool wait")
                return
            }
        }
        let names = result.toolNames
        var wanted: [String] = []
        if names.count < configuration.minTools { wanted.append("at least \(configuration.minTools)") }
        if !result.toolsMissing.isEmpty { wanted.append("missing \(result.toolsMissing.joined(separator: ", "))") }
        result.failure = (
            .toolsMissing,
            "tools not ready within \(seconds(configuration.deadline)) s: \(names.count) tools listed, wanted "
                + wanted.joined(separator: "; ")
        )
    }

    private struct Failure: Error {
        var code: StdioFailureCode
        var message: String
        var rpcError: JSONValue?
    }

    /// The `result` of a response, or why there is none.
    private static func outcome(
        of answer: StdioSession.Answer, phase: String, configuration: StdioProbeConfiguration, session: StdioSession
    ) -> Result<JSONValue, Failure> {
        switch answer {
        case .response(let response):
            if let error = response["error"] {
                return .failure(Failure(
                    code: .invalidAnswer, message: "\(phase): JSON-RPC error \(AnswerVerdict.rpcErrorText(error))",
                    rpcError: error))
            }
            guard let result = response["result"], result.objectValue != nil else {
                return .failure(Failure(code: .invalidAnswer, message: "\(phase): the JSON-RPC result is not an object"))
            }
            return .success(result)
        case .closed:
            if session.child.status == nil {
                return .failure(Failure(code: .invalidAnswer, message: "closed its stdout without answering \(phase) (still running)"))
            }
            return .failure(Failure(code: .exited, message: "ended before answering \(phase)"))
        case .writeFailed(let problem):
            return .failure(Failure(code: .invalidAnswer, message: "\(phase) could not be sent: \(problem)"))
        case .overlong:
            return .failure(Failure(
                code: .invalidAnswer, message: "\(phase): a stdout line longer than \(configuration.maxLineBytes) bytes"))
        case .deadline:
            let within = "no answer to \(phase) within \(seconds(configuration.deadline)) s"
            if session.skippedLines > 0 {
                let first = session.skippedSample.first.map { " (first: \"\($0)\")" } ?? ""
                return .failure(Failure(
                    code: .invalidAnswer,
                    message: "\(within); stdout carried \(session.skippedLines) lines that are not JSON-RPC\(first)"))
            }
            return .failure(Failure(code: .timeout, message: within))
        }
    }

    private enum Listing {
        case success([JSONValue])
        case failure(Failure)
    }

    /// One complete listing, following `nextCursor` to the last page.
    private static func listTools(
        _ session: StdioSession, _ configuration: StdioProbeConfiguration, deadline: ContinuousClock.Instant
    ) -> Listing {
        var tools: [JSONValue] = []
        var cursor: String?
        var seen: Set<String> = []
        for _ in 0..<Probe.maxToolPages {
            let params: JSONValue? = cursor.map { ["cursor": .string($0)] }
            let answer = session.request(method: "tools/list", params: params, until: deadline)
            let result: JSONValue
            switch outcome(of: answer, phase: "tools/list", configuration: configuration, session: session) {
            case .success(let value): result = value
            case .failure(let failure): return .failure(failure)
            }
            guard let page = result["tools"]?.arrayValue else {
                return .failure(Failure(code: .invalidAnswer, message: "tools/list result has no \"tools\" array"))
            }
            tools += page
            guard let next = result["nextCursor"]?.stringValue, !next.isEmpty else { return .success(tools) }
            guard seen.insert(next).inserted else {
                return .failure(Failure(code: .invalidAnswer, message: "tools/list nextCursor repeats (\(next)): pagination loops"))
            }
            cursor = next
        }
        return .failure(Failure(code: .invalidAnswer, message: "tools/list has more than \(Probe.maxToolPages) pages"))
    }

    private static func exitDescription(_ status: StdioChild.ExitStatus?, tail: [String]) -> String {
        var text: String
        switch status {
        case .exited(let code): text = " (exit status \(code))"
        case .signalled(let signal): text = " (killed by signal \(signal))"
        case nil: text = ""
        }
        let last = tail.suffix(3).filter { !$0.isEmpty }
        if !last.isEmpty { text += "; last stderr: " + last.joined(separator: " | ") }
        return text
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.milliseconds) / 1000
        return value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
    }
}
