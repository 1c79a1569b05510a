import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport

/// A checkout laid out like current Stelae, written by the test (none of Stelae's code): the
/// catalog defaults in Python, the visibility flags beside them, a template whose servers are
/// Python scripts with their own env, `.env.example` naming every config- and state-home path,
/// and a config home with catalogs and installed bundles.
final class StelaeCheckoutFixture: @unchecked Sendable {
    let directory: TempDirectory
    var options = RenderOptions()

    var checkout: String { directory.file("stelae") }
    var configHome: String { directory.file("home/.config/stelae") }
    var stateHome: String { "\(configHome)/.state" }

    static let template = """
        {
          "mcpProxy": {"baseURL": "{{PUBLIC_BASE_URL}}", "addr": ":{{PROXY_PORT}}", "name": "stelae", "type": "streamable-http"},
          "manifest": {"toolOverridesPath": "{{TOOL_OVERRIDES_PATH}}", "toolSchemaStatusPath": "{{TOOL_SCHEMA_STATUS_PATH}}"},
          "mcpServers": {
            "integrator": {"type": "stdio", "command": "{{PYTHON}}", "args": ["{{STELAE_DIR}}/scripts/integrator.py"],
                           "env": {"STELAE_DISCOVERY_PATH": "{{STELAE_DISCOVERY_PATH}}"}},
            "tool_aggregator": {"type": "stdio", "command": "{{PYTHON}}", "args": ["{{STELAE_DIR}}/scripts/aggregator.py"],
                                "env": {"STELAE_TOOL_AGGREGATIONS": "{{STELAE_TOOL_AGGREGATIONS}}"}},
            "remote": {"type": "http", "url": "https://catalog.example/mcp/"}
          }
        }
        """

    static let envExample = """
        STELAE_DIR=/home/you/dev/stelae
        STELAE_CONFIG_HOME=${HOME}/.config/stelae
        STELAE_STATE_HOME=${STELAE_CONFIG_HOME}/.state
        STELAE_TOOL_AGGREGATIONS=${STELAE_CONFIG_HOME}/tool_aggregations.json
        STELAE_CUSTOM_TOOLS_CONFIG=${STELAE_CONFIG_HOME}/custom_tools.json
        STELAE_DISCOVERY_PATH=${STELAE_STATE_HOME}/discovered_servers.json
        TOOL_OVERRIDES_PATH=${STELAE_STATE_HOME}/tool_overrides.json
        TOOL_SCHEMA_STATUS_PATH=${STELAE_STATE_HOME}/tool_schema_status.json
        INTENDED_CATALOG_PATH=${STELAE_STATE_HOME}/intended_catalog.json
        PYTHON=${HOME}/.venvs/bridge/bin/python
        PROXY_PORT=9090

        """

    /// Defaults in Python, shaped like Stelae's: one visible integrator tool, a tool without an
    /// `enabled` key, a hidden list, no aggregates, and the proxy URL pinned to :9090.
    static let defaultsModule = #"""
        from __future__ import annotations

        from typing import Any, Dict, List

        DEFAULT_CUSTOM_TOOLS: Dict[str, Any] = {
            "tools": [],
        }

        DEFAULT_TOOL_OVERRIDES: Dict[str, Any] = {
            "schemaVersion": 2,
            "master": {"tools": {"*": {"annotations": {}}}},
            "servers": {
                "integrator": {
                    "enabled": True,
                    "tools": {
                        "manage_stelae": {
                            "enabled": True,
                            "inputSchema": {"type": "object", "properties": {"operation": {"type": "string"}},
                                            "required": ["operation"]},
                        },
                    },
                },
                "remote": {
                    "enabled": True,
                    "metadata": {"description": "Remote catalog."},
                    "tools": {
                        "list_servers": {"description": "List servers."},
                        "retired": {"enabled": False},
                    },
                },
                "legacy": {"enabled": True, "tools": {"old": {"enabled": True}}},
            },
        }

        DEFAULT_DISCOVERED_SERVERS: List[Dict[str, Any]] = [
            {"name": "qdrant", "transport": "stdio", "command": "uvx", "args": ["mcp-server-qdrant"], "tools": []},
        ]

        DEFAULT_TOOL_AGGREGATIONS: Dict[str, Any] = {
            "schemaVersion": 1,
            "defaults": {"selectorField": "operation", "serverName": "tool_aggregator"},
            "hiddenTools": [
                {"server": "legacy", "tool": "old", "reason": "Use manage_stelae instead"},
            ],
            "aggregations": [],
            "proxyURL": "http://127.0.0.1:9090",
        }

        DEFAULT_CATALOG_FRAGMENT: Dict[str, Any] = {
            "tool_overrides": DEFAULT_TOOL_OVERRIDES,
            "tool_aggregations": DEFAULT_TOOL_AGGREGATIONS,
            "hide_tools": [],
        }
        """#

    static let overlaysModule = """
        import os
        import re

        VAR_PATTERN = re.compile(r"\\$\\{([A-Z0-9_]+)\\}")
        SERVER_FLAG_VARS = {
            "remote": "STELAE_REMOTE_VISIBLE",
            "legacy": "STELAE_LEGACY_VISIBLE",
        }


        def server_enabled(name: str) -> bool:
            return os.environ.get(SERVER_FLAG_VARS.get(name, ""), "1") != "0"
        """

    /// A bundle as Stelae installs it: servers listed by name, an aggregate over them.
    static let bundleCatalog = """
        {"name": "pack", "servers": [{"name": "fs", "transport": "stdio", "command": "fs-server"}],
         "toolAggregations": {"aggregations": [{"name": "workspace_fs_read", "description": "Read the workspace.",
           "inputSchema": {"type": "object", "properties": {"operation": {"type": "string", "enum": ["read_file"]}},
                           "required": ["operation"]},
           "outputSchema": {"type": ["object", "null"]},
           "operations": [{"value": "read_file", "downstreamServer": "fs", "downstreamTool": "read_file"}],
           "hideTools": [{"server": "fs", "tool": "write_file"}]}]}}
        """

    init(port: Int = 18_555) throws {
        directory = try TempDirectory(prefix: "stelae-checkout")
        try directory.write("stelae/config/proxy.template.json", Self.template)
        try directory.write("stelae/.env.example", Self.envExample)
        try directory.write("stelae/stelae_lib/catalog_defaults.py", Self.defaultsModule)
        try directory.write("stelae/stelae_lib/config_overlays.py", Self.overlaysModule)
        try FileManager.default.createDirectory(atPath: configHome, withIntermediateDirectories: true)
        options.workingDirectory = checkout
        options.template = "config/proxy.template.json"
        options.processEnvironment = ["HOME": directory.file("home"), "STELAE_CONFIG_HOME": configHome]
        options.assignments = ["PROXY_PORT=\(port)", "STELAE_DIR=\(checkout)"]
    }

    @discardableResult
    func write(_relative relative: String, _ contents: String) throws -> String {
        try directory.write(relative, contents)
    }

    /// A file in the config home.
    @discardableResult
    func home(_ relative: String, _ contents: String) throws -> String {
        try directory.write("home/.config/stelae/\(relative)", contents)
    }

    func render() throws -> RenderPlan {
        let plan = try Renderer.plan(options)
        _ = try plan.write()
        return plan
    }

    func renderError() -> SmokeError? {
        do {
            _ = try render()
            return nil
        } catch {
            return error as? SmokeError ?? SmokeError(.unexpectedError, "\(error)")
        }
    }

    func state(_ name: String) throws -> JSONValue { try JSONValue.load(path: "\(stateHome)/\(name)") }
}
