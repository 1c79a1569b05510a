import Foundation
import SmokeCore
import Testing

@testable import ManifestKit

/// Which input schemas the pinned Codex converts. Each case was served to Codex 0.163.0 by a real
/// MCP server; "converts" means the tool appeared in the model request, "fails" that it did not
/// and Codex logged `Skipping MCP tool …: failed to build tool spec: …`.
@Suite struct LintSchemaTests {
    static func property(_ schema: JSONValue) -> JSONValue { ["type": "object", "properties": ["x": schema]] }

    static let converts: [(String, JSONValue)] = [
        ("no type", ["properties": ["x": ["type": "string"]]]),
        ("empty root", [:]),
        ("array root", ["type": "array", "items": ["type": "string"]]),
        ("nullable object root", ["type": ["null", "object"]]),
        ("root properties null", ["type": "object", "properties": .null]),
        ("type list", property(["type": ["string", "null"]])),
        ("unknown type name", property(["type": "foo"])),
        ("type not a string", property(["type": 5])),
        ("boolean property", property(true)),
        ("description null", property(["type": "string", "description": .null])),
        ("enum null", property(["type": "string", "enum": .null])),
        ("const number", property(["const": 5])),
        ("items null", property(["type": "array", "items": .null])),
        ("items true", property(["type": "array", "items": true])),
        ("anyOf of true", property(["anyOf": [true]])),
        ("anyOf null", property(["type": "string", "anyOf": .null])),
        ("allOf empty", property(["allOf": []])),
        ("oneOf", property(["oneOf": [["type": "string"], ["type": "integer"]]])),
        (
            "ref kept",
            ["type": "object", "properties": ["x": ["$ref": "#/$defs/X"]], "$defs": ["X": ["type": "integer"]]]
        ),
        ("ref missing", property(["$ref": "#/$defs/missing"])),
        ("ref external", property(["$ref": "http://example.com/x.json"])),
        ("defs not an object", ["type": "object", "properties": [:], "$defs": 5]),
        ("unreachable bad definition", ["type": "object", "properties": [:], "$defs": ["A": 5]]),
        (
            "ref only under an unknown key",
            ["type": "object", "properties": [:], "foo": ["$ref": "#/$defs/B"], "$defs": ["B": 5]]
        ),
        ("definitions list with a ref", ["type": "object", "properties": ["x": ["$ref": "#/$defs/A"]], "$defs": [1]]),
        ("additionalProperties null", ["type": "object", "properties": [:], "additionalProperties": .null]),
        ("required null", ["type": "object", "properties": [:], "required": .null]),
        ("nested properties null", property(["type": "object", "properties": .null])),
        ("title number", ["type": "object", "properties": [:], "title": 5]),
        ("no hint, bad description", property(["description": 5])),
        ("unknown keyword", property(["type": "string", "foo": ["description": 5]])),
        ("prefixItems number", property(["type": "array", "prefixItems": 5])),
        ("encrypted true", property(["type": "string", "encrypted": true])),
        (
            "type list with an unknown name beside anyOf",
            property(["type": ["string", 5], "anyOf": [["type": "string"]]])
        ),
        ("minItems", property(["type": "array", "minItems": 2])),
        ("nested null type", property(["type": "null"])),
    ]

    static let fails: [(String, JSONValue, String)] = [
        ("root type null", ["type": "null"], "type"),
        ("root type list of null", ["type": ["null"]], "type"),
        ("root null beside properties", ["type": "null", "properties": ["a": ["type": "string"]]], "type"),
        ("root null beside a ref", ["type": "null", "$ref": "#/$defs/A", "$defs": ["A": ["type": "string"]]], "type"),
        ("description number", property(["type": "string", "description": 5]), "properties.x.description"),
        ("description boolean", property(["type": "string", "description": true]), "properties.x.description"),
        ("root description", ["type": "object", "properties": [:], "description": 5], "description"),
        ("enum string", property(["type": "string", "enum": "a"]), "properties.x.enum"),
        ("enum object", property(["type": "string", "enum": ["a": 1]]), "properties.x.enum"),
        ("required string", ["type": "object", "properties": [:], "required": "x"], "required"),
        ("required number item", ["type": "object", "properties": [:], "required": [1]], "required[0]"),
        ("required object", ["type": "object", "properties": [:], "required": ["a": 1]], "required"),
        ("properties list", ["type": "object", "properties": []], "properties"),
        ("nested properties list", property(["type": "object", "properties": []]), "properties.x.properties"),
        ("properties number", property(["type": "object", "properties": 5]), "properties.x.properties"),
        ("property null", property(.null), "properties.x"),
        ("property number", property(5), "properties.x"),
        ("property string", property("s"), "properties.x"),
        ("property list", property([]), "properties.x"),
        ("items tuple", property(["type": "array", "items": [["type": "string"]]]), "properties.x.items"),
        ("items empty list", property(["type": "array", "items": []]), "properties.x.items"),
        ("items string", property(["type": "array", "items": "x"]), "properties.x.items"),
        ("items number", property(["type": "array", "items": 5]), "properties.x.items"),
        (
            "items bad description", property(["type": "array", "items": ["type": "string", "description": 5]]),
            "properties.x.items.description"
        ),
        (
            "additionalProperties string", ["type": "object", "properties": [:], "additionalProperties": "x"],
            "additionalProperties"
        ),
        (
            "additionalProperties number", ["type": "object", "properties": [:], "additionalProperties": 5],
            "additionalProperties"
        ),
        (
            "additionalProperties list", ["type": "object", "properties": [:], "additionalProperties": []],
            "additionalProperties"
        ),
        (
            "additionalProperties bad schema",
            ["type": "object", "properties": [:], "additionalProperties": ["type": "string", "description": 5]],
            "additionalProperties.description"
        ),
        ("anyOf object", property(["anyOf": ["type": "string"]]), "properties.x.anyOf"),
        ("anyOf number item", property(["anyOf": [5]]), "properties.x.anyOf[0]"),
        (
            "anyOf bad description", property(["anyOf": [["type": "string", "description": 5]]]),
            "properties.x.anyOf[0].description"
        ),
        ("oneOf string", property(["oneOf": "x"]), "properties.x.oneOf"),
        ("ref number", property(["$ref": 5]), "properties.x.$ref"),
        ("encrypted string", property(["type": "string", "encrypted": "yes"]), "properties.x.encrypted"),
        (
            "reachable definition number",
            ["type": "object", "properties": ["x": ["$ref": "#/$defs/A"]], "$defs": ["A": 5]], "$defs.A"
        ),
        (
            "reachable definition bad description",
            [
                "type": "object", "properties": ["x": ["$ref": "#/$defs/A"]],
                "$defs": ["A": ["type": "string", "description": 7]],
            ], "$defs.A.description"
        ),
        (
            "reachable definitions list",
            ["type": "object", "properties": ["x": ["$ref": "#/definitions/A"]], "definitions": ["A": []]],
            "definitions.A"
        ),
        (
            "definition reached through a definition",
            [
                "type": "object", "properties": ["x": ["$ref": "#/$defs/A"]],
                "$defs": [
                    "A": ["type": "object", "properties": ["z": ["$ref": "#/$defs/B"]]],
                    "B": ["type": "string", "description": 3],
                ],
            ], "$defs.B.description"
        ),
        (
            "definition reached through a nested pointer",
            [
                "type": "object", "properties": ["x": ["$ref": "#/$defs/A/properties/y"]],
                "$defs": ["A": ["type": "object", "properties": ["y": ["type": "string"]], "description": 3]],
            ], "$defs.A.description"
        ),
        (
            "percent-encoded reference",
            ["type": "object", "properties": ["x": ["$ref": "#/$defs/a%20b"]], "$defs": ["a b": 5]], "$defs[\"a b\"]"
        ),
        ("nested definitions are not pruned", property(["type": "object", "$defs": ["B": 5]]), "properties.x.$defs.B"),
        ("unknown type beside anyOf", property(["type": "foo", "anyOf": [["type": "string"]]]), "properties.x.type"),
        (
            "type number beside a ref",
            [
                "type": "object", "properties": ["x": ["type": 5, "$ref": "#/$defs/A"]],
                "$defs": ["A": ["type": "string"]],
            ], "properties.x.type"
        ),
        (
            "bad description under an inferred object",
            property(["properties": ["y": ["type": "string", "description": 5]]]),
            "properties.x.properties.y.description"
        ),
        ("bad description beside format", property(["description": 5, "format": "uri"]), "properties.x.description"),
        ("minItems negative", property(["type": "array", "minItems": -1]), "properties.x.minItems"),
        ("minItems fraction", property(["type": "array", "minItems": 1.5]), "properties.x.minItems"),
        ("minItems string", ["type": "object", "properties": [:], "minItems": "x"], "minItems"),
        ("minItems boolean", property(["type": "array", "minItems": true]), "properties.x.minItems"),
    ]

    @Test(arguments: converts.map(\.0))
    func codexConverts(_ name: String) {
        let schema = Self.converts.first { $0.0 == name }!.1
        #expect(CodexSchemaConversion.failures(inputSchema: schema.objectValue!) == [])
    }

    @Test(arguments: fails.map(\.0))
    func codexFails(_ name: String) {
        let (_, schema, path) = Self.fails.first { $0.0 == name }!
        let failures = CodexSchemaConversion.failures(inputSchema: schema.objectValue!)
        #expect(failures.map(\.path.description).contains(path), "\(failures)")
    }

    @Test func sanitizingMatchesWhatCodexSendsTheModel() {
        // The parameters Codex 0.163.0 put in the model request for these inputs.
        #expect(
            CodexSchemaConversion.sanitize(["type": "object", "properties": ["x": ["type": "foo"]]]) == [
                "type": "object", "properties": ["x": [:]],
            ])
        #expect(
            CodexSchemaConversion.sanitize(["type": "array", "items": ["type": "string"], "properties": [:]]) == [
                "type": "array", "items": ["type": "string"], "properties": [:],
            ])
        #expect(CodexSchemaConversion.sanitize(["const": 5]) == ["type": "string", "enum": [5]])
        #expect(
            CodexSchemaConversion.sanitize(["type": "array", "items": true]) == [
                "type": "array", "items": ["type": "string"],
            ])
        #expect(
            CodexSchemaConversion.sanitize(["type": "array", "prefixItems": 5]) == [
                "type": "array", "prefixItems": 5, "items": ["type": "string"],
            ])
    }

    @Test func failuresAreBounded() {
        var properties: [String: JSONValue] = [:]
        for index in 0..<50 { properties["p\(index)"] = ["type": "string", "description": 1] }
        #expect(
            CodexSchemaConversion.failures(inputSchema: ["type": "object", "properties": .object(properties)]).count
                == 10)
    }
}
