import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// `render-manifest lint` as users run it: the JSON answer, exit codes and bad input.
@Suite struct LintCommandTests {
    static let schema: JSONValue = ["type": "object", "properties": ["x": ["type": "string"]]]

    func lint(_ live: JSONValue, _ extra: [String] = []) throws -> ToolRun {
        let temp = try TempDirectory(prefix: "lint")
        let file = try temp.write("live.json", live.encodedString())
        return try ToolRun.run("render-manifest", ["lint", "--live", file] + extra)
    }

    @Test func cleanListingPassesWithEveryToolOffered() throws {
        let run = try lint([
            "tools": [
                ["name": "grep", "inputSchema": Self.schema], ["name": "manage_stelae", "inputSchema": Self.schema],
            ]
        ])
        #expect(run.status == 0)
        #expect(run.json["ok"] == true)
        #expect(run.json["offered"] == ["grep", "manage_stelae"])
        #expect(run.json["namespace"] == "mcp__stelae")
        #expect(run.json["server_name"] == "stelae")
        #expect(run.json["codex_version"] == "0.163.0")
        #expect(
            run.json["tools"]?.arrayValue?.first == [
                "name": "grep", "offered_as": "grep", "verdict": "offered", "reasons": [],
            ])
        #expect(run.json["dropped"] == [] && run.json["renamed"] == [] && run.json["schema_problems"] == [])
    }

    @Test func renamedToolsAloneStillPass() throws {
        let run = try lint(
            ["tools": [["name": "doc.fetch", "inputSchema": Self.schema]]], ["--server-name", "my-stack"])
        #expect(run.status == 0)
        #expect(run.json["namespace"] == "mcp__my_stack")
        #expect(run.json["renamed"] == [["name": "doc.fetch", "offered_as": "doc_fetch"]])
        let reason = run.json["tools"]?.arrayValue?.first?["reasons"]?.arrayValue?.first
        #expect(reason?["rule"] == "name_sanitized")
        #expect(reason?["json_path"] == "tools[0].name")
    }

    @Test func droppedToolIsExitOneNamingRuleAndPath() throws {
        let live: JSONValue = [
            "jsonrpc": "2.0", "id": 3,
            "result": [
                "tools": [
                    ["name": "ok", "inputSchema": Self.schema],
                    [
                        "name": "broken",
                        "inputSchema": ["type": "object", "properties": ["x": ["type": "string", "description": 5]]],
                    ],
                ]
            ],
        ]
        let run = try lint(live)
        #expect(run.status == 1)
        #expect(run.errorCode == "codex_rejects_tools")
        #expect(run.json["dropped"] == ["broken"])
        let tool = run.json["tools"]?.arrayValue?[1]
        #expect(tool?["verdict"] == "dropped" && tool?["offered_as"] == .null)
        #expect(tool?["reasons"]?.arrayValue?.first?["rule"] == "input_schema_unconvertible")
        #expect(
            tool?["reasons"]?.arrayValue?.first?["json_path"] == "result.tools[1].inputSchema.properties.x.description")
        #expect(run.json["error"]?["message"]?.stringValue?.contains("broken (input_schema_unconvertible)") == true)
    }

    @Test func schemaProblemsAloneAreExitOne() throws {
        let run = try lint([
            "tools": [
                [
                    "name": "t",
                    "inputSchema": [
                        "type": "object", "properties": ["m": ["type": "string", "enum": ["a", "a"]]],
                        "required": ["m", "m", "ghost"],
                    ],
                    "outputSchema": ["type": ["object", "null"]],
                ]
            ]
        ])
        #expect(run.status == 1)
        #expect(run.errorCode == "schema_problems")
        #expect(run.json["offered"] == ["t"])
        let problems = run.json["schema_problems"]?.arrayValue ?? []
        #expect(
            Set(problems.compactMap { $0["json_path"]?.stringValue }) == [
                "tools[0].inputSchema.properties.m.enum[1]", "tools[0].inputSchema.required[1]",
                "tools[0].inputSchema.required[2]", "tools[0].outputSchema.type",
            ])
        #expect(
            Set(problems.compactMap { $0["rule"]?.stringValue }) == [
                "duplicate_enum", "duplicate_required", "required_not_in_properties", "output_schema_type_array",
            ])
        #expect(problems.allSatisfy { $0["tool"] == "t" })
    }

    @Test func oneUndecodableEntryLosesTheList() throws {
        let run = try lint(["tools": [["name": "ok", "inputSchema": Self.schema], ["inputSchema": Self.schema]]])
        #expect(run.status == 1)
        #expect(run.errorCode == "codex_rejects_list")
        #expect(run.json["list_rejected"] == true)
        #expect(run.json["offered"] == [])
        #expect(run.json["dropped"] == ["ok", "tools[1]"])
        #expect(run.json["tools"]?.arrayValue?[1]["name"] == .null)
        #expect(run.json["tools"]?.arrayValue?[1]["reasons"]?.arrayValue?.first?["json_path"] == "tools[1].name")
    }

    @Test func stdinIsRead() throws {
        let result = try ChildProcess.run(
            ProjectPaths.binary("render-manifest"), ["lint", "--live", "-", "--pretty"],
            stdin: #"{"tools": [{"name": "a", "inputSchema": {"type": "object"}}]}"#)
        #expect(result.status == 0)
        #expect(result.stdout.contains("\n  \"offered\" : [\n    \"a\"\n  ]"))
    }

    @Test(arguments: [
        ("{\"tools\": [", "invalid_json"),
        (
            #"{"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "Method not found"}}"#,
            "invalid_live_catalog"
        ),
        (#"{"result": {"content": []}}"#, "invalid_live_catalog"),
        (#"[1, 2]"#, "invalid_live_catalog"),
    ])
    func malformedLiveFileIsExitTwo(text: String, code: String) throws {
        let temp = try TempDirectory(prefix: "lint")
        let run = try ToolRun.run("render-manifest", ["lint", "--live", try temp.write("live.json", text)])
        #expect(run.status == 2)
        #expect(run.errorCode == code)
    }

    @Test func missingFileAndEmptyServerNameAreExitTwo() throws {
        let missing = try ToolRun.run("render-manifest", ["lint", "--live", "/nonexistent/live.json"])
        #expect(missing.status == 2 && missing.errorCode == "file_not_found")
        let empty = try lint(["tools": []], ["--server-name", ""])
        #expect(empty.status == 2 && empty.errorCode == "invalid_server_name")
        let usage = try ToolRun.run("render-manifest", ["lint"])
        #expect(usage.status == 2 && usage.errorCode == "usage")
    }
}
