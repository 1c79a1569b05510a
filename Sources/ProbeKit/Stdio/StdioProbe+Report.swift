import Foundation
import SmokeCore

/// The `--stdio -- CMD ARGS…` answer: one server, the keys of a per-server entry at the top
/// level, the HTTP probe's tool-wait keys (`tools`, `tools_missing`, `tools_out`) and codes.
extension StdioProbe {
    static let rpcErrorHint = "rpc_error carries the server's answer (its data lists the versions it serves)"

    public static func report(
        _ configuration: StdioProbeConfiguration, toolsOut: String? = nil, log: Log? = nil
    ) async -> ProbeReport {
        var configuration = configuration
        if toolsOut != nil { configuration.listTools = true }
        let result = await run(configuration, log: log)
        return report(result, configuration: configuration, toolsOut: toolsOut)
    }

    static func report(_ result: StdioProbeResult, configuration: StdioProbeConfiguration, toolsOut: String?)
        -> ProbeReport
    {
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
                error = SmokeError(.commandNotFound, message, hint: "check the command and PATH (or give a path)")
            case .spawnFailed:
                error = SmokeError(.spawnFailed, message, hint: "check --cwd and the command")
            case .exited:
                error = SmokeError(.exited, message, hint: "stderr_tail holds the server's last words")
            case .timeout:
                // A stdio server's silence is a failed check (exit 1), not the 124 of a timer.
                error = SmokeError(
                    .timeout, message,
                    hint: "the server started but did not answer on stdout in time; stderr_tail may say why",
                    exit: .checkFailed)
            case .invalidAnswer:
                error = SmokeError(
                    .invalidAnswer, message,
                    hint: "stdout must carry newline-delimited JSON-RPC only; skipped_sample shows what else it carried"
                )
            case .toolsMissing, .resourcesMissing, .promptsMissing:
                // The HTTP probe's codes: tools_not_ready, resources_not_ready, prompts_not_ready.
                let code: ErrorCode =
                    switch failure.code {
                    case .resourcesMissing: .resourcesNotReady
                    case .promptsMissing: .promptsNotReady
                    default: .toolsNotReady
                    }
                error = SmokeError(
                    code, message,
                    hint:
                        "the server answered but does not list what --require-tool / --min-tools / --require-resource / --require-prompt ask for"
                )
            case .unsupportedProtocolVersion:
                error = SmokeError(.unsupportedProtocolVersion, message, hint: Self.rpcErrorHint)
            case .headerMismatch:
                error = SmokeError(.headerMismatch, message, hint: Self.rpcErrorHint)
            case .modernUnsupported:
                error = SmokeError(
                    .modernUnsupported, message,
                    hint: "the server speaks the handshake era only: probe it with --era auto or --era legacy")
            case .callFailed:
                let code = result.call?.failure?.code ?? .invalidAnswer
                error = SmokeError(code.errorCode, message, hint: Probe.callHint(code))
            }
        }
        return ProbeReport(fields: fields, error: error, listedTools: result.tools.map { _ in result.toolNames })
    }
}
