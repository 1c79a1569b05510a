import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// The original doubled every list and repaired only `enum`/`required`; Codex then rejected
/// `['operation','operation'] has non-unique elements`. Every doubled array must come out single.
@Suite struct ArrayDedupeTests {
    static let toolOverride = """
        {"toolOverrides": {"servers": {"stelae": {"tools": {"grep": {"enabled": true, "description": "g",
          "inputSchema": {"type": "object",
            "properties": {
              "operation": {"type": "string", "enum": ["a", "b"]},
              "limit": {"type": ["integer", "null"]},
              "target": {"anyOf": [{"type": "string"}, {"type": "null"}]},
              "tags": {"type": "array", "items": {"type": "string"}, "examples": [["x"]]}
            },
            "required": ["operation"]},
          "outputSchema": {"type": ["object", "null"], "properties": {"hits": {"type": "array"}}}}}}}}}
        """

    /// The same override in two fragments: deep merge concatenates every list once.
    @Test func arraysDoubledByMergingTwoFragmentsAreDeduped() throws {
        let fixture = try RenderFixture()
        try fixture.catalog("a.json", Self.toolOverride)
        try fixture.catalog("b.json", Self.toolOverride)
        let plan = try fixture.plan()
        // The merged input really was doubled (otherwise this test proves nothing).
        let fragments = try fixture.options.catalogs.map {
            try CatalogFragment.load(path: fixture.directory.file($0), kind: .catalog, name: $0)
        }
        let raw = JSONValue.object(MergedCatalog(fragments: fragments).toolOverrides)
        #expect(
            raw["servers"]?["stelae"]?["tools"]?["grep"]?["inputSchema"]?["required"] == ["operation", "operation"])
        let grep = try #require(plan.overrides["servers"]?["stelae"]?["tools"]?["grep"])
        let schema = try #require(grep["inputSchema"])
        #expect(schema["required"] == ["operation"])
        #expect(schema["properties"]?["operation"]?["enum"] == ["a", "b"])
        #expect(schema["properties"]?["limit"]?["type"] == ["integer", "null"])
        #expect(schema["properties"]?["target"]?["anyOf"] == [["type": "string"], ["type": "null"]])
        #expect(schema["properties"]?["tags"]?["examples"] == [["x"]])
        // outputSchema root `type` list coerced to "object" (Codex rejects type arrays there).
        #expect(grep["outputSchema"]?["type"] == "object")
        #expect(!ArrayDedupe.hasDuplicates(plan.overrides))
        #expect(!ArrayDedupe.hasDuplicates(plan.manifest.document))
        let manifestTool = try #require(plan.manifest.tools.first)
        #expect(manifestTool.json["inputSchema"] == schema)
    }

    @Test func rawMergeReallyDoublesWithoutDedupe() {
        let one: JSONValue = ["required": ["operation"], "type": ["integer", "null"]]
        let merged = DeepMerge.merge(one, one)
        #expect(merged["required"] == ["operation", "operation"])
        #expect(ArrayDedupe.hasDuplicates(merged))
        #expect(ArrayDedupe.dedupe(merged) == one)
    }

    @Test func doubledArraysInsideOneAggregateAreDeduped() throws {
        let fixture = try RenderFixture()
        try fixture.catalog(
            "a.json",
            """
            {"toolAggregations": {"aggregations": [{"name": "suite", "description": "d",
              "inputSchema": {"type": "object", "required": ["operation", "operation"],
                "properties": {"operation": {"type": "string", "enum": ["a", "b", "a", "b"]},
                               "x": {"type": ["string", "null", "string"],
                                     "anyOf": [{"type": "string"}, {"type": "string"}],
                                     "oneOf": [{"const": 1}, {"const": 1}]}}},
              "operations": [{"value": "a", "downstreamServer": "fs", "downstreamTool": "t",
                              "aliases": ["x", "x"]}]}]}}
            """)
        let plan = try fixture.plan()
        let schema = try #require(plan.manifest.tools.first?.json["inputSchema"])
        #expect(schema["required"] == ["operation"])
        #expect(schema["properties"]?["operation"]?["enum"] == ["a", "b"])
        #expect(schema["properties"]?["x"]?["type"] == ["string", "null"])
        #expect(schema["properties"]?["x"]?["anyOf"] == [["type": "string"]])
        #expect(schema["properties"]?["x"]?["oneOf"] == [["const": 1]])
        #expect(!ArrayDedupe.hasDuplicates(plan.intended))
    }

    @Test func meaningfulRepeatsAreKept() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "pair": ["type": "array", "prefixItems": [["type": "string"], ["type": "string"]]],
                "tuple": ["type": "array", "items": [["type": "integer"], ["type": "integer"]]],
                "flags": ["type": "array", "default": [true, true], "const": [1, 1]],
                "matrix": ["enum": [[1, 1], [2, 2], [1, 1]]],
                // A property named like a keyword is still a schema and still deduped.
                "default": ["type": "string", "enum": ["x", "x"]],
            ],
        ]
        let deduped = ArrayDedupe.dedupe(schema)
        let properties = deduped["properties"]
        #expect(properties?["pair"]?["prefixItems"]?.arrayValue?.count == 2)
        #expect(properties?["tuple"]?["items"]?.arrayValue?.count == 2)
        #expect(properties?["flags"]?["default"] == [true, true])
        #expect(properties?["flags"]?["const"] == [1, 1])
        #expect(properties?["matrix"]?["enum"] == [[1, 1], [2, 2]])
        #expect(properties?["default"]?["enum"] == ["x"])
    }

    @Test func itemsComparedAsJSONNotByKeyOrder() {
        let value: JSONValue = ["anyOf": [["a": 1, "b": 2], ["b": 2, "a": 1]]]
        #expect(ArrayDedupe.dedupe(value)["anyOf"]?.arrayValue?.count == 1)
    }
}
