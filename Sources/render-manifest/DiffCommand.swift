import ArgumentParser
import Foundation
import GitKit
import ManifestKit
import SmokeCore

struct DiffCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Classify every change between two tool surfaces as breaking or compatible (exit 1 on a breaking change).",
        discussion: """
            render-manifest diff BASE HEAD: two files, each a curated manifest.json, a tools/list result or a \
            JSON-RPC response (- reads stdin for one of them).
            render-manifest diff --base-ref REV [--repo DIR] [render flags]: the working tree's render against \
            the same render of the inputs as they were at REV (read through libgit2; nothing is written).
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("BASE and HEAD surfaces (files; - is stdin), unless --base-ref is given.", valueName: "file"))
    var surfaces: [String] = []

    @Option(help: ArgumentHelp(
        "Render the inputs as they were at this git revision and diff against the working tree's render.", valueName: "rev"))
    var baseRef: String?
    @Option(help: ArgumentHelp("The repository for --base-ref (default: the one enclosing the working directory).", valueName: "dir"))
    var repo: String?
    @Flag(help: "Report breaking changes but exit 0.")
    var allowBreaking = false

    @Option(help: "Config home (default: $STELAE_CONFIG_HOME, $XDG_CONFIG_HOME/stelae, ~/.config/stelae).")
    var configHome: String?
    @Option(help: "State home (default: $STELAE_STATE_HOME, $CONFIG_HOME/.state); nothing is written.")
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
    @Option(help: "Output directory the render would use (accepted for parity with render; nothing is written).")
    var outDir: String?
    @Flag(help: "Accepted for parity with render: literal ports never stop a diff.")
    var allowHardcodedPort = false
    @Option(help: "A Stelae checkout's stelae_lib/catalog_defaults.py (default: the one beside the template's directory).")
    var pythonDefaults: String?
    @Flag(help: "Do not read a Stelae checkout's Python catalog defaults.")
    var noPythonDefaults = false

    var renderOptions: RenderOptions {
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
        return options
    }

    /// Render flags given on the command line (they mean something only with --base-ref).
    var renderFlagsGiven: Bool {
        configHome != nil || stateHome != nil || template != nil || overlayTemplate != nil || envFile != nil
            || fallbackEnv != nil || overlayEnv != nil || !catalogs.isEmpty || !bundles.isEmpty || !assignments.isEmpty
            || outDir != nil || pythonDefaults != nil || noPythonDefaults || allowHardcodedPort
    }

    func execute() async throws -> ToolOutcome {
        let report: SurfaceDiffReport
        if let baseRef {
            guard surfaces.isEmpty else {
                throw SmokeError.invalidInput("usage", "diff --base-ref takes no BASE/HEAD files (got \(surfaces.joined(separator: " ")))")
            }
            let options = renderOptions
            report = try RevisionDiff.run(options, revision: baseRef) { directory, inputs throws(SmokeError) in
                let tree = try RevisionExport.export(
                    revision: baseRef, repository: repo, searchFrom: options.workingDirectory, into: directory,
                    ignoredPaths: inputs)
                return ExportedRevision(
                    workTree: tree.workTree, directory: directory, revision: tree.revision, commit: tree.commit,
                    headCommit: tree.headCommit, ignored: tree.ignored)
            }
        } else {
            guard surfaces.count == 2 else {
                throw SmokeError.invalidInput(
                    "usage", "diff needs BASE and HEAD files, or --base-ref REV (got \(surfaces.count) file(s))")
            }
            guard !renderFlagsGiven, repo == nil else {
                throw SmokeError.invalidInput("usage", "render flags and --repo go with --base-ref; BASE and HEAD files are compared as they are")
            }
            guard surfaces != ["-", "-"] else {
                throw SmokeError.invalidInput("usage", "diff: only one of BASE and HEAD can be - (stdin)")
            }
            report = SurfaceDiff.compare(base: try Self.read(surfaces[0]), head: try Self.read(surfaces[1]))
        }
        let log = Log(tool: RenderManifestCommand.toolName, quiet: common.quiet)
        for warning in report.warnings { log.info("warning: \(warning)") }
        let summary = report.summary(allowBreaking: allowBreaking)
        if let error = report.error(allowBreaking: allowBreaking) { return .failure(error, summary) }
        return .success(summary)
    }

    static func read(_ path: String) throws(SmokeError) -> ToolSurface {
        let source = path == "-" ? "stdin" : path
        let value = path == "-"
            ? try ManifestJSON.parse(FileHandle.standardInput.readDataToEndOfFile(), source: source)
            : try ManifestJSON.load(path: path)
        return try ToolSurface.read(value, source: source, origin: ["kind": "file", "path": .string(source)])
    }
}
