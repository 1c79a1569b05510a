import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// Reading a Stelae / TBXark proxy.json: transports, inference, strict types with the path named.
@Suite struct ProxyConfigTests {
    static func parse(_ text: String) throws(SmokeError) -> ProxyConfig {
        try ProxyConfig.parse(try JSONValue.parse(Data(text.utf8), source: "proxy.json"), source: "proxy.json")
    }

    static func failure(_ text: String) -> SmokeError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func transportsFromTypeOrFromTheKeys() throws {
        let config = try Self.parse(
            """
            {"mcpProxy": {"addr": ":9090", "type": "streamable-http", "options": {"panicIfInvalid": false}},
             "manifest": {"name": "x"},
             "mcpServers": {
               "zeta": {"type": "stdio", "command": "python3", "args": ["-m", "srv"], "env": {"A": "1"}, "cwd": "/tmp"},
               "alpha": {"command": "node", "options": {"toolFilter": {"mode": "allow"}}},
               "web": {"type": "streamable-http", "url": "http://127.0.0.1:9/mcp", "headers": {"X-Trace": "1"}},
               "legacy": {"type": "sse", "url": "http://127.0.0.1:9/sse"},
               "plain": {"url": "https://example.invalid/mcp"},
               "off": {"command": "x", "options": {"disabled": true}}
             }}
            """)
        #expect(config.servers.map(\.name) == ["alpha", "legacy", "off", "plain", "web", "zeta"])
        #expect(config.servers.map(\.transportName) == ["stdio", "http", "stdio", "http", "http", "stdio"])
        #expect(config.servers.map(\.disabled) == [false, false, true, false, false, false])
        guard case .stdio(let zeta) = config.servers[5].transport else {
            Issue.record("zeta is not stdio")
            return
        }
        #expect(
            zeta
                == StdioCommand(
                    command: "python3", arguments: ["-m", "srv"], environment: ["A": "1"], workingDirectory: "/tmp"))
        guard case .http(let url, let headers) = config.servers[4].transport else {
            Issue.record("web is not http")
            return
        }
        #expect(url.absoluteString == "http://127.0.0.1:9/mcp")
        #expect(headers == [HTTPHeaderPair(name: "X-Trace", value: "1")])
    }

    @Test(arguments: [
        (#"[]"#, "proxy.json: expected a JSON object"),
        (#"{"mcpProxy": {}}"#, "proxy.json: mcpServers: missing"),
        (#"{"mcpServers": []}"#, "proxy.json: mcpServers: expected an object of servers, found array"),
        (#"{"mcpServers": {"a": "python3"}}"#, "proxy.json: mcpServers.a: expected an object, found string"),
        (
            #"{"mcpServers": {"a": {"type": "websocket", "url": "ws://x"}}}"#,
            "proxy.json: mcpServers.a.type: unknown type \"websocket\""
        ),
        (#"{"mcpServers": {"a": {}}}"#, "proxy.json: mcpServers.a: has neither \"command\""),
        (#"{"mcpServers": {"a": {"command": "x", "url": "http://x/mcp"}}}"#, "proxy.json: mcpServers.a: has both"),
        (
            #"{"mcpServers": {"a": {"type": "stdio", "url": "http://x/mcp"}}}"#,
            "proxy.json: mcpServers.a.command: a stdio server needs"
        ),
        (
            #"{"mcpServers": {"a": {"command": "x", "args": "-v"}}}"#,
            "proxy.json: mcpServers.a.args: expected an array of strings, found string"
        ),
        (
            #"{"mcpServers": {"a": {"command": "x", "args": ["-p", 8080]}}}"#,
            "proxy.json: mcpServers.a.args[1]: expected a string, found number"
        ),
        (
            #"{"mcpServers": {"a": {"command": "x", "env": {"PORT": 1}}}}"#,
            "proxy.json: mcpServers.a.env.PORT: expected a string, found number"
        ),
        (
            #"{"mcpServers": {"a": {"command": 7}}}"#,
            "proxy.json: mcpServers.a.command: expected a string, found number"
        ),
        (
            #"{"mcpServers": {"a": {"type": "http", "url": "ftp://x/y"}}}"#,
            "proxy.json: mcpServers.a.url: ftp://x/y: not an http(s) URL"
        ),
        (
            #"{"mcpServers": {"a": {"url": "http://x/mcp", "headers": {"X": ["v"]}}}}"#,
            "proxy.json: mcpServers.a.headers.X: expected a string"
        ),
        (
            #"{"mcpServers": {"a": {"command": "x", "options": {"disabled": "yes"}}}}"#,
            "proxy.json: mcpServers.a.options.disabled: expected true or false"
        ),
    ])
    func malformedEntriesNameTheFileAndPath(text: String, message: String) {
        let error = Self.failure(text)
        #expect(error?.code == .invalidProxyConfig)
        #expect(error?.exit == .invalidInput)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
        #expect(error?.fields["file"] == "proxy.json")
    }

    @Test func missingAndMalformedFilesAreInputErrors() throws {
        let temp = try TempDirectory()
        do {
            _ = try ProxyConfig.load(path: temp.file("absent.json"))
            Issue.record("no error for a missing file")
        } catch {
            #expect(error.code == .fileNotFound)
            #expect(error.exit == .invalidInput)
        }
        let broken = try temp.write("broken.json", #"{"mcpServers": {"a": {"command": "x",}}}"#)
        do {
            _ = try ProxyConfig.load(path: broken)
            Issue.record("no error for malformed JSON")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.message.hasPrefix(broken))
        }
    }

    @Test func secretEnvValuesAreRegisteredWithTheRedactor() throws {
        let secret = "cfg-\(UUID().uuidString)"
        let plain = "visible-\(UUID().uuidString)"
        _ = try Self.parse(
            #"{"mcpServers": {"a": {"command": "x", "env": {"SERVICE_API_KEY": "\#(secret)", "MODE": "\#(plain)"}}}}"#)
        #expect(Redactor.shared.redact("key \(secret) mode \(plain)") == "key \(Redactor.placeholder) mode \(plain)")
    }

    @Test func toolRequirementsQualifiedOrBare() throws {
        #expect(try ToolRequirement.parse("fs::read_file") == ToolRequirement(server: "fs", tool: "read_file"))
        #expect(try ToolRequirement.parse("grep") == ToolRequirement(server: nil, tool: "grep"))
        #expect(try ToolRequirement.parse("a::b::c") == ToolRequirement(server: "a", tool: "b::c"))
        for bad in ["", "::x", "x::"] {
            #expect(throws: SmokeError.self) { try ToolRequirement.parse(bad) }
        }
    }

    @Test func selectionAndRequirementsMustNameKnownServers() throws {
        let config = try Self.parse(
            #"{"mcpServers": {"a": {"command": "x"}, "b": {"url": "http://x/mcp"}, "off": {"command": "y", "disabled": true}}}"#
        )
        let all = try ProxyProbeConfiguration(config: config)
        #expect(all.servers.map(\.name) == ["a", "b"])
        #expect(all.skipped == ["off"])
        // A disabled server named explicitly is checked.
        #expect(try ProxyProbeConfiguration(config: config, selecting: ["off"]).servers.map(\.name) == ["off"])

        let unknown = #expect(throws: SmokeError.self) { try ProxyProbeConfiguration(config: config, selecting: ["c"]) }
        #expect(unknown?.code == .unknownServer)
        #expect(unknown?.message.contains("--server c") == true)
        #expect(unknown?.exit == .invalidInput)
        let unchecked = #expect(throws: SmokeError.self) {
            try ProxyProbeConfiguration(
                config: config, selecting: ["a"], requirements: [ToolRequirement(server: "b", tool: "t")])
        }
        #expect(unchecked?.code == .unknownServer)
        let empty = try Self.parse(#"{"mcpServers": {}}"#)
        let none = #expect(throws: SmokeError.self) { try ProxyProbeConfiguration(config: empty) }
        #expect(none?.code == .noServers)
    }
}
