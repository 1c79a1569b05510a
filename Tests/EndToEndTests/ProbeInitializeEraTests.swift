import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// probe-initialize's eras, catalog lists and tool calls as users run them: the built binary
/// against the pinned FastMCP (both eras on one endpoint, over HTTP and stdio) and the one-era
/// servers of Tests/Fixtures/ProbeKit/era_server.py; flags that do not fit are exit 2.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ProbeInitializeEraTests {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/ProbeKit"

    static var cleanEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PROBE_URL"] = nil
        env["PROXY_PORT"] = nil
        return env
    }

    private func probe(_ arguments: [String]) throws -> ToolRun {
        try ToolRun.run("probe-initialize", ["--quiet"] + arguments, environment: Self.cleanEnvironment)
    }

    private func withServer<T>(_ script: String, _ arguments: [String], _ body: (String) throws -> T) throws -> T {
        let server = try BackgroundProcess.python("\(Self.fixtures)/\(script)", arguments)
        defer { server.stop() }
        let port = try server.waitForReadyPort(timeout: 60)
        return try body("http://127.0.0.1:\(port)/mcp")
    }

    @Test func eachEraOfTheSameFastMCPGivesTheSameTools() throws {
        try withServer("fastmcp_server.py", ["--tools", "4", "--page-size", "3"]) { url in
            var lists: [JSONValue] = []
            for (era, spoken) in [("auto", "modern"), ("modern", "modern"), ("legacy", "legacy")] {
                let run = try probe(["--url", url, "--era", era, "--min-tools", "4", "--deadline", "20"])
                #expect(run.status == 0, "\(era): \(run.stdout)")
                #expect(run.json["era"] == .string(spoken))
                #expect(run.json["era_asked"] == .string(era))
                #expect(run.json["protocol_version"] == (spoken == "modern" ? "2026-07-28" : "2025-06-18"))
                #expect(run.json["supported_versions"]?.arrayValue?.count == 1)
                lists.append(run.json["tools"] ?? .null)
            }
            #expect(lists.allSatisfy { $0 == lists[0] } && lists[0].arrayValue?.count == 4)
        }
    }

    @Test func theWrongEraExitsOneWithItsCode() throws {
        try withServer("era_server.py", ["--era", "legacy"]) { url in
            let run = try probe(["--url", url, "--era", "modern"])
            #expect(run.status == 1)
            #expect(run.errorCode == "modern_unsupported")
            let auto = try probe(["--url", url])
            #expect(auto.status == 0)
            #expect(auto.json["era"] == "legacy")
            #expect(auto.json["era_fallback"] != nil)
        }
        try withServer("era_server.py", ["--era", "modern", "--supported", "2099-01-01"]) { url in
            let run = try probe(["--url", url])
            #expect(run.status == 1)
            #expect(run.errorCode == "unsupported_protocol_version")
            #expect(run.json["rpc_error"]?["data"]?["supported"] == ["2099-01-01"])
        }
    }

    @Test func callVerdictsAreExitCodes() throws {
        try withServer("era_server.py", ["--era", "modern", "--resources", "1"]) { url in
            let temp = try TempDirectory()
            let arguments = try temp.write("args.json", #"{"text": "from a file"}"#)
            let ok = try probe([
                "--url", url, "--call", "tool_00", "--args", "@\(arguments)", "--require-resource", "r0",
            ])
            #expect(ok.status == 0, "\(ok.stdout)")
            #expect(ok.json["call"]?["text"] == "tool_00:from a file")
            #expect(ok.json["resources_count"] == 1)
            for (tool, code) in [("fail", "tool_error"), ("bad_shape", "output_schema_mismatch")] {
                let run = try probe(["--url", url, "--call", tool])
                #expect(run.status == 1)
                #expect(run.errorCode == code)
            }
            let rejected = try probe(["--url", url, "--call", "strict", "--args", #"{"count": "x"}"#])
            #expect(rejected.errorCode == "call_rejected")
            let expected = try probe(["--url", url, "--call", "fail", "--expect-error"])
            #expect(expected.status == 0)
        }
    }

    @Test func stdioSpeaksBothErasWithACall() throws {
        for (era, spoken) in [("auto", "modern"), ("legacy", "legacy")] {
            let run = try probe([
                "--stdio", "--era", era, "--call", "tool_01", "--args", #"{"text": "s"}"#, "--deadline", "30", "--",
                ProjectPaths.python, "\(Self.fixtures)/fastmcp_server.py", "--stdio", "--tools", "2",
            ])
            #expect(run.status == 0, "\(run.stdout)")
            #expect(run.json["era"] == .string(spoken))
            #expect(run.json["call"]?["output_schema"] == "valid")
            #expect(run.json["transport"] == "stdio")
        }
    }

    @Test func perServerEntriesSayTheirEra() throws {
        try withServer("era_server.py", ["--era", "modern"]) { url in
            let temp = try TempDirectory()
            let config = temp.file("proxy.json")
            try FileIO.writeJSON(
                [
                    "mcpServers": [
                        "modern": ["url": .string(url)],
                        "legacy": [
                            "command": .string(ProjectPaths.python),
                            "args": [.string("\(Self.fixtures)/era_server.py"), "--stdio", "--era", "legacy"],
                        ],
                    ]
                ], to: config)
            let run = try probe(["--proxy-config", config, "--require-tool", "modern::strict", "--deadline", "30"])
            #expect(run.status == 0, "\(run.stdout)")
            let servers = run.json["servers"]?.arrayValue ?? []
            #expect(servers.map { $0["era"] } == ["legacy", "modern"])
            #expect(servers.last?["supported_versions"] == ["2026-07-28"])

            let legacy = try probe([
                "--proxy-config", config, "--server", "modern", "--era", "legacy", "--deadline", "5",
            ])
            #expect(legacy.status == 1)
            #expect(legacy.json["servers"]?.arrayValue?.first?["error"]?["code"] == "unsupported_protocol_version")
        }
    }

    @Test(arguments: [
        (["--url", "http://127.0.0.1:1/mcp", "--era", "future"], "usage"),
        (["--url", "http://127.0.0.1:1/mcp", "--args", "{}"], "invalid_argument"),
        (["--url", "http://127.0.0.1:1/mcp", "--expect-error"], "invalid_argument"),
        (["--url", "http://127.0.0.1:1/mcp", "--call", "t", "--args", "[1]"], "invalid_argument"),
        (["--url", "http://127.0.0.1:1/mcp", "--call", "t", "--args", "{"], "invalid_json"),
        (["--url", "http://127.0.0.1:1/mcp", "--call", "t", "--args", "@/nonexistent/args.json"], "file_not_found"),
        (["--proxy-config", "/nonexistent/proxy.json", "--call", "t"], "invalid_argument"),
        (["--proxy-config", "/nonexistent/proxy.json", "--require-resource", "r"], "invalid_argument"),
    ])
    func flagsThatDoNotFitAreExit2(arguments: [String], code: String) throws {
        let run = try probe(arguments)
        #expect(run.status == 2, "\(run.stdout)")
        #expect(run.errorCode == code)
    }
}
