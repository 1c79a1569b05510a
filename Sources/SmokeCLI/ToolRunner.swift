import ArgumentParser
import Foundation
import SmokeCore

/// Runs a tool: parse, execute, print the envelope (redacted), exit with the outcome's code.
public enum ToolRunner {
    public static func run(
        root: any ParsableCommand.Type, tool: String,
        arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) async -> Never {
        let started = ContinuousClock.now
        let pretty = arguments.contains("--pretty")
        let command: any ToolCommand
        switch ParsedCommandLine.parse(root: root, arguments: arguments) {
        case .command(let parsed as any ToolCommand):
            command = parsed
        case .command, .noSubcommand:
            Log.writeStderr(root.helpMessage() + "\n")
            let usage = SmokeError(.usage, "\(tool): a subcommand is required")
            emit(tool: tool, started: started, pretty: pretty, outcome: .failure(usage))
        case .usage(let message):
            let usage = SmokeError(.usage, message, hint: "run `\(tool) --help` for usage")
            emit(tool: tool, started: started, pretty: pretty, outcome: .failure(usage))
        }
        let outcome: ToolOutcome
        do {
            outcome = try await command.execute()
        } catch let error as SmokeError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(SmokeError(.unexpectedError, "\(tool): \(error)"))
        }
        emit(tool: tool, started: started, pretty: command.common.pretty, outcome: outcome)
    }

    /// Prints the envelope (redacted) and exits with the outcome's code.
    public static func emit(
        tool: String, started: ContinuousClock.Instant, pretty: Bool, outcome: ToolOutcome
    ) -> Never {
        let envelope = outcome.envelope(tool: tool, elapsed: ContinuousClock.now - started)
        let text = Redactor.shared.redact(envelope).encodedString(pretty: pretty) + "\n"
        Terminal.finish(stdout: text, status: outcome.error?.exit.rawValue ?? ToolExit.ok.rawValue)
    }
}
