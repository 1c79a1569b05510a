import Foundation
import FuzzDriver
import ManifestKit
import SmokeCore

/// Catalog fragments through the renderer's pipeline: validation, merge (twice, as two
/// fragments), runtime overrides and the curated manifest. Never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCatalog(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    guard let value = try? ManifestJSON.parse(data, source: "fuzz.json"),
        let fragment = try? CatalogFragment.parse(value, path: "fuzz.json", kind: .catalog, name: "fuzz"),
        let second = try? CatalogFragment.parse(value, path: "again.json", kind: .configHome, name: "again")
    else { return 0 }
    let catalog = MergedCatalog(fragments: [fragment, second])
    let overrides = RuntimeOverrides(catalog: catalog)
    let manifest = CuratedManifest(overrides: overrides.document, hidden: catalog.allHiddenTools)
    _ = manifest.document.encoded(pretty: true)
    _ = catalog.toolAggregationsJSON.encoded()
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzCatalog))
