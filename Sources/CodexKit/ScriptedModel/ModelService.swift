import Foundation
import SmokeCore
import Synchronization

/// `codex-stage serve-model`: the scripted model as a standalone service, for running bare
/// `codex exec` against the same script (the benchmark's baseline) or by hand. Optionally
/// writes a verified CODEX_HOME that points Codex at it and at the MCP stack.
public enum ModelService {
    public struct Options: Sendable {
        public var stagesPath: String
        public var name: String
        public var scriptPath: String?
        public var mcpServerName = "stelae"
        public var mcpURL: String?
        public var codexHome: String?
        public var readyFile: String?
        public var maxSeconds: Double = 3600
        public var toolTimeout = 30

        public init(stagesPath: String, name: String) {
            self.stagesPath = stagesPath
            self.name = name
        }
    }

    private static let stop = Atomic<Bool>(false)

    public static func serve(_ options: Options, log: Log) async throws(SmokeError) -> [String: JSONValue] {
        let stage = try StageFile.stage(named: options.name, path: options.stagesPath)
        guard options.maxSeconds >= 0, options.maxSeconds <= CodexStage.maximumSeconds else {
            throw SmokeError(.invalidTimeout, "--max-seconds must be 0 to \(Int(CodexStage.maximumSeconds)) seconds")
        }
        let script =
            try options.scriptPath.map { path throws(SmokeError) in
                try ModelScript.load(path: path, defaultServer: options.mcpServerName)
            }
            ?? ModelScript.calling(stage, defaultServer: options.mcpServerName)
        let server = try await ScriptedModelServer.start(script: script)
        var fields: [String: JSONValue] = ["stage": .string(stage.name), "model_url": .string(server.baseURL)]
        if let home = options.codexHome {
            if let mcpURL = options.mcpURL { URLCredentials.register(in: mcpURL) }
            guard let mcpURL = options.mcpURL else {
                await server.shutdown()
                throw SmokeError(.usage, "--codex-home needs --mcp-url")
            }
            do {
                _ = try CodexHome.prepare(
                    at: CodexStage.absolute(home), template: nil,
                    settings: .init(
                        mcpServerName: options.mcpServerName, mcpURL: mcpURL, toolTimeoutSeconds: options.toolTimeout,
                        scriptedBaseURL: server.baseURL))
            } catch {
                await server.shutdown()
                throw error
            }
            fields["codex_home"] = .string(CodexStage.absolute(home))
        }
        signal(SIGTERM) { _ in ModelService.stop.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in ModelService.stop.store(true, ordering: .relaxed) }
        if let readyFile = options.readyFile {
            try FileIO.writeAtomically("READY \(server.port)\n", to: readyFile)
        }
        log.info("READY \(server.port)")
        let deadline = ContinuousClock.now + .seconds(options.maxSeconds)
        while !stop.load(ordering: .relaxed), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await server.shutdown()
        fields["model_requests"] = .int(Int64(server.requestCount))
        fields["offered_tools"] = server.offeredTools.map { .array($0.allTools.map(JSONValue.string)) } ?? .null
        return fields
    }
}
