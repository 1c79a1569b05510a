import ArgumentParser
import ManifestKit

/// The inputs of a render, as flags: `render` takes them, and `diff --base-ref` renders the same
/// inputs twice (at a revision and in the working tree).
struct RenderFlags: ParsableArguments {
    @Option(help: "Config home (default: $STELAE_CONFIG_HOME, $XDG_CONFIG_HOME/stelae, ~/.config/stelae).")
    var configHome: String?
    @Option(help: "State home for the outputs (default: $STELAE_STATE_HOME, $CONFIG_HOME/.state).")
    var stateHome: String?
    @Option(help: "Proxy template (default: config/proxy.template.json).")
    var template: String?
    @Option(
        help: "Template deep-merged over the template (default: $CONFIG_HOME/proxy.template.local.json when present).")
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
    @Flag(help: "Render a configuration that hard-codes a port (a warning instead of hardcoded_port).")
    var allowHardcodedPort = false
    @Option(
        help: "A Stelae checkout's stelae_lib/catalog_defaults.py (default: the one beside the template's directory).")
    var pythonDefaults: String?
    @Flag(help: "Do not read a Stelae checkout's Python catalog defaults.")
    var noPythonDefaults = false

    var options: RenderOptions {
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

    /// Whether any render flag was given (`diff` takes them only with --base-ref).
    var given: Bool {
        configHome != nil || stateHome != nil || template != nil || overlayTemplate != nil || envFile != nil
            || fallbackEnv != nil || overlayEnv != nil || !catalogs.isEmpty || !bundles.isEmpty || !assignments.isEmpty
            || outDir != nil || pythonDefaults != nil || noPythonDefaults || allowHardcodedPort
    }
}
