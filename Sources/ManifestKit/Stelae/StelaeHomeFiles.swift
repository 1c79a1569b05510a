import Foundation
import SmokeCore

/// The files Stelae's own servers read at start that its setup step seeds from the Python
/// defaults. A render writes each one only where none exists: they are the user's to edit, and
/// the servers fail or list nothing without them. Where each lives is what the env layers say
/// (`.env.example` names them all), so the servers started with the same env find them.
enum StelaeHomeFiles {
    static func seeds(
        _ defaults: StelaeDefaults, environment: RenderEnvironment, paths: RenderPaths
    ) -> [(path: String, data: Data)] {
        var seeds: [(path: String, data: Data)] = []
        func seed(_ variable: String, _ value: JSONValue?) {
            guard let value, let path = environment.values[variable], !path.isEmpty else { return }
            seeds.append((paths.absolute(path), value.encoded(pretty: true, trailingNewline: true)))
        }
        seed("STELAE_CUSTOM_TOOLS_CONFIG", defaults.customTools)
        seed("STELAE_DISCOVERY_PATH", defaults.discoveredServers)
        seed("TOOL_SCHEMA_STATUS_PATH", ["schemaVersion": 1, "tools": [:]])
        return seeds
    }
}
