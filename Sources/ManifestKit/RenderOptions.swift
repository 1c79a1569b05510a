import Foundation

/// Everything `render-manifest render` reads, as flags give it. Nil means "use the default".
public struct RenderOptions: Sendable {
    public var configHome: String?
    public var stateHome: String?
    public var template: String?
    public var overlayTemplate: String?
    public var envFile: String?
    public var fallbackEnv: String?
    public var overlayEnv: String?
    public var catalogs: [String] = []
    public var bundles: [String] = []
    /// `KEY=VALUE` assignments, highest layer.
    public var assignments: [String] = []
    public var scope: CatalogScope = .local
    public var outDir: String?
    public var allowHardcodedPort = false
    /// A Stelae checkout's `stelae_lib/catalog_defaults.py`; by default the one beside the
    /// template's directory, when there is one.
    public var pythonDefaults: String?
    public var noPythonDefaults = false
    /// The process environment (the lowest layer); injectable for tests.
    public var processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    /// Relative paths resolve against this directory.
    public var workingDirectory: String = FileManager.default.currentDirectoryPath

    public init() {}
}

/// The files a render writes, by role.
public struct RenderOutputs: Sendable, Equatable {
    public var proxy: String
    public var overrides: String
    public var manifest: String
    public var intended: String

    public static let fileNames = (
        proxy: "proxy.json", overrides: "tool_overrides.json", manifest: "manifest.json",
        intended: "intended_catalog.json"
    )

    public init(directory: String) {
        proxy = "\(directory)/\(Self.fileNames.proxy)"
        overrides = "\(directory)/\(Self.fileNames.overrides)"
        manifest = "\(directory)/\(Self.fileNames.manifest)"
        intended = "\(directory)/\(Self.fileNames.intended)"
    }

    public init(proxy: String, overrides: String, manifest: String, intended: String) {
        self.proxy = proxy
        self.overrides = overrides
        self.manifest = manifest
        self.intended = intended
    }

    public var json: [String: String] {
        ["proxy": proxy, "overrides": overrides, "manifest": manifest, "intended": intended]
    }
}
