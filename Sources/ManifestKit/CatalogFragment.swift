import Foundation
import SmokeCore

/// One catalog file, validated, with its keys in camelCase.
public struct CatalogFragment: Sendable {
    public enum Kind: String, Sendable {
        /// The defaults a Stelae checkout keeps in Python (`stelae_lib/catalog_defaults.py`).
        case embeddedDefaults = "embedded-defaults"
        /// Given with `--catalog` (the tracked defaults).
        case catalog
        /// `$CONFIG_HOME/catalog/*.json`.
        case configHome = "config-home"
        /// `bundles/<name>/catalog.json` or `--bundle DIR`.
        case bundle
    }

    public var path: String
    public var kind: Kind
    public var name: String
    public var payload: [String: JSONValue]

    public init(path: String, kind: Kind, name: String, payload: [String: JSONValue]) {
        self.path = path
        self.kind = kind
        self.name = name
        self.payload = payload
    }

    /// Loads and validates a fragment; errors name `path` and the JSON path inside it.
    public static func load(path: String, kind: Kind, name: String) throws(SmokeError) -> CatalogFragment {
        try parse(try ManifestJSON.load(path: path), path: path, kind: kind, name: name)
    }

    public static func parse(_ value: JSONValue, path: String, kind: Kind, name: String) throws(SmokeError)
        -> CatalogFragment
    {
        guard case .object = value else {
            throw SmokeError(
                .wrongType, "\(path): a catalog fragment must be a JSON object, found \(value.typeName)",
                fields: ["file": .string(path), "json_path": "(root)"])
        }
        let normalized: JSONValue
        do {
            let keyedServers = try serversKeyedByName(value)
            normalized = try CatalogSchema.fragment.normalize(keyedServers, at: .root)
        } catch {
            throw error.error(file: path)
        }
        let object = normalized.objectValue ?? [:]
        try checkUniqueAggregateNames(object, path: path)
        return CatalogFragment(path: path, kind: kind, name: name, payload: object)
    }

    /// Stelae's bundles list `servers` as an array of descriptors carrying their `name`; the
    /// catalog merges servers by name, so the array becomes a map keyed by it. A descriptor
    /// without a name, or a name given twice, cannot be merged and is an error at its index.
    static func serversKeyedByName(_ value: JSONValue) throws(CatalogIssue) -> JSONValue {
        guard case .object(var object) = value, case .array(let list) = object["servers"] else { return value }
        var keyed: [String: JSONValue] = [:]
        let location = JSONPath.root.appending("servers")
        for (index, descriptor) in list.enumerated() {
            guard let name = descriptor["name"]?.stringValue, !name.isEmpty else {
                throw CatalogIssue(
                    code: .missingKey, path: location.appending(index: index),
                    detail: "a server in a `servers` list needs a non-empty string `name`")
            }
            guard keyed[name] == nil else {
                throw CatalogIssue(
                    code: .duplicateServer, path: location.appending(index: index).appending("name"),
                    detail: "server '\(name)' is listed twice")
            }
            keyed[name] = descriptor
        }
        object["servers"] = .object(keyed)
        return .object(object)
    }

    /// Two aggregates with one name in the same file is a mistake (across files, later replaces).
    static func checkUniqueAggregateNames(_ object: [String: JSONValue], path: String) throws(SmokeError) {
        let aggregations = object["toolAggregations"]?["aggregations"]?.arrayValue ?? []
        var firstIndex: [String: Int] = [:]
        for (index, aggregate) in aggregations.enumerated() {
            guard let name = aggregate["name"]?.stringValue else { continue }
            if let first = firstIndex[name] {
                let location = JSONPath.root.appending("toolAggregations").appending("aggregations")
                    .appending(index: index).appending("name")
                throw CatalogIssue(
                    code: .duplicateAggregate, path: location,
                    detail: "aggregate '\(name)' is already defined at toolAggregations.aggregations[\(first)]"
                ).error(file: path)
            }
            firstIndex[name] = index
        }
    }

    /// Defaults (embedded or tracked) seed the runtime overrides; a config-home catalog's or a
    /// bundle's `toolOverrides` reach only the intended catalog, as in Stelae's renderer.
    public var isDefaults: Bool { kind == .embeddedDefaults || kind == .catalog }

    public var toolOverrides: [String: JSONValue]? { payload["toolOverrides"]?.objectValue }
    public var toolAggregations: [String: JSONValue]? { payload["toolAggregations"]?.objectValue }
    public var hideTools: [JSONValue] { payload["hideTools"]?.arrayValue ?? [] }
}
