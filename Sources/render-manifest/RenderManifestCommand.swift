import ArgumentParser
import Foundation
import ManifestKit
import SmokeCLI
import SmokeCore

@main
struct RenderManifestCommand: ToolMain {
    static let toolName = "render-manifest"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Render proxy.json, runtime tool overrides and the curated manifest; check drift.",
        version: SmokeVersion.current,
        subcommands: [RenderCommand.self, DriftCommand.self, LintCommand.self, DiffCommand.self],
        defaultSubcommand: RenderCommand.self
    )
}

struct RenderCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render proxy.json, tool_overrides.json, manifest.json and intended_catalog.json.")

    @OptionGroup var common: CommonOptions

    @OptionGroup var render: RenderFlags
    @Flag(help: "Validate and report; write nothing.")
    var checkOnly = false

    func execute() async throws -> ToolOutcome {
        let options = render.options
        let plan = try Renderer.plan(options)
        let seeded = plan.missingSeeds
        let changed = checkOnly ? plan.wouldChange() : try plan.write()
        let log = Log(tool: RenderManifestCommand.toolName, quiet: common.quiet)
        for warning in plan.warnings { log.info("warning: \(warning)") }
        return .success(plan.summary(changed: changed, checkOnly: checkOnly, seeded: seeded))
    }
}

struct DriftCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare a live tools/list result with the curated manifest (exit 1 on drift).")

    @OptionGroup var common: CommonOptions

    @Option(help: "The curated manifest.json.")
    var manifest: String
    @Option(help: "A tools/list result or JSON-RPC response; - reads stdin.")
    var live: String

    func execute() async throws -> ToolOutcome {
        let expected = try Drift.manifestNames(ManifestJSON.load(path: manifest), source: manifest)
        let liveValue: JSONValue
        if live == "-" {
            liveValue = try ManifestJSON.parse(FileHandle.standardInput.readDataToEndOfFile(), source: "stdin")
        } else {
            liveValue = try ManifestJSON.load(path: live)
        }
        let report = DriftReport(
            expected: expected, live: try Drift.liveNames(liveValue, source: live == "-" ? "stdin" : live))
        if let error = report.error { return .failure(error, report.summary) }
        return .success(report.summary)
    }
}

extension CatalogScope: ExpressibleByArgument {}
