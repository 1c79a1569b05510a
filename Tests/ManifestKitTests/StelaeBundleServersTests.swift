import Foundation
import ManifestKit
import SmokeCore
import Testing

/// Stelae's own bundles (bundles/starter/catalog.json) list `servers` as an array of descriptors
/// with a `name`, beside a bundle `name` and `description`; catalogs may also key them by name.
@Suite struct StelaeBundleServersTests {
    static let starterShape = """
        {"schemaVersion": 1, "name": "starter-pack", "description": "Optional servers.",
         "coreServers": ["custom", "tool_aggregator"],
         "servers": [
           {"name": "fetch", "transport": "http", "command": "{{LOCAL_BIN}}/mcp-server-fetch"},
           {"name": "fs", "transport": "stdio", "command": "{{FILESYSTEM_BIN}}", "args": ["--allow-write", "{{STELAE_DIR}}"]}
         ],
         "toolOverrides": {"schemaVersion": 2, "servers": {"fetch": {"enabled": false, "tools": {}}}}}
        """

    @Test func serverListIsKeyedByName() throws {
        let value = try JSONValue.parse(Data(Self.starterShape.utf8), source: "starter")
        let fragment = try CatalogFragment.parse(
            value, path: "bundles/starter/catalog.json", kind: .bundle, name: "starter")
        let servers = try #require(fragment.payload["servers"]?.objectValue)
        #expect(Set(servers.keys) == ["fetch", "fs"])
        #expect(servers["fs"]?["args"] == ["--allow-write", "{{STELAE_DIR}}"])
        #expect(fragment.payload["coreServers"] == ["custom", "tool_aggregator"])
    }

    @Test(arguments: [
        (#"{"servers": [{"transport": "stdio"}]}"#, "missing_key", "servers[0]"),
        (#"{"servers": [{"name": "a"}, {"name": "a"}]}"#, "duplicate_server", "servers[1].name"),
        (#"{"servers": ["fs"]}"#, "missing_key", "servers[0]"),
    ])
    func unusableServerListNamesTheIndex(text: String, code: String, path: String) throws {
        let value = try JSONValue.parse(Data(text.utf8), source: "c")
        #expect {
            try CatalogFragment.parse(value, path: "bundles/x/catalog.json", kind: .bundle, name: "x")
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code.rawValue == code && error.exit == .invalidInput
                && error.message.contains("bundles/x/catalog.json") && error.message.contains(path)
        }
    }
}
