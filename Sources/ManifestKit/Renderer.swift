import Foundation
import SmokeCore

/// `render-manifest render`: template + env layers + catalog fragments → a `RenderPlan`.
public enum Renderer {
    public static let defaultPort = RenderEnvironment.defaultPort
    static let defaultTemplate = "config/proxy.template.json"

    public static func plan(_ options: RenderOptions) throws(SmokeError) -> RenderPlan {
        let paths = RenderPaths(workingDirectory: options.workingDirectory)
        var warnings: [String] = []

        let configHome = paths.configHome(flag: options.configHome, environment: options.processEnvironment)
        let templateDisplay = options.template ?? defaultTemplate
        let templatePath = paths.absolute(templateDisplay)
        let templateDirectory = (templatePath as NSString).deletingLastPathComponent
        let template = try ManifestJSON.load(path: templatePath, display: templateDisplay)
        var templates = [(source: templateDisplay, value: template)]
        if let overlayPath = try paths.optionalFile(
            flag: options.overlayTemplate, defaults: ["\(configHome)/proxy.template.local.json"])
        {
            templates.append((overlayPath, try ManifestJSON.load(path: overlayPath)))
        }
        // A template that pins the listen port is refused before anything else is read.
        var ports = templates.flatMap { ListenAddressGuard.findings(inTemplate: $0.value, source: $0.source) }
        if !options.allowHardcodedPort, let listen = ports.first(where: { $0.role == .listen }) {
            throw listen.error(renderPort: defaultPort)
        }

        let environment = try RenderEnvironment.resolve(
            options, paths: paths, configHome: configHome, templateDirectory: templateDirectory)
        // Secrets from env files are unknown to the process-wide redactor until now. Short values
        // ("true", "1234") are skipped: redacting them would corrupt the JSON answer.
        for (name, value) in environment.values where Redactor.isSecretName(name) && value.count >= 8 {
            Redactor.shared.add(value)
        }
        var proxy = JSONValue.null
        var usedVariables: [String] = []
        for (index, (source, value)) in templates.enumerated() {
            let rendered = try TemplateRenderer.render(value, variables: environment.values, source: source)
            proxy = index == 0 ? rendered : DeepMerge.overlayTemplate(proxy, rendered)
            usedVariables += TemplateRenderer.placeholders(in: value)
        }

        // Catalog: a Stelae checkout's Python defaults first, then the JSON fragments.
        let stelaePath =
            options.pythonDefaults.map(paths.absolute)
            ?? (options.noPythonDefaults ? nil : StelaeDefaults.locate(templateDirectory: templateDirectory))
        let stelae = try stelaePath.map { path throws(SmokeError) in try StelaeDefaults.load(path: path) }
        var fragments: [CatalogFragment] = stelae.map { [$0.fragment] } ?? []
        for source in try CatalogSources.discover(
            catalogs: options.catalogs, bundles: options.bundles, configHome: configHome, scope: options.scope,
            absolute: paths.absolute)
        {
            let value = try ManifestJSON.load(path: paths.absolute(source.path), display: source.path)
            fragments.append(try CatalogFragment.parse(value, path: source.path, kind: source.kind, name: source.name))
        }
        var catalog = MergedCatalog(fragments: fragments)
        let hiddenServers = stelae?.hiddenServers(environment: options.processEnvironment) ?? []
        catalog.disableServers(hiddenServers.map(\.server))

        ports += catalogPortFindings(catalog)
        let userOverrides =
            try stelae == nil ? nil : userToolOverrides(environment, paths: paths, configHome: configHome)
        if let aggregatorConfig = environment.values["STELAE_TOOL_AGGREGATIONS"].map(paths.absolute),
            stelae != nil, FileManager.default.fileExists(atPath: aggregatorConfig)
        {
            // The aggregator merges this file over the intended catalog: its proxyURL wins.
            ports += ListenAddressGuard.findings(
                inCatalog: try ManifestJSON.load(path: aggregatorConfig), source: aggregatorConfig)
        }
        for finding in ports where finding.isFatal(renderPort: environment.port) {
            if !options.allowHardcodedPort { throw finding.error(renderPort: environment.port) }
            warnings.append(
                "\(finding.source): \(finding.path) hard-codes port \(finding.port) (allowed by --allow-hardcoded-port)"
            )
        }

        let hidden = catalog.allHiddenTools
        let overrides = RuntimeOverrides(catalog: catalog, userOverrides: userOverrides?.value ?? [:])
        let manifest = CuratedManifest(overrides: overrides.document, hidden: hidden)
        warnings += manifest.warnings
        guard !manifest.tools.isEmpty else {
            let read =
                fragments.isEmpty
                ? "no catalog fragment was read (give --catalog FILE)"
                : "fragments read: " + fragments.map(\.path).joined(separator: ", ")
            throw SmokeError(
                .emptyManifest, "the render enables no tool: the curated manifest would be empty; \(read)",
                fields: ["fragments": .array(fragments.map { .string($0.path) })])
        }

        var plan = RenderPlan(
            outputs: environment.outputs, proxy: proxy, overrides: overrides.document, manifest: manifest,
            intended: IntendedCatalog.document(
                catalog: catalog, manifest: manifest, environment: environment, scope: options.scope, paths: paths),
            aggregates: catalog.aggregations.compactMap { $0["name"]?.stringValue }.sorted(),
            hidden: hidden.map(\.key).sorted(), fragments: fragments.map(\.path), port: environment.port,
            configHome: environment.configHome, stateHome: environment.stateHome, warnings: warnings)
        plan.hardcodedPorts = ports
        plan.hiddenServers = hiddenServers
        plan.userOverrides = userOverrides?.path
        if let stelae { plan.seeds = StelaeHomeFiles.seeds(stelae, environment: environment, paths: paths) }
        // A secret can also arrive through a variable with an ordinary name (AUTH=Bearer ${API_TOKEN}):
        // any known secret value in the rendered proxy makes it owner-only too.
        plan.proxyHoldsSecrets =
            usedVariables.contains(where: Redactor.isSecretName) || Redactor.shared.redact(proxy) != proxy
        return plan
    }

    /// The proxy URLs the merged catalog really uses (a later fragment's value replaces an
    /// earlier one, so only the winner is reported, under the file that set it), and catalog
    /// servers' loopback URLs.
    static func catalogPortFindings(_ catalog: MergedCatalog) -> [ListenAddressGuard.Finding] {
        var found: [ListenAddressGuard.Finding] = []
        let settings = JSONPath.root.appending("toolAggregations")
        for key in catalog.aggregationSettings.keys.sorted() where key != "schemaVersion" {
            found += ListenAddressGuard.findings(
                inCatalog: [key: catalog.aggregationSettings[key]!], at: settings,
                source: catalog.aggregationSettingSource[key] ?? "catalog")
        }
        for (index, aggregate) in catalog.aggregations.enumerated() {
            let name = aggregate["name"]?.stringValue ?? ""
            found += ListenAddressGuard.findings(
                inCatalog: aggregate, at: settings.appending("aggregations").appending(index: index),
                source: catalog.aggregationSource[name] ?? "catalog")
        }
        for fragment in catalog.fragments {
            if let servers = fragment.payload["servers"] {
                found += ListenAddressGuard.findings(
                    inCatalog: servers, at: JSONPath.root.appending("servers"), source: fragment.path)
            }
        }
        return found
    }

    /// The user's own overrides file (`$STELAE_TOOL_OVERRIDES`, else the config home's
    /// `tool_overrides.json`), merged over the defaults as Stelae's store does — but never the
    /// runtime file this render writes.
    static func userToolOverrides(
        _ environment: RenderEnvironment, paths: RenderPaths, configHome: String
    ) throws(SmokeError) -> (path: String, value: [String: JSONValue])? {
        let path = paths.absolute(environment.values["STELAE_TOOL_OVERRIDES"] ?? "\(configHome)/tool_overrides.json")
        guard path != environment.outputs.overrides, FileManager.default.fileExists(atPath: path) else { return nil }
        let value = try ManifestJSON.load(path: path)
        do {
            return (path, try CatalogSchema.toolOverrides.normalize(value, at: .root).objectValue ?? [:])
        } catch {
            throw error.error(file: path)
        }
    }
}
