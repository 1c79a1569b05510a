import SmokeCore

/// `intended_catalog.json`: the merged catalog and where it came from, without Stelae's
/// timestamps and file sizes, so a re-render is byte-identical.
enum IntendedCatalog {
    /// The merged catalog, deduplicated: the bulk of the document, built apart from the rest so a
    /// render can do it while the runtime overrides are being built.
    static func catalogSection(_ catalog: MergedCatalog) -> JSONValue {
        ArrayDedupe.dedupe([
            "toolOverrides": .object(catalog.toolOverrides),
            "toolAggregations": catalog.toolAggregationsJSON,
            "hideTools": .array(catalog.allHiddenTools.map(\.json)),
            "servers": .object(catalog.servers),
            "coreServers": .array(catalog.coreServers.map { .string($0) }),
        ])
    }

    /// The whole document around a `catalogSection`. Deduplicating an object dedupes each member
    /// on its own, so deduplicating the other members here gives the document a single pass would.
    static func document(
        catalogSection: JSONValue, catalog: MergedCatalog, manifest: CuratedManifest, environment: RenderEnvironment,
        scope: CatalogScope, paths: RenderPaths
    ) -> JSONValue {
        let outputs = environment.outputs
        var document = ArrayDedupe.dedupe([
            "schemaVersion": 1,
            "scope": .string(scope.rawValue),
            "paths": [
                "configHome": .string(environment.configHome), "stateHome": .string(environment.stateHome),
                "proxy": .string(outputs.proxy), "runtimeOverrides": .string(outputs.overrides),
                "manifest": .string(outputs.manifest), "intendedCatalog": .string(outputs.intended),
            ],
            "fragments": .array(catalog.fragments.map {
                ["kind": .string($0.kind.rawValue), "name": .string($0.name), "path": .string(paths.absolute($0.path))]
            }),
            "curatedTools": .array(manifest.names.map { .string($0) }),
        ]).objectValue ?? [:]
        document["catalog"] = catalogSection
        return .object(document)
    }
}
