import ArgumentParser
import SmokeCore

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
