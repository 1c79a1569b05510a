import Foundation
import SmokeCore

/// A hidden tool, keyed `server::tool`.
public struct HiddenTool: Sendable, Hashable {
    public var server: String
    public var tool: String
    public var reason: String?

    public var key: String { "\(server)::\(tool)" }

    init?(_ value: JSONValue) {
        guard let server = value["server"]?.stringValue?.trimmingCharacters(in: .whitespaces),
            let tool = value["tool"]?.stringValue?.trimmingCharacters(in: .whitespaces),
            !server.isEmpty, !tool.isEmpty
        else { return nil }
        self.server = server
        self.tool = tool
        self.reason = value["reason"]?.stringValue
    }

    var json: JSONValue {
        var object: [String: JSONValue] = ["server": .string(server), "tool": .string(tool)]
        if let reason { object["reason"] = .string(reason) }
        return .object(object)
    }
}

/// All fragments merged by Stelae's rules.
public struct MergedCatalog: Sendable {
    /// Deep merge of every fragment's `toolOverrides` (lists concatenate).
    public var toolOverrides: [String: JSONValue] = [:]
    /// Deep merge of the defaults' `toolOverrides` only: what the runtime overrides start from.
    public var defaultToolOverrides: [String: JSONValue] = [:]
    /// `defaults` deep-merged; scalar keys (`schemaVersion`, `proxyURL`) last wins.
    public var aggregationSettings: [String: JSONValue] = [:]
    /// The fragment that last set each `aggregationSettings` key (for messages).
    public var aggregationSettingSource: [String: String] = [:]
    /// By `name`: a later fragment replaces an earlier aggregate whole, in the earlier one's place.
    public var aggregations: [JSONValue] = []
    /// Where each aggregate came from (for messages).
    public var aggregationSource: [String: String] = [:]
    /// `hiddenTools` and fragment `hideTools`, by `server::tool`, first wins.
    public var hiddenTools: [HiddenTool] = []
    public var servers: [String: JSONValue] = [:]
    public var coreServers: [String] = []
    public var fragments: [CatalogFragment] = []

    public init() {}

    public init(fragments: [CatalogFragment]) {
        self.fragments = fragments
        var aggregateIndex: [String: Int] = [:]
        var globalHidden: [JSONValue] = []
        var fragmentHidden: [JSONValue] = []
        for fragment in fragments {
            if let overrides = fragment.toolOverrides {
                toolOverrides = DeepMerge.merge(toolOverrides, overrides)
                if fragment.isDefaults { defaultToolOverrides = DeepMerge.merge(defaultToolOverrides, overrides) }
            }
            if let block = fragment.toolAggregations {
                for (key, value) in block where key != "aggregations" && key != "hiddenTools" {
                    aggregationSettings[key] = aggregationSettings[key].map { DeepMerge.merge($0, value) } ?? value
                    aggregationSettingSource[key] = fragment.path
                }
                // Merged by server::tool: a later entry replaces an earlier one in its place.
                for entry in block["hiddenTools"]?.arrayValue ?? [] {
                    guard let hidden = HiddenTool(entry) else { continue }
                    if let index = globalHidden.firstIndex(where: { HiddenTool($0)?.key == hidden.key }) {
                        globalHidden[index] = entry
                    } else {
                        globalHidden.append(entry)
                    }
                }
                for aggregate in block["aggregations"]?.arrayValue ?? [] {
                    guard let name = aggregate["name"]?.stringValue else { continue }
                    if let index = aggregateIndex[name] {
                        aggregations[index] = aggregate
                    } else {
                        aggregateIndex[name] = aggregations.count
                        aggregations.append(aggregate)
                    }
                    aggregationSource[name] = fragment.path
                }
            }
            fragmentHidden += fragment.hideTools
            if let fragmentServers = fragment.payload["servers"]?.objectValue {
                servers = DeepMerge.merge(servers, fragmentServers)
            }
            for name in fragment.payload["coreServers"]?.arrayValue?.compactMap(\.stringValue) ?? []
            where !coreServers.contains(name) {
                coreServers.append(name)
            }
        }
        var seen = Set<String>()
        for entry in globalHidden + fragmentHidden {
            guard let hidden = HiddenTool(entry), seen.insert(hidden.key).inserted else { continue }
            hiddenTools.append(hidden)
        }
    }

    /// Marks servers `enabled: false` in the merged overrides (what a `STELAE_*_VISIBLE=0` flag
    /// does in Stelae: the intended catalog shows the server off; the runtime file is untouched).
    public mutating func disableServers(_ names: [String]) {
        guard !names.isEmpty else { return }
        var servers = toolOverrides["servers"]?.objectValue ?? [:]
        for name in names {
            var entry = servers[name]?.objectValue ?? [:]
            entry["enabled"] = false
            servers[name] = .object(entry)
        }
        toolOverrides["servers"] = .object(servers)
    }

    /// The server an aggregate is published on: its `server`/`serverName`, else
    /// `defaults.serverName`, else `tool_aggregator`.
    public func server(of aggregate: JSONValue) -> String {
        aggregate["server"]?.stringValue ?? aggregate["serverName"]?.stringValue
            ?? aggregationSettings["defaults"]?["serverName"]?.stringValue ?? "tool_aggregator"
    }

    /// Every hidden tool: global and fragment entries, then each aggregate's `hideTools`.
    public var allHiddenTools: [HiddenTool] {
        var result = hiddenTools
        var seen = Set(result.map(\.key))
        for aggregate in aggregations {
            for entry in aggregate["hideTools"]?.arrayValue ?? [] {
                guard let hidden = HiddenTool(entry), seen.insert(hidden.key).inserted else { continue }
                result.append(hidden)
            }
        }
        return result
    }

    /// The merged `toolAggregations` block as Stelae writes it in the intended catalog.
    public var toolAggregationsJSON: JSONValue {
        var block = aggregationSettings
        block["schemaVersion"] = block["schemaVersion"] ?? 1
        block["aggregations"] = .array(aggregations)
        block["hiddenTools"] = .array(hiddenTools.map(\.json))
        return .object(block)
    }
}
