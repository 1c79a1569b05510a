import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct TemplateTests {
    @Test func missingVariableNamesVariableAndTemplate() throws {
        let fixture = try RenderFixture(
            template: #"{"mcpServers": {"s": {"command": "{{ PYTHON_BIN }}", "args": ["{{OTHER}}"]}}}"#,
            baseCatalog: true)
        let error = try #require(fixture.renderError())
        #expect(error.code == .missingVariable)
        #expect(error.exit == .invalidInput)
        #expect(error.fields["variable"] == "OTHER" || error.fields["variable"] == "PYTHON_BIN")
        #expect(error.fields["missing_variables"] == ["OTHER", "PYTHON_BIN"])
        #expect(error.message.hasPrefix("config/proxy.template.json: {{"))
        #expect(error.message.contains("PYTHON_BIN") && error.message.contains("OTHER"))
    }

    @Test func portFallsBackFromProxyPortToPublicPortTo9090() throws {
        let template = #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}", "baseURL": "{{PUBLIC_BASE_URL}}"}}"#
        let fixture = try RenderFixture(template: template, baseCatalog: true)
        #expect(try fixture.plan().proxy["mcpProxy"] == ["addr": ":9090", "baseURL": "http://127.0.0.1:9090"])
        fixture.options.processEnvironment["PUBLIC_PORT"] = "18123"
        #expect(try fixture.plan().proxy["mcpProxy"]?["addr"] == ":18123")
        fixture.options.assignments = ["PROXY_PORT=19555"]
        let plan = try fixture.plan()
        #expect(plan.proxy["mcpProxy"] == ["addr": ":19555", "baseURL": "http://127.0.0.1:19555"])
        #expect(plan.port == 19555)
        fixture.options.assignments = ["PROXY_PORT=19555", "PUBLIC_BASE_URL=https://proxy.example"]
        #expect(try fixture.plan().proxy["mcpProxy"]?["baseURL"] == "https://proxy.example")
    }

    @Test func badPortIsInvalidPort() throws {
        let fixture = try RenderFixture(baseCatalog: true)
        fixture.options.assignments = ["PROXY_PORT=90000"]
        let error = try #require(fixture.renderError())
        #expect(error.code == .invalidPort)
        #expect(error.message.contains("PROXY_PORT=90000"))
    }

    @Test func builtInsNameTheRealOutputs() throws {
        let template = """
            {"p": ["{{PROXY_CONFIG}}", "{{TOOL_OVERRIDES_PATH}}", "{{MANIFEST_PATH}}", "{{INTENDED_CATALOG_PATH}}",
                   "{{STATE_HOME}}", "{{CONFIG_HOME}}", "{{TEMPLATE_DIR}}"]}
            """
        let fixture = try RenderFixture(template: template, baseCatalog: true)
        fixture.options.outDir = nil
        fixture.options.stateHome = "state"
        let plan = try fixture.plan()
        let state = fixture.directory.file("state")
        let expected = [
            "\(state)/proxy.json", "\(state)/tool_overrides.json", "\(state)/manifest.json",
            "\(state)/intended_catalog.json", state, fixture.directory.file("home"), fixture.directory.file("config"),
        ]
        #expect(plan.proxy["p"] == .array(expected.map { .string($0) }))
        #expect(plan.outputs.manifest == "\(state)/manifest.json")
    }

    @Test func envPathsAreUsedWhenNoDirectoryFlagIsGiven() throws {
        let fixture = try RenderFixture(template: #"{"o": "{{TOOL_OVERRIDES_PATH}}"}"#, baseCatalog: true)
        fixture.options.outDir = nil
        fixture.options.assignments = ["TOOL_OVERRIDES_PATH=custom/overrides.json"]
        let plan = try fixture.plan()
        #expect(plan.outputs.overrides == fixture.directory.file("custom/overrides.json"))
        #expect(plan.outputs.manifest == fixture.directory.file("home/.state/manifest.json"))
        #expect(plan.proxy["o"] == .string(fixture.directory.file("custom/overrides.json")))
    }

    @Test func substitutedValuesCannotBreakJSON() throws {
        let fixture = try RenderFixture(template: #"{"v": "pre-{{TRICKY}}-post"}"#, baseCatalog: true)
        fixture.options.assignments = [#"TRICKY=a"b\c"#]
        try fixture.render()
        #expect(try fixture.output("proxy.json")["v"] == #"pre-a"b\c-post"#)
    }

    @Test func overlayTemplateMergesObjectsAndReplacesLists() throws {
        let fixture = try RenderFixture(
            template: """
                {"mcpProxy": {"addr": ":{{PROXY_PORT}}", "name": "base"},
                 "mcpServers": {"a": {"command": "x", "args": ["one"]}}}
                """, baseCatalog: true)
        try fixture.write(
            "home/proxy.template.local.json", #"{"mcpServers": {"a": {"args": ["two"]}, "b": {"command": "y"}}}"#)
        let proxy = try fixture.plan().proxy
        #expect(proxy["mcpServers"] == ["a": ["command": "x", "args": ["two"]], "b": ["command": "y"]])
        #expect(proxy["mcpProxy"]?["name"] == "base")
    }

    struct PortCase: Sendable, CustomTestStringConvertible {
        var template: String
        var path: String
        var testDescription: String { path }
    }

    static let hardcoded: [PortCase] = [
        PortCase(template: #"{"mcpProxy": {"addr": ":9090"}}"#, path: "mcpProxy.addr"),
        PortCase(template: #"{"mcpProxy": {"addr": "0.0.0.0:9090"}}"#, path: "mcpProxy.addr"),
        PortCase(
            template: #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}", "baseURL": "http://127.0.0.1:9090"}}"#,
            path: "mcpProxy.baseURL"),
        PortCase(
            template: #"{"manifest": {"publicBaseURL": "http://localhost:9090/mcp"}}"#, path: "manifest.publicBaseURL"),
        PortCase(template: #"{"server": {"listen": 9090}}"#, path: "server.listen"),
    ]

    @Test(arguments: hardcoded)
    func literalPortIsHardcodedPort(_ testCase: PortCase) throws {
        let fixture = try RenderFixture(template: testCase.template, baseCatalog: true)
        let error = try #require(fixture.renderError())
        #expect(error.code == .hardcodedPort)
        #expect(error.exit == .invalidInput)
        #expect(error.fields["json_path"]?.stringValue == testCase.path)
        #expect(error.message.hasPrefix("config/proxy.template.json: \(testCase.path)"))

        fixture.options.allowHardcodedPort = true
        let plan = try fixture.plan()
        #expect(plan.warnings.contains { $0.contains("hard-codes port") })
    }

    @Test func templatedAndDownstreamPortsAreFine() throws {
        let fixture = try RenderFixture(
            template: """
                {"mcpProxy": {"addr": "{{HOST}}:{{PROXY_PORT}}", "baseURL": "{{PUBLIC_BASE_URL}}"},
                 "manifest": {"publicBaseURL": "https://stelae.example/mcp"},
                 "mcpServers": {"remote": {"type": "http", "url": "http://127.0.0.1:7000/mcp"}}}
                """, baseCatalog: true)
        fixture.options.assignments = ["HOST=127.0.0.1"]
        #expect(try fixture.plan().proxy["mcpProxy"]?["addr"] == "127.0.0.1:9090")
    }

    @Test func overlayTemplateIsCheckedToo() throws {
        let fixture = try RenderFixture(baseCatalog: true)
        try fixture.write("home/proxy.template.local.json", #"{"mcpProxy": {"addr": ":9090"}}"#)
        let error = try #require(fixture.renderError())
        #expect(error.code == .hardcodedPort)
        #expect(error.message.contains("proxy.template.local.json"))
    }
}
