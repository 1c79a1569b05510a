import Foundation
import SmokeCore
import Testing

@testable import ManifestKit

/// Entries that make the pinned Codex refuse a whole tools/list (each seen doing so in the real
/// binary: the required server fails to start with "Unexpected response type").
@Suite struct LintListTests {
    static let schema: JSONValue = ["type": "object", "properties": [:]]

    static let undecodable: [(String, JSONValue, String)] = [
        ("a string", JSONValue.string("grep"), "(root)"),
        ("no name", ["inputSchema": schema], "name"),
        ("name number", ["name": 5, "inputSchema": schema], "name"),
        ("title number", ["name": "t", "title": 5, "inputSchema": schema], "title"),
        ("description number", ["name": "t", "description": 5, "inputSchema": schema], "description"),
        ("no input schema", ["name": "t"], "inputSchema"),
        ("input schema true", ["name": "t", "inputSchema": true], "inputSchema"),
        ("input schema null", ["name": "t", "inputSchema": .null], "inputSchema"),
        ("output schema string", ["name": "t", "inputSchema": schema, "outputSchema": "x"], "outputSchema"),
        ("annotations string", ["name": "t", "inputSchema": schema, "annotations": "x"], "annotations"),
        (
            "hint string", ["name": "t", "inputSchema": schema, "annotations": ["readOnlyHint": "yes"]],
            "annotations.readOnlyHint"
        ),
        (
            "annotation title number", ["name": "t", "inputSchema": schema, "annotations": ["title": 5]],
            "annotations.title"
        ),
        ("icons string", ["name": "t", "inputSchema": schema, "icons": "x"], "icons"),
        ("meta string", ["name": "t", "inputSchema": schema, "_meta": "x"], "_meta"),
    ]

    @Test(arguments: undecodable.map(\.0))
    func entryCodexCannotDecode(_ label: String) {
        let (_, entry, path) = Self.undecodable.first { $0.0 == label }!
        #expect(CodexListDecoding.problems(entry).map(\.path.description) == [path], "\(label)")
    }

    @Test func nullOptionalFieldsAndAnEmptyNameAreFine() {
        let entry: JSONValue = [
            "name": "", "inputSchema": Self.schema, "title": .null, "description": .null, "outputSchema": .null,
            "annotations": .null, "_meta": .null, "icons": .null,
        ]
        #expect(CodexListDecoding.problems(entry).isEmpty)
    }

    static func tool(depth: Int) -> JSONValue {
        let target = depth - 1  // the entry is one level above its input schema
        var schema: JSONValue = target % 2 == 1 ? ["type": "string"] : ["type": "object", "properties": [:]]
        var schemaDepth = target % 2 == 1 ? 1 : 2
        while schemaDepth < target {
            schema = ["type": "object", "properties": ["a": schema]]
            schemaDepth += 2
        }
        return ["name": "deep", "inputSchema": schema]
    }

    @Test func nestingLimitIsTheMessages127Levels() {
        #expect(CodexListDecoding.deepest(Self.tool(depth: 124), at: .root, depth: 1)?.0 == 124)
        #expect(CodexListDecoding.problems(Self.tool(depth: 124)).isEmpty)
        let problems = CodexListDecoding.problems(Self.tool(depth: 125))
        #expect(problems.count == 1)
        #expect(problems.first?.path.description.hasPrefix("inputSchema.properties.a") == true)
    }
}
