import ArgumentParser
import PortKit
import SmokeCore

@main
struct PortPreflightCommand: ToolMain, ToolCommand {
    static let toolName = "port-preflight"
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
