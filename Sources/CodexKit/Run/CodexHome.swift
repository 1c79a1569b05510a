import Foundation
import SmokeCore
import TOMLKit

/// A fresh `CODEX_HOME` for one stage: an optional copy of a template home, then `config.toml`
/// edited as TOML (never string-patched) so the stage's MCP server points at the stack under test,
/// then read back and verified. The original silently kept a developer's own proxy on :9090.
public struct CodexHome: Sendable {
    public struct Settings: Sendable {
        public var mcpServerName: String
        public var mcpURL: String
        public var startupTimeoutSeconds: Int
        public var toolTimeoutSeconds: Int
        /// Scripted mode: the model server's base URL (`http://127.0.0.1:P/v1`); nil in real mode.
        public var scriptedBaseURL: String?
        public var streamIdleTimeoutMs: Int

        public init(
            mcpServerName: String, mcpURL: String, startupTimeoutSeconds: Int = 10, toolTimeoutSeconds: Int = 30,
            scriptedBaseURL: String? = nil, streamIdleTimeoutMs: Int = 20_000
        ) {
            self.mcpServerName = mcpServerName
            self.mcpURL = mcpURL
            self.startupTimeoutSeconds = startupTimeoutSeconds
            self.toolTimeoutSeconds = toolTimeoutSeconds
            self.scriptedBaseURL = scriptedBaseURL
            self.streamIdleTimeoutMs = streamIdleTimeoutMs
        }
    }

    public static let scriptedModel = "scripted"
    /// `supports_search_tool: false` keeps MCP tools directly in the request's `tools`.
    static let scriptedCatalog: JSONValue = [
        "models": [
            [
                "slug": "scripted", "display_name": "Scripted", "supported_reasoning_levels": [],
                "shell_type": "shell_command", "visibility": "list", "supported_in_api": true, "priority": 13,
                "support_verbosity": false, "truncation_policy": ["mode": "tokens", "limit": 10000],
                "experimental_supported_tools": [], "base_instructions": "You are a scripted smoke-test agent.",
                "supports_search_tool": false, "context_window": 272000,
            ]
        ]
    ]

    /// The home lives as long as its stage (and is removed after it): its files need no flush to disk.
    static let durable = false

    public let path: String
    public var configPath: String { "\(path)/config.toml" }

    /// Creates `path` afresh (removing what was there) and writes the verified config.
    public static func prepare(at path: String, template: String?, settings: Settings) throws(SmokeError) -> CodexHome {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            do { try manager.removeItem(atPath: path) } catch {
                throw SmokeError(
                    .codexHomeFailed, "\(path): cannot remove the previous CODEX_HOME: \(error.localizedDescription)")
            }
        }
        if let template {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: template, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw SmokeError(.codexHomeTemplateMissing, "\(template): --codex-home-template is not a directory")
            }
            try copyTemplate(from: template, to: path)
        } else {
            do {
                try manager.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SmokeError(.codexHomeFailed, "\(path): cannot create CODEX_HOME: \(error.localizedDescription)")
            }
        }
        let home = CodexHome(path: path)
        try home.writeConfig(settings)
        try home.verify(settings)
        return home
    }

    /// Copies the template, skipping session logs and caches, and keeps every copied file private:
    /// a Codex home holds credentials (auth.json, tokens in config.toml).
    static func copyTemplate(from template: String, to path: String) throws(SmokeError) {
        let manager = FileManager.default
        let skipped: Set<String> = ["sessions", "log", "logs", "history.jsonl", "tmp", ".tmp", "cache"]
        do {
            try manager.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for entry in try manager.contentsOfDirectory(atPath: template) where !skipped.contains(entry) {
                let target = "\(path)/\(entry)"
                try manager.copyItem(atPath: "\(template)/\(entry)", toPath: target)
                if let enumerator = manager.enumerator(atPath: target) {
                    while let relative = enumerator.nextObject() as? String {
                        let file = "\(target)/\(relative)"
                        var isDirectory: ObjCBool = false
                        if manager.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue {
                            chmod(file, 0o600)
                        }
                    }
                }
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue {
                    chmod(target, 0o600)
                }
            }
        } catch {
            throw SmokeError(
                .codexHomeFailed,
                "\(template) -> \(path): cannot copy the CODEX_HOME template: \(error.localizedDescription)")
        }
    }

    func loadConfig() throws(SmokeError) -> TOMLTable {
        guard FileManager.default.fileExists(atPath: configPath) else { return TOMLTable() }
        let text = String(decoding: try FileIO.read(path: configPath), as: UTF8.self)
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SmokeError(
                .invalidCodexConfig,
                "\(configPath): malformed TOML at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw SmokeError(.invalidCodexConfig, "\(configPath): malformed TOML: \(error)")
        }
    }

    func writeConfig(_ settings: Settings) throws(SmokeError) {
        let config = try loadConfig()
        if let baseURL = settings.scriptedBaseURL {
            let catalogPath = "\(path)/scripted-model-catalog.json"
            try FileIO.writeJSON(Self.scriptedCatalog, to: catalogPath, mode: 0o600, durable: Self.durable)
            config["model"] = Self.scriptedModel
            config["model_provider"] = Self.scriptedModel
            config["model_catalog_json"] = catalogPath
            let providers = config["model_providers"]?.table ?? TOMLTable()
            providers[Self.scriptedModel] = TOMLTable([
                "name": "Scripted", "base_url": baseURL, "wire_api": "responses",
                "stream_idle_timeout_ms": settings.streamIdleTimeoutMs, "stream_max_retries": 0,
                "request_max_retries": 0,
            ])
            config["model_providers"] = providers
        } else if let provider = config["model_provider"]?.string,
            let table = config["model_providers"]?.table?[provider]?.table
        {
            // Real mode: keep the user's provider, but never let it retry forever.
            if table["stream_max_retries"] == nil { table["stream_max_retries"] = 1 }
            if table["request_max_retries"] == nil { table["request_max_retries"] = 1 }
            let providers = config["model_providers"]!.table!
            providers[provider] = table
            config["model_providers"] = providers
        }
        // exec never asks; MCP approvals are set per server below.
        config["approval_policy"] = "never"
        let features = config["features"]?.table ?? TOMLTable()
        features["unbounded_connection_retries"] = false
        // Codex snapshots the user's login shell in a session of its own, which outlives a stage
        // that is stopped (a `pyenv rehash` in a profile waited out its 60 s lock timeout after
        // every stage here); the stage tests MCP tools, not the shell's environment.
        if features["shell_snapshot"] == nil { features["shell_snapshot"] = false }
        config["features"] = features

        let servers = config["mcp_servers"]?.table ?? TOMLTable()
        let server = servers[settings.mcpServerName]?.table ?? TOMLTable()
        // A stdio definition from the template would win over the URL: the stage tests the stack at --mcp-url.
        for key in ["command", "args", "env", "cwd", "env_vars"] { server.remove(at: key) }
        server["url"] = settings.mcpURL
        server["required"] = true
        server["enabled"] = true
        server["startup_timeout_sec"] = settings.startupTimeoutSeconds
        server["tool_timeout_sec"] = settings.toolTimeoutSeconds
        server["default_tools_approval_mode"] = "approve"
        servers[settings.mcpServerName] = server
        config["mcp_servers"] = servers

        try FileIO.writeAtomically(config.convert(to: .toml) + "\n", to: configPath, mode: 0o600, durable: Self.durable)
    }

    /// Reads the written config back; anything that would make Codex talk to another MCP server or
    /// model than the ones under test is `codex_config_mismatch`.
    public func verify(_ settings: Settings) throws(SmokeError) {
        let config = try loadConfig()
        let server = config["mcp_servers"]?.table?[settings.mcpServerName]?.table
        let url = server?["url"]?.string
        guard url == settings.mcpURL else {
            throw SmokeError(
                .codexConfigMismatch,
                "\(configPath): mcp_servers.\(settings.mcpServerName).url is \(url.map { "'\($0)'" } ?? "missing"), expected '\(settings.mcpURL)' (the stack under test)"
            )
        }
        guard server?["required"]?.bool == true else {
            throw SmokeError(
                .codexConfigMismatch, "\(configPath): mcp_servers.\(settings.mcpServerName).required is not true")
        }
        if let baseURL = settings.scriptedBaseURL {
            let provider = config["model_provider"]?.string
            let actual = config["model_providers"]?.table?[Self.scriptedModel]?.table?["base_url"]?.string
            guard provider == Self.scriptedModel, actual == baseURL else {
                throw SmokeError(
                    .codexConfigMismatch,
                    "\(configPath): model provider is \(provider ?? "unset") at \(actual ?? "no URL"), expected the scripted model at \(baseURL)"
                )
            }
        }
    }

    /// The MCP URL Codex will use, as written (for the JSON answer).
    public func configuredMCPURL(server: String) -> String? {
        (try? loadConfig())?["mcp_servers"]?.table?[server]?.table?["url"]?.string
    }
}
