import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// `render-manifest lint` against the real Codex CLI (the pinned .venv package): a real MCP
/// server serves catalogs that break each lint rule, a real `codex exec` stage runs against it with
/// the scripted model, and the tools Codex offered its model must be exactly the tools the lint
/// predicted, tool by tool, hash suffixes included.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct CodexAcceptanceTests {
    /// A config key with a `-`, so the namespace rule is checked too (the model sees mcp__smoke_stack).
    static let serverName = "smoke-stack"
    static let namespace = "mcp__smoke_stack"
    /// Codex's WARN lines for skipped tools, and its default ERROR lines.
    static let rustLog = "error,codex_core::mcp_tool_exposure=warn,codex_mcp::tools=warn"

    // MARK: catalogs

    static let plainSchema: JSONValue = ["type": "object", "properties": ["text": ["type": "string"]]]

    static func tool(_ name: JSONValue, _ schema: JSONValue = plainSchema, _ extra: [String: JSONValue] = [:])
        -> JSONValue
    {
        var entry: [String: JSONValue] = ["name": name, "description": "acceptance probe", "inputSchema": schema]
        entry.merge(extra) { _, new in new }
        return .object(entry)
    }

    static func property(_ schema: JSONValue) -> JSONValue { ["type": "object", "properties": ["x": schema]] }

    /// An input schema that makes the tool entry `depth` levels deep (a chain of one-property
    /// objects ending in a string or an empty object, whichever gives the exact depth).
    static func nested(toolDepth depth: Int) -> JSONValue {
        let target = depth - 1  // the entry is one level above its input schema
        var schema: JSONValue = target % 2 == 1 ? ["type": "string"] : ["type": "object", "properties": [:]]
        var schemaDepth = target % 2 == 1 ? 1 : 2
        while schemaDepth < target {
            schema = ["type": "object", "properties": ["a": schema]]
            schemaDepth += 2
        }
        return schema
    }

    /// What each tool of the main catalog is for: the verdict the lint must give and the rule it
    /// must name (the real run then decides whether the prediction holds).
    static let expectations: [(name: String, verdict: String, rule: String?)] = [
        ("echo_text", "offered", nil),
        ("lenient_schema", "offered", nil),
        ("unreachable_bad_definition", "offered", nil),
        ("visible_to_model_and_app", "offered", nil),
        ("visibility_not_a_list", "offered", nil),
        ("deepest_allowed", "offered", nil),
        (String(repeating: "n", count: 110), "offered", nil),
        ("with_schema_problems", "offered", nil),
        ("dotted.name", "renamed", "name_sanitized"),
        ("hyphen-name", "renamed", "name_sanitized"),
        ("unicodé", "renamed", "name_sanitized"),
        ("", "renamed", "name_sanitized"),
        ("collide.me", "renamed", "name_collision"),
        ("collide_me", "renamed", "name_collision"),
        ("hidden.twin", "dropped", "hidden_from_model"),
        ("hidden_twin", "renamed", "name_collision"),
        (String(repeating: "l", count: 111), "renamed", "name_too_long"),
        ("twice", "offered", nil),
        ("twice", "dropped", "duplicate_name"),
        ("app_only", "dropped", "hidden_from_model"),
        ("empty_visibility", "dropped", "hidden_from_model"),
        ("root_type_null", "dropped", "input_schema_unconvertible"),
        ("description_not_string", "dropped", "input_schema_unconvertible"),
        ("enum_not_list", "dropped", "input_schema_unconvertible"),
        ("required_not_list", "dropped", "input_schema_unconvertible"),
        ("required_name_not_string", "dropped", "input_schema_unconvertible"),
        ("properties_not_object", "dropped", "input_schema_unconvertible"),
        ("property_null", "dropped", "input_schema_unconvertible"),
        ("items_tuple", "dropped", "input_schema_unconvertible"),
        ("additional_properties_string", "dropped", "input_schema_unconvertible"),
        ("any_of_object", "dropped", "input_schema_unconvertible"),
        ("ref_not_string", "dropped", "input_schema_unconvertible"),
        ("encrypted_not_boolean", "dropped", "input_schema_unconvertible"),
        ("min_items_negative", "dropped", "input_schema_unconvertible"),
        ("reachable_bad_definition", "dropped", "input_schema_unconvertible"),
        ("unknown_type_beside_any_of", "dropped", "input_schema_unconvertible"),
    ]

    static var mainCatalog: JSONValue {
        let tools: [JSONValue] = [
            tool("echo_text"),
            // Everything Codex's converter repairs: no type, a boolean schema, a type list with an
            // unknown name, const, a reference, null keywords, keywords it ignores.
            tool(
                "lenient_schema",
                [
                    "properties": [
                        "a": true, "b": ["type": ["string", "null", "date"]], "c": ["const": 5],
                        "d": ["$ref": "#/$defs/D"], "e": ["type": "string", "description": .null, "title": 5],
                        "f": ["type": "array", "prefixItems": 5], "g": ["format": "uri"], "h": ["description": 5],
                    ],
                    "$defs": ["D": ["type": "integer"]],
                ]),
            tool("unreachable_bad_definition", ["type": "object", "properties": [:], "$defs": ["Unused": 5]]),
            tool("visible_to_model_and_app", plainSchema, ["_meta": ["ui": ["visibility": ["app", "model"]]]]),
            tool("visibility_not_a_list", plainSchema, ["_meta": ["ui": ["visibility": "app"]]]),
            tool("deepest_allowed", nested(toolDepth: 124)),
            tool(.string(String(repeating: "n", count: 110))),
            tool(
                "with_schema_problems",
                [
                    "type": "object", "properties": ["mode": ["type": "string", "enum": ["a", "b", "a"]]],
                    "required": ["mode", "mode", "ghost"],
                ], ["outputSchema": ["type": ["object", "null"], "properties": [:]]]),
            tool("dotted.name"),
            tool("hyphen-name"),
            tool("unicodé"),
            tool(""),
            tool("collide.me"),
            tool("collide_me"),
            // Hidden, yet it still pushes its visible twin into a hash suffix.
            tool("hidden.twin", plainSchema, ["_meta": ["ui": ["visibility": ["app"]]]]),
            tool("hidden_twin"),
            tool(.string(String(repeating: "l", count: 111))),
            tool("twice"),
            tool("twice", ["type": "object", "properties": ["other": ["type": "integer"]]]),
            tool("app_only", plainSchema, ["_meta": ["ui": ["visibility": ["app"]]]]),
            tool("empty_visibility", plainSchema, ["_meta": ["ui": ["visibility": []]]]),
            tool("root_type_null", ["type": "null"]),
            tool("description_not_string", property(["type": "string", "description": 5])),
            tool("enum_not_list", property(["type": "string", "enum": "a"])),
            tool("required_not_list", ["type": "object", "properties": ["x": ["type": "string"]], "required": "x"]),
            tool("required_name_not_string", ["type": "object", "properties": [:], "required": [1]]),
            tool("properties_not_object", ["type": "object", "properties": []]),
            tool("property_null", property(.null)),
            tool("items_tuple", property(["type": "array", "items": [["type": "string"]]])),
            tool("additional_properties_string", ["type": "object", "properties": [:], "additionalProperties": "no"]),
            tool("any_of_object", property(["anyOf": ["type": "string"]])),
            tool("ref_not_string", property(["$ref": 5])),
            tool("encrypted_not_boolean", property(["type": "string", "encrypted": "yes"])),
            tool("min_items_negative", property(["type": "array", "minItems": -1])),
            tool(
                "reachable_bad_definition",
                [
                    "type": "object", "properties": ["x": ["$ref": "#/$defs/A"]],
                    "$defs": [
                        "A": ["type": "object", "properties": ["y": ["$ref": "#/$defs/B"]]],
                        "B": ["type": "string", "description": 3],
                    ],
                ]),
            tool("unknown_type_beside_any_of", property(["type": "text", "anyOf": [["type": "string"]]])),
        ]
        return ["tools": .array(tools)]
    }

    /// One catalog per way an entry makes Codex refuse the whole tools/list; each also serves a
    /// good tool, which is lost with it.
    static let listRejections: [(name: String, entry: JSONValue, path: String)] = [
        ("entry_not_object", "grep", "tools[1]"),
        ("name_missing", ["inputSchema": plainSchema], "tools[1].name"),
        ("name_not_string", ["name": 5, "inputSchema": plainSchema], "tools[1].name"),
        ("title_not_string", tool("bad", plainSchema, ["title": 5]), "tools[1].title"),
        ("description_not_string", tool("bad", plainSchema, ["description": 5]), "tools[1].description"),
        ("input_schema_missing", ["name": "bad"], "tools[1].inputSchema"),
        ("input_schema_not_object", tool("bad", true), "tools[1].inputSchema"),
        ("input_schema_null", tool("bad", .null), "tools[1].inputSchema"),
        ("output_schema_not_object", tool("bad", plainSchema, ["outputSchema": "x"]), "tools[1].outputSchema"),
        ("annotations_not_object", tool("bad", plainSchema, ["annotations": "x"]), "tools[1].annotations"),
        (
            "annotation_hint_not_boolean", tool("bad", plainSchema, ["annotations": ["readOnlyHint": "yes"]]),
            "tools[1].annotations.readOnlyHint"
        ),
        (
            "annotation_title_not_string", tool("bad", plainSchema, ["annotations": ["title": 5]]),
            "tools[1].annotations.title"
        ),
        ("icons_not_list", tool("bad", plainSchema, ["icons": "x"]), "tools[1].icons"),
        ("meta_not_object", tool("bad", plainSchema, ["_meta": "x"]), "tools[1]._meta"),
        ("too_deep", tool("bad", nested(toolDepth: 125)), "tools[1]"),
    ]

    // MARK: the tests

    @Test func lintPredictsExactlyTheToolsCodexOffers() async throws {
        let catalog = Self.mainCatalog
        let server = try await offPool { try CatalogServer(["main": catalog]) }
        let harness = try await offPool { try StageHarness(stages: Self.stages) }

        // The live listing as users take it: probe-initialize --tools-out.
        let live = harness.temp.file("live.json")
        let probe = try ToolRun.run(
            "probe-initialize", ["--url", server.url("main"), "--min-tools", "1", "--tools-out", live, "--quiet"])
        #expect(probe.status == 0, "\(probe.stdout)")
        #expect(try JSONValue.load(path: live)["tools"] == catalog["tools"], "the server serves the catalog verbatim")

        let lint = try ToolRun.run("render-manifest", ["lint", "--live", live, "--server-name", Self.serverName])
        #expect(lint.status == 1)
        #expect(lint.errorCode == "codex_rejects_tools")
        #expect(lint.json["namespace"] == .string(Self.namespace))
        let predicted = lint.json["tools"]?.arrayValue ?? []
        try #require(predicted.count == Self.expectations.count)
        for (index, expected) in Self.expectations.enumerated() {
            let tool = predicted[index]
            #expect(tool["name"] == .string(expected.name))
            #expect(tool["verdict"] == .string(expected.verdict), "\(expected.name): \(tool.encodedString())")
            if let rule = expected.rule {
                #expect(
                    tool["reasons"]?.arrayValue?.contains { $0["rule"] == .string(rule) } == true,
                    "\(expected.name): \(tool.encodedString())")
            }
        }
        #expect(
            lint.json["schema_problems"]?.arrayValue?.compactMap { $0["rule"]?.stringValue }.sorted()
                == ["duplicate_enum", "duplicate_required", "output_schema_type_array", "required_not_in_properties"])

        // The real stage: Codex reads the same server; the scripted model calls two renamed tools
        // by the names the lint predicted, and Codex routes them to the served names.
        let offeredName = { (name: String) in
            predicted.first { $0["name"] == .string(name) }?["offered_as"]?.stringValue ?? ""
        }
        var options = harness.options("acceptance", mcpURL: server.url("main"))
        options.mcpServerName = Self.serverName
        options.codex = try harness.wrapper(
            "codex-warn.sh", "export RUST_LOG='\(Self.rustLog)'\nexec \"$CODEX\" \"$@\"")
        options.scriptPath = try harness.script(
            "acceptance.json",
            JSONValue.object([
                "steps": [
                    [
                        "calls": .array(
                            ["dotted.name", "collide.me"].map { name in
                                ["tool": .string(offeredName(name)), "namespace": .string(Self.namespace)]
                            })
                    ]
                ]
            ]).encodedString())
        let report = try await CodexStage.run(options)
        #expect(report.code == nil, "\(report.error?.description ?? "")")

        // Tool by tool: what the lint says the model sees is what Codex offered.
        let offered = report.fields["offered_by_server"]?["smoke_stack"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(report.fields["offered_tools"]?.arrayValue?.count == offered.count, "only the one server's namespace")
        for tool in predicted {
            let name = tool["name"]?.stringValue ?? ""
            if let offeredAs = tool["offered_as"]?.stringValue {
                #expect(offered.contains(offeredAs), "lint: \(name) offered as \(offeredAs); Codex offered \(offered)")
            }
        }
        #expect(
            offered == lint.json["offered"]?.arrayValue?.compactMap(\.stringValue),
            "Codex offered exactly the lint's list")
        #expect(offered.count == predicted.filter { $0["verdict"] != "dropped" }.count)
        #expect(
            offeredName("collide.me").hasPrefix("collide_me_")
                && offeredName("collide.me").count == "collide_me_".count + 12)
        #expect(report.calls.map { $0["tool"]?.stringValue ?? "" }.sorted() == ["collide.me", "dotted.name"])
        #expect(report.calls.allSatisfy { $0["status"] == "completed" })

        // Codex's own reasons, with RUST_LOG: one WARN line per unconvertible schema and per
        // repeated name; nothing for a hidden tool.
        let stderr = fileLines(report.stderrLogPath)
        for expected in Self.expectations where expected.rule == "input_schema_unconvertible" {
            let line = "Skipping MCP tool `\(Self.namespace)\(expected.name)`: failed to build tool spec: "
            #expect(
                stderr.contains { $0.contains("WARN codex_core::mcp_tool_exposure: " + line) },
                "no stderr line for \(expected.name)")
        }
        #expect(
            stderr.contains {
                $0.hasSuffix(
                    "Skipping MCP tool `\(Self.namespace)root_type_null`: failed to build tool spec: tool input schema must not be a singleton null type"
                )
            })
        #expect(
            stderr.contains {
                $0.hasSuffix(
                    "Skipping MCP tool `\(Self.namespace)description_not_string`: failed to build tool spec: invalid type: number, expected a string"
                )
            })
        #expect(stderr.contains { $0.hasSuffix("WARN codex_mcp::tools: skipping duplicated tool twice") })
        #expect(!stderr.contains { $0.contains("app_only") || $0.contains("empty_visibility") })
    }

    @Test func withoutRustLogCodexGivesNoReasonForADroppedTool() async throws {
        let catalog: JSONValue = [
            "tools": [Self.tool("kept"), Self.tool("root_type_null", ["type": "null"]), Self.tool("kept")]
        ]
        let server = try await offPool { try CatalogServer(["main": catalog]) }
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("quiet", mcpURL: server.url("main"))
        options.mcpServerName = Self.serverName
        options.scriptPath = try harness.script("quiet.json", #"{"steps": [{"message": "done"}]}"#)
        let report = try await CodexStage.run(options)
        #expect(report.fields["offered_tools"] == ["kept"])
        let stderr = fileLines(report.stderrLogPath).filter { !$0.hasPrefix("[codex-stage]") }
        #expect(!stderr.contains { $0.contains("root_type_null") || $0.contains("duplicated") }, "\(stderr)")
    }

    @Test func eachUndecodableEntryLosesTheWholeList() async throws {
        var catalogs: [String: JSONValue] = [:]
        for rejection in Self.listRejections {
            catalogs[rejection.name] = ["tools": [Self.tool("good"), rejection.entry]]
        }
        let served = catalogs
        let server = try await offPool { try CatalogServer(served) }
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        for rejection in Self.listRejections {
            let live = try harness.temp.write("\(rejection.name).json", catalogs[rejection.name]!.encodedString())
            let lint = try ToolRun.run("render-manifest", ["lint", "--live", live, "--server-name", Self.serverName])
            #expect(lint.status == 1, "\(rejection.name)")
            #expect(lint.errorCode == "codex_rejects_list", "\(rejection.name): \(lint.stdout)")
            #expect(lint.json["offered"] == [], "\(rejection.name)")
            let paths = (lint.json["tools"]?.arrayValue ?? []).flatMap { $0["reasons"]?.arrayValue ?? [] }.compactMap {
                $0["json_path"]?.stringValue
            }
            // The nesting rule names the deepest place; every other rule the offending key.
            #expect(
                paths.count == 1
                    && (rejection.name == "too_deep"
                        ? paths[0].hasPrefix(rejection.path + ".inputSchema") : paths[0] == rejection.path),
                "\(rejection.name): \(paths)")

            var options = harness.options("acceptance", mcpURL: server.url(rejection.name))
            options.mcpServerName = Self.serverName
            options.scriptPath = try harness.script("message.json", #"{"steps": [{"message": "done"}]}"#)
            options.transcripts = harness.temp.file("transcripts-\(rejection.name)")
            let report = try await CodexStage.run(options)
            #expect(
                report.code == .mcpStartupFailed,
                "\(rejection.name): Codex \(report.error?.description ?? "accepted the list")")
            let offered = report.fields["offered_tools"]?.arrayValue ?? []
            #expect(offered.isEmpty, "\(rejection.name): \(offered)")
            #expect(
                report.error?.message.contains("required MCP servers failed to initialize: \(Self.serverName)") == true,
                "\(rejection.name)")
        }
    }

    /// Not a lint rule (nothing static can predict it) but what the docs say: Codex lists tools
    /// once per run; a tools/list_changed notification does not bring a new tool to the model.
    @Test func codexListsToolsOnceAndIgnoresListChanged() async throws {
        let catalog: JSONValue = [
            "tools": [Self.tool("grow"), Self.tool("base")], "later": [Self.tool("late")], "grow": "grow",
        ]
        let server = try await offPool { try CatalogServer(["main": catalog]) }
        let harness = try await offPool { try StageHarness(stages: Self.stages) }
        var options = harness.options("grow", mcpURL: server.url("main"))
        options.mcpServerName = Self.serverName
        options.scriptPath = try harness.script(
            "grow.json",
            JSONValue.object([
                "steps": [
                    ["calls": [["tool": "grow", "namespace": .string(Self.namespace)]]],
                    ["calls": [["tool": "base", "namespace": .string(Self.namespace)]]],
                    ["calls": [["tool": "late", "namespace": .string(Self.namespace)]]],
                ]
            ]).encodedString())
        let report = try await CodexStage.run(options)
        #expect(report.calls.map { $0["tool"]?.stringValue ?? "" } == ["grow", "base"])
        #expect(report.fields["offered_tools"] == ["base", "grow"])
        #expect(report.fields["unsupported_calls"]?.arrayValue?.contains(.string(Self.namespace + "late")) == true)
        #expect(
            server.process.stderr.components(separatedBy: "LIST main").count - 1 == 1,
            "one tools/list for the whole run")
    }

    static let stages = """
        {"stages": [
          {"name": "acceptance", "prompt": "Call the renamed tools.", "expectations": [
            {"tool": "dotted.name", "server": "smoke-stack"}, {"tool": "collide.me", "server": "smoke-stack"}]},
          {"name": "quiet", "prompt": "Say done.", "expectations": []},
          {"name": "grow", "prompt": "Grow the catalog, then call the new tool.", "expectations": [
            {"tool": "grow", "server": "smoke-stack"}, {"tool": "base", "server": "smoke-stack"}]}
        ]}
        """
}

/// Tests/Fixtures/CodexAcceptance/catalog_server.py serving the given catalogs on 127.0.0.1.
final class CatalogServer: Sendable {
    let process: BackgroundProcess
    let port: Int
    let directory: TempDirectory

    init(_ catalogs: [String: JSONValue]) throws {
        directory = try TempDirectory(prefix: "codex-acceptance")
        let file = try directory.write(
            "catalogs.json", JSONValue.object(["catalogs": .object(catalogs)]).encodedString())
        process = try BackgroundProcess.python(
            "\(ProjectPaths.root)/Tests/Fixtures/CodexAcceptance/catalog_server.py", [file])
        do {
            port = try process.waitForReadyPort(timeout: 60)
        } catch {
            process.stop()
            throw error
        }
    }

    func url(_ catalog: String) -> String { "http://127.0.0.1:\(port)/\(catalog)/mcp" }

    deinit { process.stop() }
}
