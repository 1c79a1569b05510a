import ArgumentParser
import ProbeKit
import SmokeCore

@main
struct ProbeInitializeCommand: ToolMain, ToolCommand {
    static let toolName = "probe-initialize"
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
