import ArgumentParser
import Foundation
import ManifestKit
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

    @Option(help: "Config home (default: $STELAE_CONFIG_HOME, $XDG_CONFIG_HOME/stelae, ~/.config/stelae).")
    var configHome: String?
    @Option(help: "State home for the outputs (default: $STELAE_STATE_HOME, $CONFIG_HOME/.state).")
    var stateHome: String?
    @Option(help: "Proxy template (default: config/proxy.template.json).")
    var template: String?
    @Option(help: "Template deep-merged over the template (default: $CONFIG_HOME/proxy.template.local.json when present).")
    var overlayTemplate: String?
    @Option(help: "Env file (default: $STELAE_ENV_FILE, else $CONFIG_HOME/.env when present).")
    var envFile: String?
    @Option(help: "Lowest env file (default: .env.example beside the template or its parent when present).")
    var fallbackEnv: String?
    @Option(help: "Env file over the env file (default: $CONFIG_HOME/.env.local when present).")
    var overlayEnv: String?
    @Option(name: .customLong("catalog"), help: "Catalog fragment, in merge order (repeatable).")
    var catalogs: [String] = []
    @Option(name: .customLong("bundle"), help: "Bundle directory whose catalog.json is merged last (repeatable).")
    var bundles: [String] = []
    @Option(name: .customLong("set"), help: "KEY=VALUE, the highest env layer (repeatable).")
    var assignments: [String] = []
    @Option(help: "local: --catalog files, config home catalogs and bundles; default: only --catalog files.")
    var scope: CatalogScope = .local
    @Option(help: "Write the four outputs into this directory.")
    var outDir: String?
    @Flag(help: "Validate and report; write nothing.")
    var checkOnly = false
    @Flag(help: "Render a configuration that hard-codes a port (a warning instead of hardcoded_port).")
    var allowHardcodedPort = false
    @Option(help: "A Stelae checkout's stelae_lib/catalog_defaults.py (default: the one beside the template's directory).")
    var pythonDefaults: String?
    @Flag(help: "Do not read a Stelae checkout's Python catalog defaults.")
    var noPythonDefaults = false

    func execute() async throws -> ToolOutcome {
        var options = RenderOptions()
        options.configHome = configHome
        options.stateHome = stateHome
        options.template = template
        options.overlayTemplate = overlayTemplate
        options.envFile = envFile
        options.fallbackEnv = fallbackEnv
        options.overlayEnv = overlayEnv
        options.catalogs = catalogs
        options.bundles = bundles
        options.assignments = assignments
        options.scope = scope
        options.outDir = outDir
        options.allowHardcodedPort = allowHardcodedPort
        options.pythonDefaults = pythonDefaults
        options.noPythonDefaults = noPythonDefaults
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
