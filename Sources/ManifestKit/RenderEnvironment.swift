import Foundation
import SmokeCore

/// The env layers of a render resolved, with the homes, port and output paths they decide.
struct RenderEnvironment {
    var configHome: String
    var stateHome: String
    var port: Int
    var outputs: RenderOutputs
    var values: [String: String]

    static let defaultPort = 9090

    static func resolve(
        _ options: RenderOptions, paths: RenderPaths, configHome: String, templateDirectory: String
    ) throws(SmokeError) -> RenderEnvironment {
        let process = options.processEnvironment
        let fallbackPath = try paths.optionalFile(
            flag: options.fallbackEnv,
            defaults: ["\(templateDirectory)/.env.example", "\(templateDirectory)/../.env.example"])
        let envFilePath = try paths.optionalFile(
            flag: options.envFile ?? process["STELAE_ENV_FILE"].flatMap { $0.isEmpty ? nil : $0 },
            defaults: ["\(configHome)/.env"])
        let overlayEnvPath = try paths.optionalFile(flag: options.overlayEnv, defaults: ["\(configHome)/.env.local"])
        var layers = [EnvLayer(source: "process environment", dictionary: process, expands: false)]
        for path in [fallbackPath, envFilePath, overlayEnvPath].compactMap({ $0 }) {
            layers.append(EnvLayer(source: path, values: try EnvFile.load(path: path)))
        }
        layers.append(EnvLayer(source: "--set", values: try parseAssignments(options.assignments)))

        // Pass 1 finds the state home, the port and the output paths. Provisional built-ins let a
        // layer refer to ${STATE_HOME} or ${PROXY_PORT} already; only values a layer set are read back.
        // The config home decided from flag and process env is what ${STELAE_CONFIG_HOME} means in
        // every layer: Stelae's .env.example sets it to ${HOME}/.config/stelae, which would send a
        // render of another config home's paths into the user's real one.
        let early: [String: String] = [
            "CONFIG_HOME": configHome, "STELAE_CONFIG_HOME": configHome, "TEMPLATE_DIR": templateDirectory,
        ]
        var provisional = early.merging(pathVariables(RenderOutputs(directory: "\(configHome)/.state"))) { a, _ in a }
        provisional["STATE_HOME"] = "\(configHome)/.state"
        provisional["PROXY_PORT"] = String(defaultPort)
        provisional["PUBLIC_BASE_URL"] = "http://127.0.0.1:\(defaultPort)"
        let first = try ResolvedEnvironment.resolve(
            [EnvLayer(source: "built-in", dictionary: provisional, expands: false)] + layers
                + [EnvLayer(source: "built-in", dictionary: ["STELAE_CONFIG_HOME": configHome], expands: false)])
        // Secrets from env files and --set join the redactor before any message can quote a value
        // (an invalid PROXY_PORT=${API_TOKEN} is reported with its value). Same rule as Renderer.
        for (name, value) in first.values where Redactor.isSecretName(name) && value.count >= 8 {
            Redactor.shared.add(value)
        }
        func layerValue(_ name: String) -> String? {
            guard let value = first[name], !value.isEmpty, first.origin[name] != "built-in" else { return nil }
            return value
        }

        let stateHome = paths.absolute(
            options.stateHome ?? layerValue("STELAE_STATE_HOME") ?? layerValue("STATE_HOME") ?? "\(configHome)/.state")
        let portName = layerValue("PROXY_PORT") != nil ? "PROXY_PORT" : "PUBLIC_PORT"
        let portText = layerValue("PROXY_PORT") ?? layerValue("PUBLIC_PORT") ?? String(defaultPort)
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw SmokeError(
                .invalidPort,
                "\(portName)=\(portText) (from \(first.origin[portName] ?? "env")) is not a port number 1-65535",
                fields: ["variable": .string(portName)])
        }

        // --out-dir, else an explicit --state-home, else the layers' own paths, else the state home.
        let outputs: RenderOutputs
        if let outDir = options.outDir {
            outputs = RenderOutputs(directory: paths.absolute(outDir))
        } else if options.stateHome != nil {
            outputs = RenderOutputs(directory: stateHome)
        } else {
            let fallback = RenderOutputs(directory: stateHome)
            outputs = RenderOutputs(
                proxy: layerValue("PROXY_CONFIG").map(paths.absolute) ?? fallback.proxy,
                overrides: layerValue("TOOL_OVERRIDES_PATH").map(paths.absolute) ?? fallback.overrides,
                manifest: layerValue("MANIFEST_PATH").map(paths.absolute) ?? fallback.manifest,
                intended: layerValue("INTENDED_CATALOG_PATH").map(paths.absolute) ?? fallback.intended)
        }

        // Pass 2. Below the layers: built-ins provided unless set. Above them: values that must
        // name what this render really uses — the port, the state home and the absolute paths
        // written (a layer's relative TOOL_OVERRIDES_PATH chose the file; the proxy must name it
        // absolutely).
        var provided = early
        provided["PUBLIC_BASE_URL"] = "http://127.0.0.1:\(port)"
        var forced = pathVariables(outputs)
        forced["PROXY_PORT"] = String(port)
        forced["STATE_HOME"] = stateHome
        forced["STELAE_STATE_HOME"] = stateHome
        forced["STELAE_CONFIG_HOME"] = configHome
        let resolved = try ResolvedEnvironment.resolve(
            [EnvLayer(source: "built-in", dictionary: provided.merging(forced) { a, _ in a }, expands: false)] + layers
                + [EnvLayer(source: "built-in", dictionary: forced, expands: false)])
        return RenderEnvironment(
            configHome: configHome, stateHome: stateHome, port: port, outputs: outputs, values: resolved.values)
    }

    static func pathVariables(_ outputs: RenderOutputs) -> [String: String] {
        [
            "PROXY_CONFIG": outputs.proxy, "TOOL_OVERRIDES_PATH": outputs.overrides,
            "MANIFEST_PATH": outputs.manifest, "INTENDED_CATALOG_PATH": outputs.intended,
        ]
    }

    /// `--set KEY=VALUE` entries; a missing `=` or an empty key is a usage error.
    static func parseAssignments(_ assignments: [String]) throws(SmokeError) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw SmokeError(
                    .invalidAssignment, "--set \(assignment): expected KEY=VALUE")
            }
            result.append((String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
        }
        return result
    }
}
