import ArgumentParser
import Foundation
import SmokeCore

/// The arguments read by ArgumentParser, the same way for every tool: help and version text are
/// for people (stdout, exit 0, here); a usage error goes to stderr and comes back to the caller,
/// which answers it in its own form (an envelope, or an exit status for smoke-report).
enum ParsedCommandLine {
    case command(any ParsableCommand)
    /// The full usage text went to stderr; `message` is its one-line reason.
    case usage(message: String)
    /// A command group without its subcommand: nothing printed yet.
    case noSubcommand

    static func parse(root: any ParsableCommand.Type, arguments: [String]) -> ParsedCommandLine {
        let parsed: any ParsableCommand
        do {
            parsed = try root.parseAsRoot(arguments)
        } catch {
            if root.exitCode(for: error) == .success {
                Terminal.finish(stdout: root.fullMessage(for: error) + "\n", status: ToolExit.ok.rawValue)
            }
            Log.writeStderr(root.fullMessage(for: error) + "\n")
            return .usage(message: root.message(for: error))
        }
        if parsed is any ToolCommand || parsed is any ReportSubcommand { return .command(parsed) }
        // ArgumentParser's own help command, or a command group invoked without a subcommand.
        if arguments.contains(where: { ["-h", "--help", "help"].contains($0) }) {
            var help = parsed
            do {
                try help.run()
            } catch {
                Terminal.finish(stdout: root.fullMessage(for: error) + "\n", status: ToolExit.ok.rawValue)
            }
            Terminal.finish(stdout: "", status: ToolExit.ok.rawValue)
        }
        return .noSubcommand
    }
}
