import Foundation
import ManifestKit
import SmokeCore
import Testing

/// `render-manifest diff` on hand-made surfaces: every change kind, its severity and JSON path.
@Suite struct DiffSurfaceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var base: JSONValue
        var head: JSONValue
        /// (change, json_path) in report order.
        var expected: [(SurfaceChange.Kind, String)]
        var testDescription: String { name }
    }

    /// A tool with this input schema (and the default output schema).
    static func input(_ schema: JSONValue) -> JSONValue { ["name": "t", "inputSchema": schema] }
    static func output(_ schema: JSONValue) -> JSONValue {
        ["name": "t", "inputSchema": ["type": "object"], "outputSchema": schema]
    }
    static func object(_ properties: JSONValue, required: [JSONValue] = []) -> JSONValue {
        ["type": "object", "properties": properties, "required": .array(required)]
    }

    static let cases: [Case] = [
        // Arguments.
        Case(
            name: "required argument added",
            base: input(object(["a": ["type": "string"]])),
            head: input(object(["a": ["type": "string"], "b": ["type": "string"]], required: ["b"])),
            expected: [(.requiredArgumentAdded, "inputSchema.properties.b")]),
        Case(
            name: "required name without a property",
            base: input(object([:])), head: input(object([:], required: ["x"])),
            expected: [(.argumentBecameRequired, "inputSchema.required")]),
        Case(
            name: "optional argument added",
            base: input(object(["a": ["type": "string"]])),
            head: input(object(["a": ["type": "string"], "b": ["type": "integer"]])),
            expected: [(.optionalArgumentAdded, "inputSchema.properties.b")]),
        Case(
            name: "optional property removed is breaking",
            base: input(object(["a": ["type": "string"], "b": ["type": "string"]])),
            head: input(object(["a": ["type": "string"]])),
            expected: [(.propertyRemoved, "inputSchema.properties.b")]),
        Case(
            name: "argument became required",
            base: input(object(["a": ["type": "string"]])),
            head: input(object(["a": ["type": "string"]], required: ["a"])),
            expected: [(.argumentBecameRequired, "inputSchema.properties.a")]),
        Case(
            name: "argument became optional",
            base: input(object(["a": ["type": "string"]], required: ["a"])),
            head: input(object(["a": ["type": "string"]])),
            expected: [(.argumentBecameOptional, "inputSchema.properties.a")]),
        Case(
            name: "nested property removed",
            base: input(object(["opts": object(["x": ["type": "string"], "y": ["type": "string"]])])),
            head: input(object(["opts": object(["y": ["type": "string"]])])),
            expected: [(.propertyRemoved, "inputSchema.properties.opts.properties.x")]),
        // Types.
        Case(
            name: "null dropped from a type list",
            base: input(object(["a": ["type": ["string", "null"]]])), head: input(object(["a": ["type": "string"]])),
            expected: [(.typeNarrowed, "inputSchema.properties.a.type")]),
        Case(
            name: "number to integer",
            base: input(object(["n": ["type": "number"]])), head: input(object(["n": ["type": "integer"]])),
            expected: [(.typeNarrowed, "inputSchema.properties.n.type")]),
        Case(
            name: "a type where any was accepted",
            base: input(object(["a": ["description": "d"]])),
            head: input(object(["a": ["description": "d", "type": "string"]])),
            expected: [(.typeNarrowed, "inputSchema.properties.a.type")]),
        Case(
            name: "integer to number",
            base: input(object(["n": ["type": "integer"]])), head: input(object(["n": ["type": "number"]])),
            expected: [(.typeWidened, "inputSchema.properties.n.type")]),
        Case(
            name: "null allowed",
            base: input(object(["a": ["type": "string"]])), head: input(object(["a": ["type": ["string", "null"]]])),
            expected: [(.typeWidened, "inputSchema.properties.a.type")]),
        Case(
            name: "string to integer",
            base: input(object(["a": ["type": "string"]])), head: input(object(["a": ["type": "integer"]])),
            expected: [(.typeChanged, "inputSchema.properties.a.type")]),
        Case(
            name: "the same types written differently",
            base: input(object(["n": ["type": ["number", "integer"]]])), head: input(object(["n": ["type": "number"]])),
            expected: []),
        Case(
            name: "items narrowed",
            base: input(object(["l": ["type": "array", "items": ["type": "number"]]])),
            head: input(object(["l": ["type": "array", "items": ["type": "integer"]]])),
            expected: [(.typeNarrowed, "inputSchema.properties.l.items.type")]),
        // Enums.
        Case(
            name: "enum value removed and one added",
            base: input(object(["op": ["type": "string", "enum": ["a", "b", "c"]]])),
            head: input(object(["op": ["type": "string", "enum": ["a", "b", "d"]]])),
            expected: [
                (.enumValueRemoved, "inputSchema.properties.op.enum"), (.enumWidened, "inputSchema.properties.op.enum"),
            ]),
        Case(
            name: "enum dropped",
            base: input(object(["op": ["type": "string", "enum": ["a"]]])),
            head: input(object(["op": ["type": "string"]])),
            expected: [(.enumWidened, "inputSchema.properties.op.enum")]),
        Case(
            name: "enum where any string was accepted",
            base: input(object(["op": ["type": "string"]])),
            head: input(object(["op": ["type": "string", "enum": ["a"]]])),
            expected: [(.enumAdded, "inputSchema.properties.op.enum")]),
        // Constraints.
        Case(
            name: "bounds tightened",
            base: input(object(["s": ["type": "string", "maxLength": 10], "n": ["type": "integer", "minimum": 0]])),
            head: input(
                object([
                    "s": ["type": "string", "maxLength": 5, "pattern": "^a"], "n": ["type": "integer", "minimum": 1],
                ])),
            expected: [
                (.constraintTightened, "inputSchema.properties.n.minimum"),
                (.constraintTightened, "inputSchema.properties.s.maxLength"),
                (.constraintTightened, "inputSchema.properties.s.pattern"),
            ]),
        Case(
            name: "bounds loosened",
            base: input(
                object([
                    "s": ["type": "string", "maxLength": 5, "pattern": "^a"], "n": ["type": "integer", "minimum": 1],
                ])),
            head: input(object(["s": ["type": "string"], "n": ["type": "integer", "minimum": 0]])),
            expected: [
                (.constraintLoosened, "inputSchema.properties.n.minimum"),
                (.constraintLoosened, "inputSchema.properties.s.maxLength"),
                (.constraintLoosened, "inputSchema.properties.s.pattern"),
            ]),
        Case(
            name: "additional properties closed",
            base: input(["type": "object"]), head: input(["type": "object", "additionalProperties": false]),
            expected: [(.additionalPropertiesClosed, "inputSchema.additionalProperties")]),
        Case(
            name: "additional properties opened",
            base: input(["type": "object", "additionalProperties": false]),
            head: input(["type": "object", "additionalProperties": true]),
            expected: [(.additionalPropertiesOpened, "inputSchema.additionalProperties")]),
        // Variants.
        Case(
            name: "anyOf branch removed",
            base: input(object(["v": ["anyOf": [["type": "string"], ["type": "integer"]]]])),
            head: input(object(["v": ["anyOf": [["type": "string"]]]])),
            expected: [(.variantRemoved, "inputSchema.properties.v.anyOf[1]")]),
        Case(
            name: "oneOf branch added",
            base: input(object(["v": ["oneOf": [["type": "string"]]]])),
            head: input(object(["v": ["oneOf": [["type": "string"], ["type": "boolean"]]]])),
            expected: [(.variantAdded, "inputSchema.properties.v.oneOf[1]")]),
        Case(
            name: "one branch changed in place is compared as a schema",
            base: input(object(["v": ["anyOf": [["type": "string"], ["type": "number"]]]])),
            head: input(object(["v": ["anyOf": [["type": "string"], ["type": "integer"]]]])),
            expected: [(.typeNarrowed, "inputSchema.properties.v.anyOf[1].type")]),
        // Outputs.
        Case(
            name: "output property removed",
            base: output(object(["a": ["type": "string"], "b": ["type": "string"]])),
            head: output(object(["a": ["type": "string"]])),
            expected: [(.outputPropertyRemoved, "outputSchema.properties.b")]),
        Case(
            name: "output property added",
            base: output(object(["a": ["type": "string"]])),
            head: output(object(["a": ["type": "string"], "b": ["type": "string"]], required: ["b"])),
            expected: [(.outputPropertyAdded, "outputSchema.properties.b")]),
        Case(
            name: "output property no longer guaranteed",
            base: output(object(["a": ["type": "string"]], required: ["a"])),
            head: output(object(["a": ["type": "string"]])),
            expected: [(.outputPropertyBecameOptional, "outputSchema.properties.a")]),
        Case(
            name: "output property now guaranteed",
            base: output(object(["a": ["type": "string"]])),
            head: output(object(["a": ["type": "string"]], required: ["a"])),
            expected: [(.outputPropertyBecameRequired, "outputSchema.properties.a")]),
        Case(
            name: "output may now be null",
            base: output(object(["a": ["type": "string"]])), head: output(object(["a": ["type": ["string", "null"]]])),
            expected: [(.outputTypeWidened, "outputSchema.properties.a.type")]),
        Case(
            name: "output no longer null",
            base: output(object(["a": ["type": ["string", "null"]]])), head: output(object(["a": ["type": "string"]])),
            expected: [(.outputTypeNarrowed, "outputSchema.properties.a.type")]),
        Case(
            name: "output type changed",
            base: output(object(["a": ["type": "string"]])), head: output(object(["a": ["type": "array"]])),
            expected: [(.outputTypeChanged, "outputSchema.properties.a.type")]),
        Case(
            name: "output enum gains and loses a value",
            base: output(object(["s": ["enum": ["ok", "failed"]]])),
            head: output(object(["s": ["enum": ["ok", "partial"]]])),
            expected: [
                (.outputEnumValueRemoved, "outputSchema.properties.s.enum"),
                (.outputEnumWidened, "outputSchema.properties.s.enum"),
            ]),
        Case(
            name: "output enum appears",
            base: output(object(["s": ["type": "string"]])),
            head: output(object(["s": ["type": "string", "enum": ["ok"]]])),
            expected: [(.outputEnumAdded, "outputSchema.properties.s.enum")]),
        Case(
            name: "output constraints",
            base: output(object(["s": ["type": "string", "maxLength": 5], "n": ["type": "integer", "minimum": 0]])),
            head: output(object(["s": ["type": "string", "maxLength": 9], "n": ["type": "integer", "minimum": 1]])),
            expected: [
                (.outputConstraintTightened, "outputSchema.properties.n.minimum"),
                (.outputConstraintLoosened, "outputSchema.properties.s.maxLength"),
            ]),
        Case(
            name: "output additional properties",
            base: output(["type": "object", "additionalProperties": false, "properties": ["x": ["type": "object"]]]),
            head: output(["type": "object", "properties": ["x": ["type": "object", "additionalProperties": false]]]),
            expected: [
                (.outputAdditionalPropertiesClosed, "outputSchema.properties.x.additionalProperties"),
                (.outputAdditionalPropertiesOpened, "outputSchema.additionalProperties"),
            ]),
        Case(
            name: "output variants",
            base: output(
                object([
                    "v": ["anyOf": [["type": "string"], ["type": "integer"]]], "w": ["anyOf": [["type": "string"]]],
                ])),
            head: output(
                object(["v": ["anyOf": [["type": "string"]]], "w": ["anyOf": [["type": "string"], ["type": "null"]]]])),
            expected: [
                (.outputVariantRemoved, "outputSchema.properties.v.anyOf[1]"),
                (.outputVariantAdded, "outputSchema.properties.w.anyOf[1]"),
            ]),
        // Descriptions, annotations and keywords.
        Case(
            name: "tool description and title",
            base: ["name": "t", "description": "old", "inputSchema": ["type": "object"]],
            head: ["name": "t", "description": "new", "title": "T", "inputSchema": ["type": "object"]],
            expected: [(.descriptionChanged, "description"), (.titleChanged, "title")]),
        Case(
            name: "annotations key by key",
            base: ["name": "t", "annotations": ["readOnlyHint": true, "title": "x"]],
            head: ["name": "t", "annotations": ["readOnlyHint": false, "openWorldHint": true]],
            expected: [
                (.annotationChanged, "annotations.openWorldHint"), (.annotationChanged, "annotations.readOnlyHint"),
                (.annotationChanged, "annotations.title"),
            ]),
        Case(
            name: "schema keywords",
            base: input([
                "type": "object", "description": "a", "default": [:], "examples": [], "$ref": "#/$defs/a",
                "not": ["required": ["x"]],
            ]),
            head: input([
                "type": "object", "description": "b", "default": ["x": 1], "examples": [[:]], "$ref": "#/$defs/b",
            ]),
            expected: [
                (.referenceChanged, "inputSchema.$ref"), (.defaultChanged, "inputSchema.default"),
                (.descriptionChanged, "inputSchema.description"), (.schemaAnnotationChanged, "inputSchema.examples"),
                (.schemaChanged, "inputSchema.not"),
            ]),
        // Defaults a curated manifest writes and a live listing leaves out are the same thing.
        Case(
            name: "absent schemas, description and annotations equal the manifest's defaults",
            base: [
                "name": "t", "description": "", "annotations": [:], "inputSchema": ["type": "object"],
                "outputSchema": ["type": "object"], "server": "s",
            ],
            head: ["name": "t", "annotations": nil, "outputSchema": nil],
            expected: []),
    ]

    static func changes(_ base: JSONValue, _ head: JSONValue) -> [SurfaceChange] {
        SurfaceDiff.compare(
            base: ToolSurface(tools: ["t": base], origin: ["kind": "file", "path": "base.json"]),
            head: ToolSurface(tools: ["t": head], origin: ["kind": "file", "path": "head.json"])
        ).changes
    }

    @Test(arguments: cases)
    func eachChangeIsNamedAndPlaced(_ item: Case) {
        let found = Self.changes(item.base, item.head)
        #expect(found.map(\.kind) == item.expected.map(\.0), "\(found.map(\.json))")
        #expect(found.map(\.jsonPath.description) == item.expected.map(\.1))
        #expect(found.allSatisfy { $0.tool == "t" })
    }

    @Test func everyKindIsCovered() {
        var seen = Set(Self.cases.flatMap { $0.expected.map(\.0.rawValue) })
        seen.formUnion(["tool_removed", "tool_added"])  // toolsAreMatchedByName
        let missing = Set(SurfaceChange.Kind.allCases.map(\.rawValue)).subtracting(seen)
        #expect(missing.isEmpty, "kinds without a case: \(missing.sorted())")
    }

    @Test func severities() {
        let breaking: Set<SurfaceChange.Kind> = [
            .toolRemoved, .requiredArgumentAdded, .propertyRemoved, .argumentBecameRequired, .typeNarrowed,
            .typeChanged,
            .enumValueRemoved, .enumAdded, .constraintTightened, .additionalPropertiesClosed, .variantRemoved,
            .outputPropertyRemoved, .outputPropertyBecameOptional, .outputTypeWidened, .outputTypeChanged,
            .outputEnumWidened, .outputConstraintLoosened, .outputVariantAdded, .referenceChanged, .schemaChanged,
        ]
        for kind in SurfaceChange.Kind.allCases {
            #expect(kind.severity == (breaking.contains(kind) ? .breaking : .compatible), "\(kind.rawValue)")
        }
    }

    @Test func toolsAreMatchedByName() throws {
        let base = try ToolSurface.read(
            ["schemaVersion": 1, "tools": [["name": "keep", "inputSchema": ["type": "object"]], ["name": "gone"]]],
            source: "manifest.json", origin: ["kind": "file", "path": "manifest.json"])
        let head = try ToolSurface.read(
            ["jsonrpc": "2.0", "id": 2, "result": ["tools": [["name": "new"], ["name": "keep"]]]],
            source: "live.json", origin: ["kind": "file", "path": "live.json"])
        let report = SurfaceDiff.compare(base: base, head: head)
        #expect(report.changes.map(\.kind) == [.toolRemoved, .toolAdded])
        #expect(report.changes.map(\.tool) == ["gone", "new"])
        #expect(report.changes[0].before == ["name": "gone"])
        #expect(report.changes[1].after == ["name": "new"])
        #expect(report.changes.allSatisfy { $0.jsonPath.description == "(root)" })

        let summary = report.summary(allowBreaking: false)
        #expect(summary["breaking"] == 1)
        #expect(summary["compatible"] == 1)
        #expect(summary["base"] == ["kind": "file", "path": "manifest.json", "tools": 2])
        #expect(
            summary["changes"]?.arrayValue?.first == [
                "tool": "gone", "kind": "breaking", "change": "tool_removed", "json_path": "(root)",
                "before": ["name": "gone"],
            ])
        let error = try #require(report.error(allowBreaking: false))
        #expect(error.code == .breakingChange)
        #expect(error.exit == .checkFailed)
        #expect(error.message == "1 breaking change: gone: tool_removed at (root)")
        #expect(report.error(allowBreaking: true)?.code == nil)
        #expect(report.summary(allowBreaking: true)["allow_breaking"] == true)
    }

    @Test func onlyCompatibleChangesPass() {
        let report = SurfaceDiff.compare(
            base: ToolSurface(tools: ["a": ["name": "a"]], origin: [:]),
            head: ToolSurface(
                tools: ["a": ["name": "a", "description": "now described"], "b": ["name": "b"]], origin: [:]))
        #expect(report.breaking.isEmpty)
        #expect(report.compatible.count == 2)
        #expect(report.error(allowBreaking: false)?.code == nil)
    }

    @Test func liveShapesAreReadAsDriftReadsThem() throws {
        // Drift's reader decides what is a listing: the same codes for the same bad inputs.
        for bad in [
            #"{"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "Invalid params"}}"#,
            #"{"result": {"content": []}}"#, "[1, 2]", #"{"tools": [{"title": "no name"}]}"#,
        ] {
            #expect {
                try ToolSurface.read(
                    ManifestJSON.parse(Data(bad.utf8), source: "live.json"), source: "live.json", origin: [:])
            } throws: { error in
                (error as? SmokeError)?.code == .invalidLiveCatalog && (error as? SmokeError)?.exit == .invalidInput
            }
        }
        // A bare name is enough for drift, not for a diff of schemas.
        #expect {
            try ToolSurface.read(["result": ["tools": ["grep"]]], source: "live.json", origin: [:])
        } throws: { error in
            let error = error as? SmokeError
            return error?.code == .invalidLiveCatalog && error?.fields["json_path"] == "result.tools[0]"
        }
        let duplicated = try ToolSurface.read(
            ["tools": [["name": "a", "description": "first"], ["name": "a", "description": "second"]]],
            source: "m.json",
            origin: [:])
        #expect(duplicated.tools["a"]?["description"] == "first")
        #expect(duplicated.warnings == ["m.json: tool a is listed twice; the first entry is compared"])
    }
}
