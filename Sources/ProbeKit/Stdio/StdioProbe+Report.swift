import Foundation
import SmokeCore

/// The `--stdio -- CMD ARGS…` answer: one server, the keys of a per-server entry at the top
/// level, the HTTP probe's tool-wait keys (`tools`, `tools_missing`, `tools_out`) and codes.
extension StdioProbe {
    public static func report(
        _ configuration: StdioProbeConfiguration, toolsOut: String? = nil, log: Log? = nil
    ) async -> ProbeReport {
        var configuration = configuration
        if toolsOut != nil { configuration.listTools = true }
        let result = await run(configuration, log: log)
        return report(result, configuration: configuration, toolsOut: toolsOut)
    }

    static func report(_ result: StdioProbeResult, configuration: StdioProbeConfiguration, toolsOut: String?) -> ProbeReport {
        let command = configuration.command
        var fields = result.evidenceFields()
        fields["transport"] = "stdio"
        fields["command"] = .string(command.command)
        fields["args"] = .array(command.arguments.map(JSONValue.string))
        fields["capabilities"] = result.capabilities ?? .null
        fields["era_asked"] = .string(configuration.era.choice.rawValue)
        if configuration.waitsForCatalog { fields["tools"] = .array(result.toolNames.map(JSONValue.string)) }

        var error: SmokeError?
        if let tools = result.tools, let toolsOut {
            do {
                try FileIO.writeJSON(["tools": .array(tools)], to: toolsOut)
                fields["tools_out"] = .string(toolsOut)
            } catch let failure {
                error = failure
            }
        }
        if let failure = result.failure, error == nil {
            let spawning = failure.code == .commandNotFound || failure.code == .spawnFailed
            let message = spawning ? failure.message : "stdio server \(command.command): \(failure.message)"
            switch failure.code {
            case .commandNotFound:
                error = .environment(failure.code.rawValue, message, hint: "check the command and PATH (or give a path)")
            case .spawnFailed:
                error = .environment(failure.code.rawValue, message, hint: "check --cwd and the command")
            case .exited:
                error = .checkFailed(failure.code.rawValue, message, hint: "stderr_tail holds the server's last words")
            case .timeout:
                error = .checkFailed(
                    failure.code.rawValue, message,
                    hint: "the server started but did not answer on stdout in time; stderr_tail may say why")
            case .invalidAnswer:
                error = .checkFailed(
                    failure.code.rawValue, message,
                    hint: "stdout must carry newline-delimited JSON-RPC only; skipped_sample shows what else it carried")
            case .toolsMissing, .resourcesMissing, .promptsMissing:
                // The HTTP probe's codes: tools_not_ready, resources_not_ready, prompts_not_ready.
                let code = failure.code.rawValue.replacingOccurrences(of: "_missing", with: "_not_ready")
                error = .checkFailed(
                    code, message,
                    hint: "the server answered but does not list what --require-tool / --min-tools / --require-resource / --require-prompt ask for")
            case .unsupportedProtocolVersion, .headerMismatch, .modernUnsupported:
                error = .checkFailed(
                    failure.code.rawValue, message,
                    hint: failure.code == .modernUnsupported
                        ? "the server speaks the handshake era only: probe it with --era auto or --era legacy"
                        : "rpc_error carries the server's answer (its data lists the versions it serves)")
            case .callFailed:
                let code = result.call?.failure?.code ?? .invalidAnswer
                error = .checkFailed(code.rawValue, message, hint: Probe.callHint(code))
            }
        }
        return ProbeReport(fields: fields, error: error, listedTools: result.tools.map { _ in result.toolNames })
    }
}
