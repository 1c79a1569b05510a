import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// A render of a checkout laid out like current Stelae gives what Stelae's own renderer gives
/// (its rules, checked against the real renderer by hand: docs/stelae.md) without any setup.
@Suite struct StelaeLayoutTests {
    @Test func bareCheckoutRendersTheDefaultsKeptInPython() throws {
        let fixture = try StelaeCheckoutFixture()
        fixture.options.allowHardcodedPort = true
        let plan = try fixture.render()
        // manage_stelae (enabled), list_servers (no `enabled` key: shown); retired and the
        // hidden legacy::old are not.
        #expect(plan.manifest.names == ["list_servers", "manage_stelae"])
        #expect(plan.fragments == ["\(fixture.checkout)/stelae_lib/catalog_defaults.py"])
        #expect(plan.hidden == ["legacy::old"])
        // Outputs land in the state home, where Stelae's servers read them.
        let overrides = try fixture.state("tool_overrides.json")
        #expect(overrides["servers"]?["legacy"]?["tools"]?["old"]?["enabled"] == false)
        #expect(overrides["servers"]?["remote"]?["metadata"]?["description"] == "Remote catalog.")
        #expect(
            try fixture.state("intended_catalog.json")["catalog"]?["toolAggregations"]?["proxyURL"]
                == "http://127.0.0.1:9090")
        // proxy.json: placeholders from .env.example, the config home the render was given
        // (not the ${HOME}/.config/stelae the fallback env names), each server's env kept.
        let proxy = try fixture.state("proxy.json")
        #expect(proxy["mcpProxy"]?["addr"] == ":18555")
        #expect(proxy["mcpServers"]?["integrator"]?["args"] == [.string("\(fixture.checkout)/scripts/integrator.py")])
        #expect(
            proxy["mcpServers"]?["tool_aggregator"]?["env"]?["STELAE_TOOL_AGGREGATIONS"]
                == .string("\(fixture.configHome)/tool_aggregations.json"))
        #expect(proxy["manifest"]?["toolOverridesPath"] == .string("\(fixture.stateHome)/tool_overrides.json"))
    }

    @Test func secondRenderKeepsTheDefaultsAndTheBytes() throws {
        let fixture = try StelaeCheckoutFixture()
        fixture.options.allowHardcodedPort = true
        let first = try fixture.render()
        let bytes = try FileIO.read(path: first.outputs.overrides)
        let second = try fixture.render()
        #expect(second.manifest.names == first.manifest.names)
        #expect(try FileIO.read(path: second.outputs.overrides) == bytes)
        #expect(!(try second.write()))
    }

    @Test func filesStelaeServersReadAreSeededOnlyWhenMissing() throws {
        let fixture = try StelaeCheckoutFixture()
        fixture.options.allowHardcodedPort = true
        try fixture.home("custom_tools.json", #"{"tools": [{"name": "mine"}]}"#)
        let plan = try fixture.render()
        #expect(
            Set(plan.seeds.map(\.path)) == [
                "\(fixture.configHome)/custom_tools.json", "\(fixture.stateHome)/discovered_servers.json",
                "\(fixture.stateHome)/tool_schema_status.json",
            ])
        // The user's own file stays; the others come from the Python defaults.
        #expect(
            try JSONValue.load(path: "\(fixture.configHome)/custom_tools.json")["tools"]?.arrayValue?.first?["name"]
                == "mine")
        #expect(try fixture.state("discovered_servers.json").arrayValue?.first?["name"] == "qdrant")
        #expect(try fixture.state("tool_schema_status.json") == ["schemaVersion": 1, "tools": [:]])
    }

    @Test func configHomeCatalogsAndInstalledBundlesInStelaesOrder() throws {
        let fixture = try StelaeCheckoutFixture()
        try fixture.home(
            "catalog/local.json",
            """
            {"toolAggregations": {"proxyURL": "http://127.0.0.1:18555"},
             "hideTools": [{"server": "integrator", "tool": "noise"}],
             "toolOverrides": {"servers": {"remote": {"enabled": false}}}}
            """)
        try fixture.home("bundles/pack/catalog.json", StelaeCheckoutFixture.bundleCatalog)
        try fixture.home("catalog/bundles/extra/catalog.json", #"{"hideTools": [{"server": "fs", "tool": "delete"}]}"#)
        try fixture.home(
            "proxy.template.local.json",
            #"{"mcpServers": {"fs": {"type": "stdio", "command": "{{PYTHON}}", "args": ["-m", "fs"], "env": {"ROOT": "{{STELAE_DIR}}"}}}}"#
        )
        let plan = try fixture.render()
        #expect(
            plan.fragments.map { URL(fileURLWithPath: $0).pathComponents.suffix(2).joined(separator: "/") } == [
                "stelae_lib/catalog_defaults.py", "catalog/local.json", "pack/catalog.json", "extra/catalog.json",
            ])
        // A config-home catalog's toolOverrides reach the intended catalog only: remote stays live.
        #expect(plan.manifest.names == ["list_servers", "manage_stelae", "workspace_fs_read"])
        #expect(plan.intended["catalog"]?["toolOverrides"]?["servers"]?["remote"]?["enabled"] == false)
        // The aggregate: on the default server, type-array outputSchema coerced, its hideTools
        // applied, the tool it wraps (read_file) left alone.
        let fs = plan.overrides["servers"]?["fs"]?["tools"]
        #expect(fs?["write_file"]?["enabled"] == false)
        #expect(fs?["read_file"] == nil)
        #expect(
            plan.overrides["servers"]?["tool_aggregator"]?["tools"]?["workspace_fs_read"]?["outputSchema"]?["type"]
                == "object")
        #expect(plan.hidden == ["fs::delete", "fs::write_file", "integrator::noise", "legacy::old"])
        // The overlay's server reaches proxy.json with its env, placeholders filled.
        #expect(plan.proxy["mcpServers"]?["fs"]?["env"]?["ROOT"] == .string(fixture.checkout))
        #expect(plan.hardcodedPorts.allSatisfy { !$0.isFatal(renderPort: 18_555) })
    }

    @Test func aProxyURLOnAnotherPortIsNamedWithItsFileAndPath() throws {
        let fixture = try StelaeCheckoutFixture()
        let error = try #require(fixture.renderError())
        #expect(error.code == .hardcodedPort)
        #expect(error.exit == .invalidInput)
        #expect(error.fields["file"] == .string("\(fixture.checkout)/stelae_lib/catalog_defaults.py"))
        #expect(error.fields["json_path"] == "toolAggregations.proxyURL")
        #expect(error.message.contains("the stack listens on 18555"))

        // A later catalog that sets the port in use wins, and so passes.
        try fixture.home("catalog/port.json", #"{"toolAggregations": {"proxyURL": "http://localhost:18555/"}}"#)
        let plan = try fixture.render()
        #expect(plan.hardcodedPorts.map(\.path.description) == ["toolAggregations.proxyURL"])
        #expect(plan.hardcodedPorts.first?.source == "\(fixture.configHome)/catalog/port.json")

        // The aggregator's own config in the config home overrides the catalog: it is checked too.
        try fixture.home("tool_aggregations.json", #"{"defaults": {"proxyURL": "http://127.0.0.1:9090"}}"#)
        let overlay = try #require(fixture.renderError())
        #expect(overlay.fields["file"] == .string("\(fixture.configHome)/tool_aggregations.json"))
        #expect(overlay.fields["json_path"] == "defaults.proxyURL")
    }

    @Test func downstreamLoopbackURLsAreReportedNotFatal() throws {
        let fixture = try StelaeCheckoutFixture()
        fixture.options.allowHardcodedPort = true
        try fixture.home(
            "proxy.template.local.json",
            #"{"mcpServers": {"local": {"type": "http", "url": "http://127.0.0.1:7000/mcp"}}}"#)
        let plan = try fixture.render()
        let downstream = try #require(plan.hardcodedPorts.first { $0.role == .downstream })
        #expect(downstream.path.description == "mcpServers.local.url")
        #expect(downstream.port == 7000)
        #expect(!downstream.isFatal(renderPort: 18_555))
    }

    @Test func visibilityFlagsFromTheProcessEnvironmentTurnServersOff() throws {
        let fixture = try StelaeCheckoutFixture()
        fixture.options.allowHardcodedPort = true
        fixture.options.processEnvironment["STELAE_REMOTE_VISIBLE"] = "0"
        fixture.options.processEnvironment["STELAE_LEGACY_VISIBLE"] = "yes"
        let plan = try fixture.render()
        #expect(plan.hiddenServers.map(\.server) == ["remote"])
        #expect(plan.hiddenServers.map(\.flag) == ["STELAE_REMOTE_VISIBLE"])
        #expect(plan.intended["catalog"]?["toolOverrides"]?["servers"]?["remote"]?["enabled"] == false)
        // The only warning is the allowed port: no per-server or per-operation noise.
        #expect(plan.warnings.count == 1 && plan.warnings[0].contains("proxyURL hard-codes port 9090"))
        // A flag set in an env file is not read (Stelae reads the process environment only).
        let fromFile = try StelaeCheckoutFixture()
        fromFile.options.allowHardcodedPort = true
        try fromFile.home(".env", "STELAE_REMOTE_VISIBLE=0\n")
        #expect(try fromFile.render().hiddenServers.isEmpty)
    }

    @Test func theUsersOwnOverridesFileIsMergedOverTheDefaults() throws {
        let fixture = try StelaeCheckoutFixture()
        fixture.options.allowHardcodedPort = true
        try fixture.home(
            "tool_overrides.json",
            #"{"servers": {"integrator": {"tools": {"manage_stelae": {"description": "Mine."}}}}}"#)
        let plan = try fixture.render()
        #expect(plan.userOverrides == "\(fixture.configHome)/tool_overrides.json")
        #expect(plan.manifest.tools.first { $0.name == "manage_stelae" }?.json["description"] == "Mine.")
        #expect(plan.manifest.names == ["list_servers", "manage_stelae"])
    }

    @Test func aCheckoutWhoseDefaultsAreUnreadableIsAClearError() throws {
        let fixture = try StelaeCheckoutFixture()
        try fixture.write(_relative: "stelae/stelae_lib/catalog_defaults.py", "DEFAULT_CATALOG_FRAGMENT = build()\n")
        let error = try #require(fixture.renderError())
        #expect(error.code == .invalidPythonDefaults)
        #expect(error.message.contains("catalog_defaults.py:1: DEFAULT_CATALOG_FRAGMENT is not a literal"))
        fixture.options.noPythonDefaults = true
        #expect(fixture.renderError()?.code == .emptyManifest)
    }
}
