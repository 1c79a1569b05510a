import Foundation
import SmokeCore

/// A complete render held in memory: nothing is written until every input has been read,
/// validated and rendered, so a failed render leaves the previous outputs untouched.
public struct RenderPlan: Sendable {
    public var outputs: RenderOutputs
    public var proxy: JSONValue
    public var overrides: JSONValue
    public var manifest: CuratedManifest
    public var intended: JSONValue
    public var aggregates: [String]
    public var hidden: [String]
    public var fragments: [String]
    public var port: Int
    public var configHome: String
    public var stateHome: String
    public var warnings: [String]
    /// proxy.json carries the value of a secret variable (`*_KEY`, `*_TOKEN`, …): it is
    /// written owner-only (0600), since the proxy needs the value in clear.
    public var proxyHoldsSecrets = false

    /// The bytes of each output, in write order (the manifest last: it is what readers poll).
    public var files: [(path: String, data: Data)] {
        [
            (outputs.overrides, Self.bytes(overrides)),
            (outputs.intended, Self.bytes(intended)),
            (outputs.proxy, Self.bytes(proxy)),
            (outputs.manifest, Self.bytes(manifest.document)),
        ]
    }

    /// Canonical pretty JSON plus a newline, as `FileIO.writeJSON` writes it.
    static func bytes(_ value: JSONValue) -> Data {
        var data = CanonicalJSONWriter.pretty(value)
        data.append(0x0A)
        return data
    }

    /// Would writing change any output's bytes?
    public func wouldChange() -> Bool {
        files.contains { FileManager.default.contents(atPath: $0.path) != $0.data }
    }

    /// Writes every output atomically; returns whether any file's bytes changed.
    public func write() throws(SmokeError) -> Bool {
        var changed = false
        for file in files {
            let mode: mode_t = file.path == outputs.proxy && proxyHoldsSecrets ? 0o600 : 0o644
            if try FileIO.writeAtomically(file.data, to: file.path, mode: mode) { changed = true }
        }
        return changed
    }
}

public enum Renderer {
    public static let defaultPort = 9090

    public static func plan(_ options: RenderOptions) throws(SmokeError) -> RenderPlan {
        let paths = RenderPaths(workingDirectory: options.workingDirectory)
        let process = options.processEnvironment
        var warnings: [String] = []

        // Inputs.
        let configHome = paths.configHome(flag: options.configHome, environment: process)
        let templatePath = paths.absolute(options.template ?? "config/proxy.template.json")
        let templateDisplay = options.template ?? "config/proxy.template.json"
        let template = try ManifestJSON.load(path: templatePath, display: templateDisplay)
        let templateDirectory = (templatePath as NSString).deletingLastPathComponent
        let overlayTemplatePath = try paths.optionalFile(
            flag: options.overlayTemplate, defaults: ["\(configHome)/proxy.template.local.json"])
        let overlayTemplate = try overlayTemplatePath.map { path throws(SmokeError) in try ManifestJSON.load(path: path) }

        if !options.allowHardcodedPort {
            try ListenAddressGuard.check(template, source: templateDisplay)
            if let overlayTemplate, let overlayTemplatePath {
                try ListenAddressGuard.check(overlayTemplate, source: overlayTemplatePath)
            }
        } else {
            for finding in ListenAddressGuard.findings(in: template) {
                warnings.append("\(templateDisplay): \(finding.path) hard-codes port \(finding.port) (allowed by --allow-hardcoded-port)")
            }
        }

        // Env layers, lowest first.
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
        let early: [String: String] = ["CONFIG_HOME": configHome, "TEMPLATE_DIR": templateDirectory]
        var provisional = early.merging(Self.pathVariables(RenderOutputs(directory: "\(configHome)/.state"))) { a, _ in a }
        provisional["STATE_HOME"] = "\(configHome)/.state"
        provisional["PROXY_PORT"] = String(defaultPort)
        provisional["PUBLIC_BASE_URL"] = "http://127.0.0.1:\(defaultPort)"
        let first = try ResolvedEnvironment.resolve(
            [EnvLayer(source: "built-in", dictionary: provisional, expands: false)] + layers)
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
                "invalid_port",
                "\(portName)=\(portText) (from \(first.origin[portName] ?? "env")) is not a port number 1-65535",
                exit: .invalidInput, fields: ["variable": .string(portName)])
        }

        // Output paths: --out-dir, else an explicit --state-home, else the env's own paths, else the state home.
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
        let outputVariables = Self.pathVariables(outputs)
        var builtIns = early.merging(outputVariables) { _, new in new }
        builtIns["STATE_HOME"] = stateHome
        builtIns["PROXY_PORT"] = String(port)
        builtIns["PUBLIC_BASE_URL"] = "http://127.0.0.1:\(port)"
        // Values that must name what this render really uses win over the layers.
        // The path variables are always the absolute paths written (a layer's relative
        // TOOL_OVERRIDES_PATH chose the file; the proxy must name it absolutely).
        var forced = outputVariables
        forced["PROXY_PORT"] = String(port)
        forced["STATE_HOME"] = stateHome
        let environment = try ResolvedEnvironment.resolve(
            [EnvLayer(source: "built-in", dictionary: builtIns, expands: false)] + layers
                + [EnvLayer(source: "built-in", dictionary: forced, expands: false)])

        // Secrets from env files are unknown to the process-wide redactor until now. Short values
        // ("true", "1234") are skipped: redacting them would corrupt the JSON answer.
        for (name, value) in environment.values where Redactor.isSecretName(name) && value.count >= 8 {
            Redactor.shared.add(value)
        }
        var used = TemplateRenderer.placeholders(in: template)
        var proxy = try TemplateRenderer.render(template, variables: environment.values, source: templateDisplay)
        if let overlayTemplate, let overlayTemplatePath {
            let overlay = try TemplateRenderer.render(overlayTemplate, variables: environment.values, source: overlayTemplatePath)
            proxy = DeepMerge.overlayTemplate(proxy, overlay)
            used += TemplateRenderer.placeholders(in: overlayTemplate)
        }

        // Catalog.
        let sources = try CatalogSources.discover(
            catalogs: options.catalogs, bundles: options.bundles,
            configHome: configHome, scope: options.scope)
        var fragments: [CatalogFragment] = []
        for source in sources {
            let readable = paths.absolute(source.path)
            let value = try ManifestJSON.load(path: readable, display: source.path)
            fragments.append(try CatalogFragment.parse(value, path: source.path, kind: source.kind, name: source.name))
        }
        if fragments.isEmpty {
            warnings.append("no catalog fragments were read: the curated manifest is empty (give --catalog FILE)")
        }
        let catalog = MergedCatalog(fragments: fragments)
        let overrides = RuntimeOverrides(catalog: catalog)
        warnings += overrides.warnings
        let hidden = catalog.allHiddenTools
        let manifest = CuratedManifest(overrides: overrides.document, hidden: hidden)
        warnings += manifest.warnings
        if !fragments.isEmpty && manifest.tools.isEmpty {
            warnings.append("the catalog enables no tools: the curated manifest is empty")
        }

        let intended = ArrayDedupe.dedupe([
            "schemaVersion": 1,
            "scope": .string(options.scope.rawValue),
            "paths": [
                "configHome": .string(configHome), "stateHome": .string(stateHome),
                "proxy": .string(outputs.proxy), "runtimeOverrides": .string(outputs.overrides),
                "manifest": .string(outputs.manifest), "intendedCatalog": .string(outputs.intended),
            ],
            "fragments": .array(fragments.map {
                ["kind": .string($0.kind.rawValue), "name": .string($0.name), "path": .string(paths.absolute($0.path))]
            }),
            "catalog": [
                "toolOverrides": .object(catalog.toolOverrides),
                "toolAggregations": catalog.toolAggregationsJSON,
                "hideTools": .array(hidden.map(\.json)),
                "servers": .object(catalog.servers),
                "coreServers": .array(catalog.coreServers.map { .string($0) }),
            ],
            "curatedTools": .array(manifest.names.map { .string($0) }),
        ])

        var plan = RenderPlan(
            outputs: outputs, proxy: proxy, overrides: overrides.document, manifest: manifest, intended: intended,
            aggregates: catalog.aggregations.compactMap { $0["name"]?.stringValue }.sorted(),
            hidden: hidden.map(\.key).sorted(), fragments: fragments.map(\.path), port: port,
            configHome: configHome, stateHome: stateHome, warnings: warnings)
        plan.proxyHoldsSecrets = used.contains(where: Redactor.isSecretName)
        return plan
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
                    "invalid_assignment", "--set \(assignment): expected KEY=VALUE", exit: .invalidInput)
            }
            result.append((String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
        }
        return result
    }
}
