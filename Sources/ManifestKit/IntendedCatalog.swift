import SmokeCore

/// `intended_catalog.json`: the merged catalog and where it came from, without Stelae's
/// timestamps and file sizes, so a re-render is byte-identical.
enum IntendedCatalog {
    static func document(
        catalog: MergedCatalog, manifest: CuratedManifest, environment: RenderEnvironment, scope: CatalogScope,
        paths: RenderPaths
    ) -> JSONValue {
        let outputs = environment.outputs
        return ArrayDedupe.dedupe([
            "schemaVersion": 1,
            "scope": .string(scope.rawValue),
            "paths": [
                "configHome": .string(environment.configHome), "stateHome": .string(environment.stateHome),
                "proxy": .string(outputs.proxy), "runtimeOverrides": .string(outputs.overrides),
                "manifest": .string(outputs.manifest), "intendedCatalog": .string(outputs.intended),
            ],
            "fragments": .array(
                catalog.fragments.map {
                    [
                        "kind": .string($0.kind.rawValue), "name": .string($0.name),
                        "path": .string(paths.absolute($0.path)),
                    ]
                }),
            "curatedTools": .array(manifest.names.map { .string($0) }),
            // Stelae's aggregator reads catalog.toolAggregations from this file.
            "catalog": [
                "toolOverrides": .object(catalog.toolOverrides),
                "toolAggregations": catalog.toolAggregationsJSON,
                "hideTools": .array(catalog.hiddenTools.map(\.json)),
                "servers": .object(catalog.servers),
                "coreServers": .array(catalog.coreServers.map { .string($0) }),
            ],
        ])
    }
}
