import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// Fragments merge by Stelae's rules, in the documented order, per scope.
@Suite struct MergeRulesTests {
    @Test func laterAggregateReplacesEarlierWholeAndLaterHiddenReasonWins() throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "a.json",
            """
            {"toolAggregations": {"defaults": {"serverName": "stelae"},
              "hiddenTools": [{"server": "fs", "tool": "x", "reason": "first"}],
              "aggregations": [{"name": "suite", "description": "old", "inputSchema": {"type": "object"},
                 "annotations": {"title": "Old"},
                 "operations": [{"value": "a", "downstreamServer": "fs", "downstreamTool": "old_tool"}]}]}}
            """)
        try fixture.catalog(
            "b.json",
            """
            {"toolAggregations": {"hiddenTools": [{"server": "fs", "tool": "x", "reason": "second"}],
              "aggregations": [{"name": "suite", "description": "new", "inputSchema": {"type": "object"},
                 "operations": [{"value": "a", "downstreamServer": "fs", "downstreamTool": "new_tool"}]}]}}
            """)
        let plan = try fixture.plan()
        let suite = try #require(plan.manifest.tools.first)
        #expect(suite.json["description"] == "new")
        // Replaced whole: the old annotations did not survive.
        #expect(suite.json["annotations"] == [:])
        // Wrapped tools are not touched; the hidden one is off.
        #expect(plan.overrides["servers"]?["fs"]?["tools"]?["new_tool"] == nil)
        #expect(plan.overrides["servers"]?["fs"]?["tools"]?["x"]?["enabled"] == false)
        // Stelae merges hiddenTools by server::tool: the later entry replaces the earlier in place.
        let hidden = plan.intended["catalog"]?["hideTools"]?.arrayValue ?? []
        #expect(hidden == [["server": "fs", "tool": "x", "reason": "second"]])
    }

    @Test func overridesDeepMergeScalarsReplaceObjectsMerge() throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "a.json",
            """
            {"toolOverrides": {"servers": {"s": {"tools": {"t": {"enabled": true, "description": "one",
               "annotations": {"title": "T"}}}}}}}
            """)
        try fixture.catalog(
            "b.json",
            """
            {"toolOverrides": {"servers": {"s": {"tools": {"t": {"description": "two",
               "annotations": {"readOnlyHint": true}}}}}}}
            """)
        let tool = try #require(try fixture.plan().manifest.tools.first)
        #expect(tool.json["description"] == "two")
        #expect(tool.json["annotations"] == ["title": "T", "readOnlyHint": true])
    }

    @Test func scopeDefaultReadsOnlyCatalogFlagsLocalAddsHomeAndBundles() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("defaults.json", aggregateFragment(name: "core_suite", server: "stelae"))
        try fixture.write("home/catalog/20-local.json", aggregateFragment(name: "local_b", server: "stelae"))
        try fixture.write("home/catalog/10-local.json", aggregateFragment(name: "local_a", server: "stelae"))
        try fixture.write("home/bundles/starter/catalog.json", aggregateFragment(name: "bundled", server: "stelae"))
        try fixture.write("extra-bundle/catalog.json", aggregateFragment(name: "flag_bundle", server: "stelae"))
        fixture.options.bundles = ["extra-bundle"]

        fixture.options.scope = .default
        let defaults = try fixture.plan()
        #expect(defaults.manifest.names == ["core_suite"])
        #expect(defaults.fragments == ["defaults.json"])

        fixture.options.scope = .local
        let local = try fixture.plan()
        #expect(local.manifest.names == ["bundled", "core_suite", "flag_bundle", "local_a", "local_b"])
        #expect(
            local.fragments == [
                "defaults.json", fixture.directory.file("home/catalog/10-local.json"),
                fixture.directory.file("home/catalog/20-local.json"),
                fixture.directory.file("home/bundles/starter/catalog.json"), "extra-bundle/catalog.json",
            ])
    }

    @Test func localFragmentOverridesDefaultByMergeOrder() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("defaults.json", aggregateFragment(name: "suite", server: "stelae"))
        try fixture.write(
            "home/catalog/local.json",
            aggregateFragment(name: "suite", server: "stelae")
                .replacingOccurrences(of: "A suite.", with: "Local suite."))
        fixture.options.scope = .local
        #expect(try fixture.plan().manifest.tools.first?.json["description"] == "Local suite.")
        fixture.options.scope = .default
        #expect(try fixture.plan().manifest.tools.first?.json["description"] == "A suite.")
    }

    @Test func aggregateServerFallsBackToDefaultsThenToolAggregator() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("a.json", aggregateFragment(name: "suite"))
        #expect(try fixture.plan().manifest.tools.first?.server == "tool_aggregator")
        let withDefault = try RenderFixture()
        try withDefault.catalog(
            "a.json",
            aggregateFragment(name: "suite").replacingOccurrences(
                of: #""schemaVersion": 1,"#, with: #""schemaVersion": 1, "defaults": {"serverName": "hub"},"#))
        #expect(try withDefault.plan().manifest.tools.first?.server == "hub")
    }

    @Test func aDefaultAlsoInTheConfigHomeIsReadOnce() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("home/catalog/core.json", aggregateFragment(name: "suite", server: "stelae"))
        fixture.options.scope = .local
        let plan = try fixture.plan()
        #expect(plan.fragments == ["home/catalog/core.json"])
    }
}
