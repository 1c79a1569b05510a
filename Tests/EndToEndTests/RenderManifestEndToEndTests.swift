import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// render-manifest through the built binary: one JSON document on stdout, documented exit codes.
@Suite struct RenderManifestEndToEndTests {
    static let curated: JSONValue = [
        "doc_fetch_suite", "grep", "manage_docy_sources", "manage_stelae", "workspace_fs_read", "workspace_fs_write",
    ]

    /// A hermetic environment: no developer config home or env file leaks into the render.
    static func environment(_ temp: TempDirectory) -> [String: String] {
        ["HOME": temp.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    }

    static func stackArguments(_ temp: TempDirectory) -> [String] {
        [
            "--template", "\(ProjectPaths.root)/stack/proxy.template.json",
            "--catalog", "\(ProjectPaths.root)/stack/catalog/core.json", "--scope", "default",
            "--config-home", temp.file("home"), "--state-home", temp.file("state"),
            "--set", "STACK_PYTHON=/usr/bin/python3", "--quiet",
        ]
    }

    @Test func renderIsTheDefaultSubcommandAndIdempotent() throws {
        let temp = try TempDirectory(prefix: "rm-e2e")
        let first = try ToolRun.run("render-manifest", Self.stackArguments(temp), environment: Self.environment(temp))
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.json["ok"] == true)
        #expect(first.json["tools"] == Self.curated)
        #expect(first.json["changed"] == true)
        #expect(first.json["outputs"]?["manifest"] == .string(temp.file("state/manifest.json")))
        let manifest = try JSONValue.load(path: temp.file("state/manifest.json"))
        #expect(manifest["tools"]?.arrayValue?.compactMap { $0["name"] } == Self.curated.arrayValue)

        let second = try ToolRun.run(
            "render-manifest", ["render"] + Self.stackArguments(temp), environment: Self.environment(temp))
        #expect(second.status == 0)
        #expect(second.json["changed"] == false)
    }

    @Test func checkOnlyWritesNothing() throws {
        let temp = try TempDirectory(prefix: "rm-e2e")
        let run = try ToolRun.run(
            "render-manifest", Self.stackArguments(temp) + ["--check-only"], environment: Self.environment(temp))
        #expect(run.status == 0)
        #expect(run.json["check_only"] == true)
        #expect(run.json["changed"] == true)
        #expect(!FileManager.default.fileExists(atPath: temp.file("state")))
    }

    @Test func badCatalogIsExitTwoWithFileAndPath() throws {
        let temp = try TempDirectory(prefix: "rm-e2e")
        try temp.write(
            "catalog/core.json",
            """
            {"toolAggregations": {"aggregations": [{"name": "x", "description": "d", "inputSchema": {},
              "operations": [{"value": "a"}]}]}}
            """)
        let run = try ToolRun.run(
            "render-manifest",
            [
                "render", "--template", "\(ProjectPaths.root)/stack/proxy.template.json", "--catalog",
                "catalog/core.json",
                "--config-home", temp.file("home"), "--out-dir", temp.file("out"), "--set", "STACK_PYTHON=python3",
            ],
            cwd: temp.path, environment: Self.environment(temp))
        #expect(run.status == 2)
        #expect(run.errorCode == "missing_key")
        #expect(
            run.json["error"]?["message"]?.stringValue?.hasPrefix(
                "catalog/core.json: toolAggregations.aggregations[0].operations[0]") == true)
        #expect(run.json["json_path"] == "toolAggregations.aggregations[0].operations[0]")
    }

    @Test func missingVariableAndHardcodedPortAreExitTwo() throws {
        let temp = try TempDirectory(prefix: "rm-e2e")
        try temp.write("t.json", #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "x": "{{UNSET_THING}}"}"#)
        try temp.write("port.json", #"{"mcpProxy": {"addr": ":9090"}}"#)
        let base = ["--config-home", temp.file("home"), "--out-dir", temp.file("out")]
        let missing = try ToolRun.run(
            "render-manifest", ["--template", "t.json"] + base, cwd: temp.path,
            environment: Self.environment(temp))
        #expect(missing.status == 2)
        #expect(missing.errorCode == "missing_variable")
        #expect(missing.json["variable"] == "UNSET_THING")
        #expect(missing.json["error"]?["message"]?.stringValue?.hasPrefix("t.json:") == true)

        let port = try ToolRun.run(
            "render-manifest", ["--template", "port.json"] + base, cwd: temp.path,
            environment: Self.environment(temp))
        #expect(port.status == 2)
        #expect(port.errorCode == "hardcoded_port")
        try temp.write("one.json", #"{"toolOverrides": {"servers": {"s": {"tools": {"t": {}}}}}}"#)
        let allowed = try ToolRun.run(
            "render-manifest", ["--template", "port.json", "--allow-hardcoded-port", "--catalog", "one.json"] + base,
            cwd: temp.path, environment: Self.environment(temp))
        #expect(allowed.status == 0)
        #expect(allowed.json["warnings"]?.arrayValue?.isEmpty == false)
        #expect(allowed.json["hardcoded_ports"]?.arrayValue?.first?["json_path"] == "mcpProxy.addr")
        // Nothing enabled: a clear error, exit 1, nothing written.
        let empty = try ToolRun.run(
            "render-manifest", ["--template", "t.json", "--set", "UNSET_THING=x"] + base,
            cwd: temp.path, environment: Self.environment(temp))
        #expect(empty.status == 1)
        #expect(empty.errorCode == "empty_manifest")
    }

    @Test func driftFromStdinAndFile() throws {
        let temp = try TempDirectory(prefix: "rm-e2e")
        let render = try ToolRun.run("render-manifest", Self.stackArguments(temp), environment: Self.environment(temp))
        #expect(render.status == 0)
        let manifest = temp.file("state/manifest.json")

        let same =
            #"{"jsonrpc":"2.0","id":1,"result":{"tools":["#
            + (Self.curated.arrayValue ?? [])
            .map { #"{"name":"\#($0.stringValue!)"}"# }.joined(separator: ",") + "]}}"
        let clean = try ToolRun.run("render-manifest", ["drift", "--manifest", manifest, "--live", "-"], stdin: same)
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.json["missing"] == [])
        #expect(clean.json["extra"] == [])

        try temp.write("live.json", #"{"tools": [{"name": "grep"}, {"name": "read_file"}]}"#)
        let drifted = try ToolRun.run(
            "render-manifest", ["drift", "--manifest", manifest, "--live", temp.file("live.json")])
        #expect(drifted.status == 1)
        #expect(drifted.errorCode == "drift")
        #expect(drifted.json["extra"] == ["read_file"])
        #expect(
            drifted.json["missing"] == [
                "doc_fetch_suite", "manage_docy_sources", "manage_stelae", "workspace_fs_read", "workspace_fs_write",
            ])

        let garbage = try ToolRun.run(
            "render-manifest", ["drift", "--manifest", manifest, "--live", "-"],
            stdin: "event: message\ndata: {}\n")
        #expect(garbage.status == 2)
        #expect(garbage.errorCode == "invalid_json")
        #expect(garbage.json["error"]?["message"]?.stringValue?.hasPrefix("stdin:") == true)
    }
}
