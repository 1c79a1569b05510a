import ArgumentParser
import GitKit
import SmokeCore

@main
struct GitCleanCheckCommand: ToolMain, ToolCommand {
    static let toolName = "git-clean-check"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Not implemented yet.",
        version: SmokeVersion.current
    )

    @OptionGroup var common: CommonOptions

    func execute() async throws -> ToolOutcome {
        throw SmokeError.invalidInput("not_implemented", "\(Self.toolName) is not implemented yet")
    }
}
