import ArgumentParser
import Foundation
import ManifestKit
import SmokeCLI
import SmokeCore

struct LintCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract:
            "Predict from a live tools/list which tools the pinned Codex drops or renames, and why (exit 1 when any is dropped or a schema is one other clients refuse)."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "A tools/list result or JSON-RPC response (e.g. from probe-initialize --tools-out); - reads stdin.")
    var live: String
    @Option(help: "The MCP server's config key in Codex (mcp_servers.NAME), which names the tools' namespace.")
    var serverName: String = CodexToolsLint.defaultServerName

    func execute() async throws -> ToolOutcome {
        let source = live == "-" ? "stdin" : live
        let value: JSONValue
        if live == "-" {
            value = try ManifestJSON.parse(FileHandle.standardInput.readDataToEndOfFile(), source: source)
        } else {
            value = try ManifestJSON.load(path: live)
        }
        let report = try CodexToolsLint.lint(value, source: source, serverName: serverName)
        if let error = report.error { return .failure(error, report.summary) }
        return .success(report.summary)
    }
}
