import ArgumentParser
import ManifestKit
import SmokeCore

@main
struct RenderManifestCommand: ToolMain, ToolCommand {
    static let toolName = "render-manifest"
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
