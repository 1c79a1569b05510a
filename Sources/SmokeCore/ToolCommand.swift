import ArgumentParser
import Foundation

public enum SmokeVersion {
    public static let current = "0.1.0"
}

/// Flags every tool and subcommand accepts.
public struct CommonOptions: ParsableArguments, Sendable {
    @Flag(help: "Pretty-print the JSON answer on stdout.")
    public var pretty = false

    @Flag(help: "Print no progress on stderr.")
    public var quiet = false

    public init() {}
}

/// What a command hands back: its tool-specific top-level keys, and an error when the run failed.
/// The runner adds `tool`, `version`, `ok` and `elapsed_ms`.
public struct ToolOutcome: Sendable {
    public var fields: [String: JSONValue]
    public var error: SmokeError?

    public init(fields: [String: JSONValue] = [:], error: SmokeError? = nil) {
        self.fields = fields
        self.error = error
    }

    public static func success(_ fields: [String: JSONValue] = [:]) -> ToolOutcome {
        ToolOutcome(fields: fields)
    }

    public static func failure(_ error: SmokeError, _ fields: [String: JSONValue] = [:]) -> ToolOutcome {
        ToolOutcome(fields: fields, error: error)
    }
}

/// A leaf command: parses its flags, does its one job, returns an outcome. Throwing a
/// `SmokeError` is the same as returning `.failure` with no extra fields.
public protocol ToolCommand: AsyncParsableCommand {
    var common: CommonOptions { get }
    func execute() async throws -> ToolOutcome
}

extension ToolCommand {
    public mutating func run() async throws {
        // Reached only when a command is run outside ToolMain (e.g. parsed in a test): keep the contract.
        let outcome = try await execute()
        ToolRunner.emit(
            tool: Self._commandName, started: .now, pretty: common.pretty, outcome: outcome)
    }
}

/// The `@main` type of a tool. Its `main()` turns every parse error, thrown error and result into
/// exactly one JSON document on stdout and the documented exit code.
public protocol ToolMain: AsyncParsableCommand {
    static var toolName: String { get }
}

extension ToolMain {
    public static func main() async {
        await ToolRunner.run(root: Self.self, tool: toolName)
    }
}

public enum ToolRunner {
    public static func run(
        root: any ParsableCommand.Type, tool: String,
        arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) async -> Never {
        let started = ContinuousClock.now
        let pretty = arguments.contains("--pretty")
        let parsed: any ParsableCommand
        do {
            parsed = try root.parseAsRoot(arguments)
        } catch {
            if root.exitCode(for: error) == .success {
                // --help and --version are for people: plain text, exit 0.
                FileHandle.standardOutput.write(Data((root.fullMessage(for: error) + "\n").utf8))
                exit(0)
            }
            Log.writeStderr(root.fullMessage(for: error) + "\n")
            let usage = SmokeError.invalidInput(
                "usage", root.message(for: error), hint: "run `\(tool) --help` for usage")
            emit(tool: tool, started: started, pretty: pretty, outcome: .failure(usage))
        }
        guard let command = parsed as? any ToolCommand else {
            // ArgumentParser's own help command, or a command group invoked without a subcommand.
            let helpAsked = arguments.contains { ["-h", "--help", "help"].contains($0) }
            if helpAsked {
                do {
                    var other = parsed
                    try other.run()
                } catch {
                    FileHandle.standardOutput.write(Data((root.fullMessage(for: error) + "\n").utf8))
                }
                exit(0)
            }
            Log.writeStderr(root.helpMessage() + "\n")
            let usage = SmokeError.invalidInput("usage", "\(tool): a subcommand is required")
            emit(tool: tool, started: started, pretty: pretty, outcome: .failure(usage))
        }
        let outcome: ToolOutcome
        do {
            outcome = try await command.execute()
        } catch let error as SmokeError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(.environment("unexpected_error", "\(tool): \(error)"))
        }
        emit(tool: tool, started: started, pretty: command.common.pretty, outcome: outcome)
    }

    /// Prints the envelope (redacted) and exits with the outcome's code.
    public static func emit(
        tool: String, started: ContinuousClock.Instant, pretty: Bool, outcome: ToolOutcome
    ) -> Never {
        let document = Redactor.shared.redact(envelope(tool: tool, started: started, outcome: outcome))
        let text = document.encodedString(pretty: pretty) + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
        exit(outcome.error?.exit.rawValue ?? ToolExit.ok.rawValue)
    }

    public static func envelope(
        tool: String, started: ContinuousClock.Instant, outcome: ToolOutcome
    ) -> JSONValue {
        var object = outcome.fields
        if let error = outcome.error {
            object.merge(error.fields) { _, new in new }
            object["error"] = error.json
        }
        let elapsed = ContinuousClock.now - started
        object["tool"] = .string(tool)
        object["version"] = .string(SmokeVersion.current)
        object["ok"] = .bool(outcome.error == nil)
        object["elapsed_ms"] = .int(elapsed.milliseconds)
        return .object(object)
    }
}

extension Duration {
    /// Whole milliseconds, for `elapsed_ms` and friends.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
