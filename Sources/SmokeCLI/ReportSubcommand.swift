import ArgumentParser
import Foundation
import SmokeCore

/// A subcommand of a tool that answers with files and plain text instead of an envelope
/// (smoke-report): its flags in, a `ReportOutput` back.
public protocol ReportSubcommand: ParsableCommand {
    func answer() throws(SmokeError) -> ReportOutput
}

public enum ReportRunner {
    /// Parse, answer, print (stdout redacted), exit with the answer's status; a usage error is
    /// exit 2 with the usage on stderr, a thrown error its own exit code with `code: message`.
    public static func run(
        root: any ParsableCommand.Type, tool: String,
        arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) -> Never {
        let command: any ReportSubcommand
        switch ParsedCommandLine.parse(root: root, arguments: arguments) {
        case .command(let parsed as any ReportSubcommand):
            command = parsed
        case .command, .noSubcommand:
            Terminal.finish(
                stdout: "", stderr: root.helpMessage() + "\nError: a subcommand is required\n",
                status: ToolExit.invalidInput.rawValue)
        case .usage:
            Terminal.finish(stdout: "", status: ToolExit.invalidInput.rawValue)
        }
        do {
            let output = try command.answer()
            Terminal.finish(stdout: Redactor.shared.redact(output.stdout), stderr: output.stderr, status: output.exit)
        } catch {
            Terminal.finish(
                stdout: "", stderr: "\(tool): \(error.code): \(error.message)\n", status: error.exit.rawValue)
        }
    }
}
