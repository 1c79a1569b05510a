import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct CodexHomeTests {
    @Test func templateStdioDefinitionAndForeignURLAreReplacedAndVerified() throws {
        let temp = try TempDirectory(prefix: "codex-home")
        try temp.write(
            "template/config.toml",
            """
            model = "gpt-5"
            [mcp_servers.stelae]
            command = "python"
            args = ["server.py"]
            url = "http://127.0.0.1:9090/mcp"
            [mcp_servers.other]
            url = "http://127.0.0.1:7000/mcp"
            """)
        try temp.write("template/auth.json", #"{"OPENAI_API_KEY":"sk-test-123456"}"#)
        try temp.write("template/sessions/old.jsonl", "{}")
        let settings = CodexHome.Settings(
            mcpServerName: "stelae", mcpURL: "http://127.0.0.1:43210/mcp", toolTimeoutSeconds: 7,
            scriptedBaseURL: "http://127.0.0.1:5555/v1")
        let home = try CodexHome.prepare(at: temp.file("home"), template: temp.file("template"), settings: settings)
        let text = String(decoding: FileManager.default.contents(atPath: home.configPath)!, as: UTF8.self)
        #expect(text.contains("43210"))
        #expect(!text.contains("9090"))
        #expect(!text.contains("server.py"))
        #expect(text.contains("7000"), "other servers are kept")
        #expect(home.configuredMCPURL(server: "stelae") == "http://127.0.0.1:43210/mcp")
        #expect(!FileManager.default.fileExists(atPath: temp.file("home/sessions")))
        for file in ["config.toml", "auth.json", "scripted-model-catalog.json"] {
            let mode =
                (try FileManager.default.attributesOfItem(atPath: temp.file("home/\(file)"))[.posixPermissions]
                as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(file)")
        }
        // The config Codex will read: every key the offline doc requires.
        for fragment in [
            "required = true", "tool_timeout_sec = 7", "default_tools_approval_mode = 'approve'",
            "unbounded_connection_retries = false",
            "stream_max_retries = 0", "request_max_retries = 0", "model_provider = 'scripted'",
            "http://127.0.0.1:5555/v1",
        ] {
            #expect(text.contains(fragment), "\(fragment)")
        }
    }

    @Test func aConfigPointingElsewhereIsAMismatch() throws {
        let temp = try TempDirectory(prefix: "codex-home")
        let settings = CodexHome.Settings(mcpServerName: "stelae", mcpURL: "http://127.0.0.1:43210/mcp")
        let home = try CodexHome.prepare(at: temp.file("home"), template: nil, settings: settings)
        // Someone (or a bug) rewrites the URL back to a developer's own proxy.
        try "[mcp_servers.stelae]\nurl = \"http://127.0.0.1:9090/mcp\"\nrequired = true\n".write(
            toFile: home.configPath, atomically: true, encoding: .utf8)
        #expect {
            try home.verify(settings)
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code == .codexConfigMismatch && error.message.contains("9090")
                && error.message.contains("43210")
        }
    }

    @Test func realModeKeepsTheUsersProviderButBoundsItsRetries() throws {
        let temp = try TempDirectory(prefix: "codex-home")
        try temp.write(
            "template/config.toml",
            """
            model = "gpt-5"
            model_provider = "corp"
            [model_providers.corp]
            base_url = "https://llm.example.com/v1"
            env_key = "CORP_API_KEY"
            request_max_retries = 2
            """)
        let home = try CodexHome.prepare(
            at: temp.file("home"), template: temp.file("template"),
            settings: .init(mcpServerName: "stelae", mcpURL: "http://127.0.0.1:43210/mcp"))
        let text = String(decoding: FileManager.default.contents(atPath: home.configPath)!, as: UTF8.self)
        #expect(text.contains("model_provider = 'corp'"))
        #expect(text.contains("https://llm.example.com/v1"))
        #expect(text.contains("request_max_retries = 2"), "the user's own limit is kept")
        #expect(text.contains("stream_max_retries = 1"))
        #expect(!text.contains("scripted"))
        #expect(home.configuredMCPURL(server: "stelae") == "http://127.0.0.1:43210/mcp")
    }

    @Test func malformedTemplateConfigIsInvalidInput() throws {
        let temp = try TempDirectory(prefix: "codex-home")
        try temp.write("template/config.toml", "this is = = not toml")
        #expect {
            try CodexHome.prepare(
                at: temp.file("home"), template: temp.file("template"),
                settings: .init(mcpServerName: "s", mcpURL: "http://127.0.0.1:1/mcp"))
        } throws: { error in
            (error as? SmokeError)?.code == .invalidCodexConfig
        }
    }
}
