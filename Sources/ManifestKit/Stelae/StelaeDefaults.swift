import Foundation
import SmokeCore

/// What a current Stelae checkout keeps in Python rather than in JSON: the catalog defaults
/// (`stelae_lib/catalog_defaults.py`) and the server visibility flags
/// (`stelae_lib/config_overlays.py`). Read from the checkout itself, so a render follows the
/// checkout it is pointed at instead of a copy that goes stale.
public struct StelaeDefaults: Sendable {
    public static let defaultsModule = "stelae_lib/catalog_defaults.py"
    static let overlaysModule = "stelae_lib/config_overlays.py"

    /// `DEFAULT_CATALOG_FRAGMENT`, the first fragment of every render.
    public var fragment: CatalogFragment
    /// `DEFAULT_CUSTOM_TOOLS`, seeded where the custom tools server reads its config.
    public var customTools: JSONValue?
    /// `DEFAULT_DISCOVERED_SERVERS`, seeded where the integrator reads its discovery list.
    public var discoveredServers: JSONValue?
    /// `SERVER_FLAG_VARS`: server name → the `STELAE_*_VISIBLE` variable that can hide it.
    public var visibilityFlags: [String: String]

    /// The defaults module of the checkout a template belongs to (`config/proxy.template.json` →
    /// `stelae_lib/catalog_defaults.py` beside `config/`), when there is one.
    static func locate(templateDirectory: String) -> String? {
        let root = URL(fileURLWithPath: templateDirectory).deletingLastPathComponent()
        let path = root.appendingPathComponent(defaultsModule).standardizedFileURL.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    public static func load(path: String) throws(SmokeError) -> StelaeDefaults {
        let module = try PythonLiterals(path: path)
        let fragmentValue = try module.value("DEFAULT_CATALOG_FRAGMENT")
        let fragment = try CatalogFragment.parse(
            fragmentValue, path: path, kind: .embeddedDefaults, name: "embedded-defaults")
        var flags: [String: String] = [:]
        let overlays = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent("config_overlays.py").path
        if FileManager.default.fileExists(atPath: overlays),
            let map = try? PythonLiterals(path: overlays).value("SERVER_FLAG_VARS").objectValue
        {
            for (server, variable) in map { if let name = variable.stringValue { flags[server] = name } }
        }
        return StelaeDefaults(
            fragment: fragment, customTools: try? module.value("DEFAULT_CUSTOM_TOOLS"),
            discoveredServers: try? module.value("DEFAULT_DISCOVERED_SERVERS"), visibilityFlags: flags)
    }

    /// Servers a `STELAE_*_VISIBLE` flag in `environment` turns off, with the flag that did it.
    /// Stelae reads the flags from the process environment only, never from env files.
    public func hiddenServers(environment: [String: String]) -> [(server: String, flag: String)] {
        visibilityFlags.keys.sorted().compactMap { server in
            let flag = visibilityFlags[server]!
            guard let value = environment[flag], Self.isFalse(value) else { return nil }
            return (server, flag)
        }
    }

    static func isFalse(_ value: String) -> Bool {
        ["0", "false", "no", "n", "off"].contains(value.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
