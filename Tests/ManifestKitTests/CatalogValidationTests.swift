import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// Strict validation: every bad catalog is exit 2 with a stable code, the file and the JSON path.
@Suite struct CatalogValidationTests {
    static let base = """
        {"toolAggregations": {"schemaVersion": 1, "aggregations": [
          {"name": "one", "description": "d", "inputSchema": {"type": "object"},
           "operations": [{"value": "a", "downstreamServer": "fs", "downstreamTool": "t"}]},
          {"name": "two", "description": "d", "inputSchema": {"type": "object"},
           "operations": [{"value": "a", "downstreamServer": "fs", "downstreamTool": "t"}]},
          {"name": "three", "description": "d", "inputSchema": {"type": "object"},
           "operations": [%OPERATION%]}
        ]}}
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var operation: String
        var code: String
        var path: String
        var testDescription: String { label }
    }

    static let operationCases: [Case] = [
        Case(
            label: "operation without downstreamTool", operation: #"{"value": "a", "downstreamServer": "fs"}"#,
            code: "missing_key", path: "toolAggregations.aggregations[2].operations[0]"),
        Case(
            label: "unknown key", operation: #"{"value": "a", "downstreamTool": "t", "downstreamTol": "x"}"#,
            code: "unknown_key", path: "toolAggregations.aggregations[2].operations[0].downstreamTol"),
        Case(
            label: "wrong type", operation: #"{"value": 7, "downstreamTool": "t"}"#,
            code: "wrong_type", path: "toolAggregations.aggregations[2].operations[0].value"),
        Case(
            label: "empty downstreamTool", operation: #"{"value": "a", "downstreamTool": " "}"#,
            code: "empty_value", path: "toolAggregations.aggregations[2].operations[0].downstreamTool"),
        Case(
            label: "camel and snake spellings of one key",
            operation: #"{"value": "a", "downstreamTool": "t", "downstream_tool": "u"}"#,
            code: "duplicate_key", path: "toolAggregations.aggregations[2].operations[0].downstream_tool"),
    ]

    @Test(arguments: operationCases)
    func badOperationNamesFileAndPath(_ testCase: Case) throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "catalog/core.json", Self.base.replacingOccurrences(of: "%OPERATION%", with: testCase.operation))
        let error = try #require(fixture.renderError())
        #expect(error.code.rawValue == testCase.code)
        #expect(error.exit == .invalidInput)
        #expect(error.message.hasPrefix("catalog/core.json: \(testCase.path)"), "\(error.message)")
        #expect(error.fields["json_path"]?.stringValue == testCase.path)
        #expect(error.fields["file"]?.stringValue == "catalog/core.json")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("out/manifest.json")))
    }

    @Test func emptyOperationsIsRejected() throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "catalog/core.json",
            """
            {"toolAggregations": {"aggregations": [
              {"name": "suite", "description": "d", "inputSchema": {"type": "object"}, "operations": []}]}}
            """)
        let error = try #require(fixture.renderError())
        #expect(error.code == .emptyOperations)
        #expect(error.message.hasPrefix("catalog/core.json: toolAggregations.aggregations[0].operations:"))
    }

    @Test func duplicateAggregateInOneFragment() throws {
        let fixture = try RenderFixture()
        let doubled = Self.base.replacingOccurrences(of: "%OPERATION%", with: #"{"value": "a", "downstreamTool": "t"}"#)
            .replacingOccurrences(of: #""name": "three""#, with: #""name": "one""#)
        try fixture.catalog("catalog/core.json", doubled)
        let error = try #require(fixture.renderError())
        #expect(error.code == .duplicateAggregate)
        #expect(error.fields["json_path"]?.stringValue == "toolAggregations.aggregations[2].name")
        #expect(error.message.contains("aggregations[0]"))
    }

    @Test func unknownTopLevelAggregationKeyAndWrongContainerType() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("a.json", #"{"toolAggregations": {"aggregations": [], "hidenTools": []}}"#)
        #expect(fixture.renderError()?.code == .unknownKey)
        let other = try RenderFixture()
        try other.catalog("b.json", #"{"toolAggregations": {"aggregations": {}}}"#)
        let error = try #require(other.renderError())
        #expect(error.code == .wrongType)
        #expect(error.message == "b.json: toolAggregations.aggregations: expected array, found object")
    }

    @Test func fragmentMustBeAnObjectAndValidJSON() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("list.json", "[]")
        #expect(fixture.renderError()?.code == .wrongType)
        let broken = try RenderFixture()
        try broken.catalog("broken.json", #"{"toolAggregations": "#)
        let error = try #require(broken.renderError())
        #expect(error.code == .invalidJSON)
        #expect(error.message.hasPrefix("broken.json:"))
    }

    @Test func missingCatalogFileIsNamed() throws {
        let fixture = try RenderFixture()
        fixture.options.catalogs = ["catalog/nope.json"]
        let error = try #require(fixture.renderError())
        #expect(error.code == .fileNotFound)
        #expect(error.message.contains("catalog/nope.json"))
        #expect(error.exit == .invalidInput)
    }

    @Test func snakeCaseKeysAreAccepted() throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "snake.json",
            """
            {"tool_aggregations": {"schema_version": 1, "defaults": {"server_name": "stelae", "proxy_url": "http://x"},
              "hidden_tools": [{"server": "fs", "tool": "secret"}],
              "aggregations": [{"name": "suite", "description": "A suite.",
                "input_schema": {"type": "object", "properties": {"line_number": {"type": "boolean"}}},
                "output_schema": {"type": "object"},
                "operations": [{"value": "a", "downstream_server": "fs", "downstream_tool": "read_a",
                                "argument_mappings": [{"target": "x", "allow_null": true}]}]}]},
             "tool_overrides": {"servers": {"stelae": {"tools": {"grep": {"enabled": true, "description": "g",
                "input_schema": {"type": "object"}}}}}},
             "hide_tools": [{"server": "stelae", "tool": "hidden_one"}]}
            """)
        let plan = try fixture.plan()
        #expect(plan.manifest.names == ["grep", "suite"])
        #expect(plan.hidden == ["fs::secret", "stelae::hidden_one"])
        let suite = try #require(plan.manifest.tools.first { $0.name == "suite" })
        // Schema property names are data, never renamed.
        #expect(suite.json["inputSchema"]?["properties"]?["line_number"] != nil)
        #expect(plan.overrides["servers"]?["fs"]?["tools"]?["secret"]?["enabled"] == false)
        #expect(plan.overrides["servers"]?["fs"]?["tools"]?["read_a"] == nil)
    }

    @Test func deeplyNestedJSONIsAClearError() throws {
        let fixture = try RenderFixture()
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        try fixture.catalog("deep.json", #"{"servers": {"x": "# + deep + "}}")
        let error = try #require(fixture.renderError())
        #expect(error.code == .jsonTooDeep)
        #expect(error.message.hasPrefix("deep.json: JSON nested deeper than"))
        #expect(error.exit == .invalidInput)
    }

    @Test func foundationParserAloneAlsoRejectsDeepNesting() {
        // The guard exists so the message is clear; the shared parser must not crash either.
        let deep = Data((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8)
        #expect(throws: SmokeError.self) { try JSONValue.parse(deep, source: "deep") }
    }
}
