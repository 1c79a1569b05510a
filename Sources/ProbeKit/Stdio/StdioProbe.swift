import Foundation
import SmokeCore

/// Starts a stdio MCP server, speaks with it in the era negotiated (`StdioConversation`: era,
/// catalog wait, call), and stops it (stdin closed, SIGTERM to its process group, SIGKILL after
/// the grace period).
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

        var conversation = StdioConversation(
            session: session, configuration: configuration, start: start, deadline: deadline, log: log)
        conversation.run(into: &result)

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
