import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct RenderTests {
    static let curated = [
        "doc_fetch_suite", "grep", "manage_docy_sources", "manage_stelae", "workspace_fs_read", "workspace_fs_write",
    ]

    func stackFixture() throws -> RenderFixture {
        let fixture = try RenderFixture()
        fixture.options.template = RenderFixture.stackTemplate
        fixture.options.catalogs = [RenderFixture.coreCatalog]
        fixture.options.scope = .default
        fixture.options.assignments = ["STACK_PYTHON=/usr/bin/python3"]
        return fixture
    }

    /// The original's "manifest contains only aggregates" test never checked "only".
    @Test func embeddedStackManifestIsExactlyTheCuratedTools() throws {
        let fixture = try stackFixture()
        let (plan, _) = try fixture.render()
        let manifest = try fixture.output("manifest.json")
        let tools = try #require(manifest["tools"]?.arrayValue)
        #expect(tools.compactMap { $0["name"]?.stringValue } == Self.curated)
        #expect(manifest["schemaVersion"] == 1)
        for tool in tools {
            #expect(tool["server"] == "stelae")
            #expect(
                Set(tool.objectValue?.keys.map { $0 } ?? []) == [
                    "name", "server", "description", "inputSchema", "outputSchema", "annotations",
                ])
            #expect((tool["description"]?.stringValue?.count ?? 0) > 40, "\(tool["name"]!) needs a useful description")
            #expect(tool["outputSchema"]?["type"] == "object")
        }
        // Wrapped downstream tools are left alone (Stelae hides them only when hideTools says so):
        // the runtime overrides do not mention them and the manifest does not list them.
        let wrapped = [
            "read_file", "list_directory", "search_files", "write_file", "create_directory",
            "list_sources", "add_source", "remove_source", "list_documents", "fetch_document",
        ]
        for name in wrapped {
            #expect(!plan.manifest.names.contains(name))
        }
        #expect(plan.overrides["servers"]?["fs"] == nil)
        #expect(plan.overrides["servers"]?["docs"] == nil)
        #expect(plan.manifest.names == Self.curated)
    }

    @Test func embeddedStackSchemasMatchTheToolContract() throws {
        let plan = try stackFixture().plan()
        func schema(_ name: String) -> JSONValue? { plan.manifest.tools.first { $0.name == name }?.json["inputSchema"] }
        func operations(_ name: String) -> JSONValue? { schema(name)?["properties"]?["operation"]?["enum"] }
        #expect(operations("workspace_fs_read") == ["read_file", "list_directory", "search_files"])
        #expect(operations("workspace_fs_write") == ["write_file", "create_directory"])
        #expect(operations("manage_stelae") == ["list_discovered_servers", "install_server", "remove_server"])
        #expect(operations("manage_docy_sources") == ["list_sources", "add_source", "remove_source"])
        #expect(operations("doc_fetch_suite") == ["list_documents", "fetch_document"])
        #expect(schema("grep")?["required"] == ["pattern"])
        #expect(
            Set(schema("grep")?["properties"]?.objectValue?.keys.map { $0 } ?? []) == [
                "pattern", "paths", "recursive", "regexp", "line_number",
            ])
        #expect(schema("grep")?["properties"]?["paths"]?["type"] == "array")
        #expect(
            Set(schema("workspace_fs_read")?["properties"]?.objectValue?.keys.map { $0 } ?? []) == [
                "operation", "path", "pattern",
            ])
        #expect(
            Set(schema("workspace_fs_write")?["properties"]?.objectValue?.keys.map { $0 } ?? []) == [
                "operation", "path", "content",
            ])
        #expect(schema("doc_fetch_suite")?["properties"]?["name"]?["type"] == "string")
        #expect(schema("manage_stelae")?["properties"]?["params"]?["type"] == "object")
        for tool in plan.manifest.tools where tool.name != "grep" {
            #expect(schema(tool.name)?["required"]?.arrayValue?.first == "operation")
        }
    }

    @Test func embeddedStackProxyFollowsTheContract() throws {
        let fixture = try stackFixture()
        fixture.options.assignments += ["PROXY_PORT=18765", "WORKSPACE_DIR=/tmp/ws"]
        let plan = try fixture.plan()
        let proxy = plan.proxy
        #expect(proxy["mcpProxy"]?["addr"] == ":18765")
        #expect(proxy["mcpProxy"]?["baseURL"] == "http://127.0.0.1:18765")
        #expect(proxy["mcpProxy"]?["type"] == "streamable-http")
        #expect(proxy["manifest"]?["toolOverridesPath"] == .string(plan.outputs.overrides))
        let server = try #require(proxy["mcpServers"]?["stelae"])
        #expect(proxy["mcpServers"]?.objectValue?.count == 1)
        #expect(server["type"] == "stdio")
        #expect(server["command"] == "/usr/bin/python3")
        #expect(server["args"] == .array([.string("\(ProjectPaths.root)/stack/server.py")]))
        #expect(
            server["env"] == [
                "STELAE_SMOKE_MANIFEST": .string(plan.outputs.manifest), "STELAE_SMOKE_WORKSPACE": "/tmp/ws",
                "STELAE_SMOKE_DOCS": .string("\(ProjectPaths.root)/stack/docs"),
                "STELAE_SMOKE_STATE": .string(plan.stateHome),
            ])
    }

    @Test func hiddenToolsLeaveTheManifest() throws {
        let fixture = try stackFixture()
        try fixture.catalog("hide.json", #"{"hideTools": [{"server": "stelae", "tool": "grep", "reason": "test"}]}"#)
        let plan = try fixture.plan()
        #expect(plan.manifest.names == Self.curated.filter { $0 != "grep" })
        #expect(plan.overrides["servers"]?["stelae"]?["tools"]?["grep"]?["enabled"] == false)
        #expect(plan.hidden == ["stelae::grep"])
    }

    @Test func perAggregateHideToolsAndDisabledServersLeaveTheManifest() throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "a.json",
            aggregateFragment(
                name: "suite", server: "stelae", extra: #", "hideTools": [{"server": "stelae", "tool": "legacy"}]"#))
        try fixture.catalog(
            "b.json",
            """
            {"toolOverrides": {"servers": {
              "stelae": {"tools": {"legacy": {"enabled": true, "description": "old"}, "vague": {"description": "no flag"}}},
              "off": {"enabled": false, "tools": {"t": {"enabled": true}}}}}}
            """)
        let plan = try fixture.plan()
        // A tool without `enabled` is shown, as Stelae's proxy shows it.
        #expect(plan.manifest.names == ["suite", "vague"])
    }

    @Test func wrappedToolsStayUnlessHideToolsNamesThem() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("a.json", aggregateFragment(extra: #", "hideTools": [{"server": "fs", "tool": "read_b"}]"#))
        try fixture.catalog(
            "b.json", #"{"toolOverrides": {"servers": {"fs": {"tools": {"read_a": {}, "read_b": {}}}}}}"#)
        let plan = try fixture.plan()
        #expect(plan.manifest.names == ["read_a", "suite"])
        #expect(plan.overrides["servers"]?["fs"]?["tools"]?["read_b"]?["enabled"] == false)
        #expect(plan.warnings.isEmpty)
    }

    @Test func renderTwiceIsByteIdenticalAndReportsUnchanged() throws {
        let fixture = try stackFixture()
        let first = try fixture.render()
        #expect(first.changed)
        let names = ["proxy.json", "tool_overrides.json", "manifest.json", "intended_catalog.json"]
        let before = names.map { fixture.outputBytes($0) }
        #expect(before.allSatisfy { $0 != nil })
        let second = try fixture.render()
        #expect(!second.changed)
        #expect(names.map { fixture.outputBytes($0) } == before)
        // A different input changes bytes again.
        fixture.options.assignments.append("PROXY_PORT=19001")
        #expect(try fixture.render().changed)
    }

    @Test func checkOnlyWritesNothing() throws {
        let fixture = try stackFixture()
        let plan = try fixture.plan()
        #expect(plan.wouldChange())
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("out")))
        try fixture.render()
        #expect(try !fixture.plan().wouldChange())
    }

    @Test func failedRenderLeavesPreviousOutputsUntouched() throws {
        let fixture = try stackFixture()
        try fixture.render()
        let names = ["proxy.json", "tool_overrides.json", "manifest.json", "intended_catalog.json"]
        let before = names.map { fixture.outputBytes($0) }
        try fixture.catalog("bad.json", #"{"toolAggregations": {"aggregations": [{"name": "x"}]}}"#)
        fixture.options.assignments.append("PROXY_PORT=19002")
        let error = try #require(fixture.renderError())
        #expect(error.code == .missingKey)
        #expect(names.map { fixture.outputBytes($0) } == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("out"))
        #expect(Set(leftovers) == Set(names))
    }

    /// Readers polling while renders alternate between two inputs only ever see a whole file.
    @Test func concurrentReaderNeverSeesAPartialFile() async throws {
        let fixture = try stackFixture()
        try fixture.render()
        let manifestPath = fixture.directory.file("out/manifest.json")
        var small = fixture.options
        small.catalogs = [RenderFixture.coreCatalog]
        var large = small
        try fixture.write(
            "big.json",
            aggregateFragment(name: "big", server: "stelae").replacingOccurrences(
                of: "A suite.", with: String(repeating: "long description ", count: 20_000)))
        large.catalogs.append("big.json")
        let plans = [try Renderer.plan(small), try Renderer.plan(large)]

        let progress = ReaderProgress()
        let reader = Task.detached { () -> (reads: Int, partial: Int) in
            var partial = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while !progress.stopRequested, ContinuousClock.now < deadline {
                guard let data = FileManager.default.contents(atPath: manifestPath) else { continue }
                if (try? JSONValue.parse(data, source: "manifest")) == nil { partial += 1 }
                progress.countRead()
            }
            return (progress.reads, partial)
        }
        // On a loaded machine the reader may start late: begin writing only once it reads.
        let waitLimit = ContinuousClock.now + .seconds(30)
        while progress.reads == 0, ContinuousClock.now < waitLimit { await Task.yield() }
        for round in 0..<60 { _ = try plans[round % 2].write() }
        progress.requestStop()
        let result = await reader.value
        #expect(result.reads > 0)
        #expect(result.partial == 0)
    }

    @Test func emptyManifestIsAnErrorNamingTheFragments() throws {
        let bare = try RenderFixture()
        let none = try #require(bare.renderError())
        #expect(none.code == .emptyManifest)
        #expect(none.exit == .checkFailed)
        #expect(none.message.contains("no catalog fragment was read"))
        #expect(!FileManager.default.fileExists(atPath: bare.directory.file("out/manifest.json")))

        let allOff = try RenderFixture()
        try allOff.catalog(
            "off.json", #"{"toolOverrides": {"servers": {"s": {"enabled": false, "tools": {"t": {}}}}}}"#)
        let off = try #require(allOff.renderError())
        #expect(off.code == .emptyManifest)
        #expect(off.message.contains("off.json"))
    }

    @Test func intendedCatalogRecordsFragmentsAndMergedCatalog() throws {
        let fixture = try stackFixture()
        try fixture.render()
        let intended = try fixture.output("intended_catalog.json")
        #expect(intended["schemaVersion"] == 1)
        #expect(intended["scope"] == "default")
        #expect(intended["fragments"]?.arrayValue?.first?["path"] == .string(RenderFixture.coreCatalog))
        #expect(intended["catalog"]?["toolAggregations"]?["aggregations"]?.arrayValue?.count == 4)
        #expect(intended["curatedTools"] == .array(Self.curated.map { .string($0) }))
        #expect(intended["paths"]?["manifest"] == .string(fixture.directory.file("out/manifest.json")))
    }
}

@Suite struct RenderSecretsTests {
    @Test func proxyWithASecretIsOwnerOnly() throws {
        let fixture = try RenderFixture(
            template: #"{"mcpServers": {"s": {"env": {"API_KEY": "{{SERVICE_API_KEY}}"}}}}"#, baseCatalog: true)
        try fixture.write("home/.env", "SERVICE_API_KEY=sk-test-0123456789\n")
        let (plan, _) = try fixture.render()
        #expect(plan.proxyHoldsSecrets)
        let attributes = try FileManager.default.attributesOfItem(atPath: plan.outputs.proxy)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try fixture.output("proxy.json")["mcpServers"]?["s"]?["env"]?["API_KEY"] == "sk-test-0123456789")
        #expect(Redactor.shared.redact("value sk-test-0123456789") == "value \(Redactor.placeholder)")

        let plain = try RenderFixture(baseCatalog: true)
        let (plainPlan, _) = try plain.render()
        #expect(!plainPlan.proxyHoldsSecrets)
        let plainAttributes = try FileManager.default.attributesOfItem(atPath: plainPlan.outputs.proxy)
        #expect((plainAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
    }
}

/// Shared between the writer and the polling reader of the atomicity test.
private final class ReaderProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var readCount = 0
    private var stop = false

    var reads: Int { lock.withLock { readCount } }
    var stopRequested: Bool { lock.withLock { stop } }
    func countRead() { lock.withLock { readCount += 1 } }
    func requestStop() { lock.withLock { stop = true } }
}
