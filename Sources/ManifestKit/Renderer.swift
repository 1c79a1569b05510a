import Foundation
import SmokeCore

/// `render-manifest render`: template + env layers + catalog fragments → a `RenderPlan`.
public enum Renderer {
    public static let defaultPort = RenderEnvironment.defaultPort
    static let defaultTemplate = "config/proxy.template.json"

    public static func plan(_ options: RenderOptions) throws(SmokeError) -> RenderPlan {
        let paths = RenderPaths(workingDirectory: options.workingDirectory)
        var warnings: [String] = []

        // Templates, refused early when they pin a literal port.
        let configHome = paths.configHome(flag: options.configHome, environment: options.processEnvironment)
        let templateDisplay = options.template ?? defaultTemplate
        let templatePath = paths.absolute(templateDisplay)
        let template = try ManifestJSON.load(path: templatePath, display: templateDisplay)
        var templates = [(source: templateDisplay, value: template)]
        if let overlayPath = try paths.optionalFile(
            flag: options.overlayTemplate, defaults: ["\(configHome)/proxy.template.local.json"])
        {
            templates.append((overlayPath, try ManifestJSON.load(path: overlayPath)))
        }
        for (source, value) in templates {
            if options.allowHardcodedPort {
                for finding in ListenAddressGuard.findings(in: value) {
                    warnings.append("\(source): \(finding.path) hard-codes port \(finding.port) (allowed by --allow-hardcoded-port)")
                }
            } else {
                try ListenAddressGuard.check(value, source: source)
            }
        }

        let environment = try RenderEnvironment.resolve(
            options, paths: paths, configHome: configHome,
            templateDirectory: (templatePath as NSString).deletingLastPathComponent)
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

        // Catalog.
        var fragments: [CatalogFragment] = []
        for source in try CatalogSources.discover(
            catalogs: options.catalogs, bundles: options.bundles, configHome: configHome, scope: options.scope,
            absolute: paths.absolute)
        {
            let value = try ManifestJSON.load(path: paths.absolute(source.path), display: source.path)
            fragments.append(try CatalogFragment.parse(value, path: source.path, kind: source.kind, name: source.name))
        }
        if fragments.isEmpty {
            warnings.append("no catalog fragments were read: the curated manifest is empty (give --catalog FILE)")
        }
        let catalog = MergedCatalog(fragments: fragments)
        let hidden = catalog.allHiddenTools
        // The overrides (and the manifest drawn from them) and the intended catalog's bulk share
        // only the merged catalog: they are built side by side.
        let ((overrides, manifest), catalogSection) = SideBySide.run(
            {
                let overrides = RuntimeOverrides(catalog: catalog)
                return (overrides, CuratedManifest(overrides: overrides.document, hidden: hidden))
            },
            { IntendedCatalog.catalogSection(catalog) })
        warnings += overrides.warnings
        warnings += manifest.warnings
        if !fragments.isEmpty && manifest.tools.isEmpty {
            warnings.append("the catalog enables no tools: the curated manifest is empty")
        }

        var plan = RenderPlan(
            outputs: environment.outputs, proxy: proxy, overrides: overrides.document, manifest: manifest,
            intended: IntendedCatalog.document(
                catalogSection: catalogSection, catalog: catalog, manifest: manifest, environment: environment,
                scope: options.scope, paths: paths),
            aggregates: catalog.aggregations.compactMap { $0["name"]?.stringValue }.sorted(),
            hidden: hidden.map(\.key).sorted(), fragments: fragments.map(\.path), port: environment.port,
            configHome: environment.configHome, stateHome: environment.stateHome, warnings: warnings)
        // A secret can also arrive through a variable with an ordinary name (AUTH=Bearer ${API_TOKEN}):
        // any known secret value in the rendered proxy makes it owner-only too.
        plan.proxyHoldsSecrets = usedVariables.contains(where: Redactor.isSecretName) || Redactor.shared.redact(proxy) != proxy
        return plan
    }
}
