import Foundation
import SmokeCore

/// Which fragments a render reads, in merge order.
public enum CatalogScope: String, Sendable, CaseIterable {
    /// Only the `--catalog` files: the tracked defaults, as Stelae's `--scope default`.
    case `default`
    /// The defaults, then `$CONFIG_HOME/catalog/*.json` (sorted), then bundles.
    case local
}

public enum CatalogSources {
    /// The fragment files in merge order: each `--catalog` in order; for `local` scope then
    /// `$CONFIG_HOME/catalog/*.json` sorted by name, `$CONFIG_HOME/bundles/*/catalog.json` and
    /// `$CONFIG_HOME/catalog/bundles/*/catalog.json` sorted by bundle name, and each `--bundle
    /// DIR`'s `catalog.json` in order. (Embedded Python defaults, when there are any, come first.)
    public static func discover(
        catalogs: [String], bundles: [String], configHome: String, scope: CatalogScope,
        absolute: (String) -> String = { URL(fileURLWithPath: $0).standardizedFileURL.path }
    ) throws(SmokeError) -> [(path: String, kind: CatalogFragment.Kind, name: String)] {
        var sources: [(path: String, kind: CatalogFragment.Kind, name: String)] = catalogs.map {
            ($0, .catalog, URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent)
        }
        guard scope == .local else { return sources }
        let fileManager = FileManager.default
        let catalogDirectory = "\(configHome)/catalog"
        let explicit = Set(catalogs.map(absolute))
        if let names = try? fileManager.contentsOfDirectory(atPath: catalogDirectory) {
            for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let path = "\(catalogDirectory)/\(name)"
                var isDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    continue
                }
                // A default given with --catalog that also lives in the config home is read once.
                if explicit.contains(absolute(path)) { continue }
                sources.append((path, .configHome, String(name.dropLast(5))))
            }
        }
        // Installed bundles: `bundles/<name>/` then `catalog/bundles/<name>/`, a name read once.
        var bundleNames = Set<String>()
        for bundlesDirectory in ["\(configHome)/bundles", "\(catalogDirectory)/bundles"] {
            guard let names = try? fileManager.contentsOfDirectory(atPath: bundlesDirectory) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") && !bundleNames.contains(name) {
                let path = "\(bundlesDirectory)/\(name)/catalog.json"
                if fileManager.fileExists(atPath: path) {
                    bundleNames.insert(name)
                    sources.append((path, .bundle, name))
                }
            }
        }
        for directory in bundles {
            let path = directory.hasSuffix(".json") ? directory : "\(directory)/catalog.json"
            let name = URL(
                fileURLWithPath: directory.hasSuffix(".json")
                    ? (directory as NSString).deletingLastPathComponent : directory
            )
            .lastPathComponent
            sources.append((path, .bundle, name))
        }
        return sources
    }
}
