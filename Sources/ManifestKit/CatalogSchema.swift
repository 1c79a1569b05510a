/// The shapes of a catalog fragment, after Stelae's `tool_aggregations.schema.json` and
/// `tool_overrides.schema.json` (both `additionalProperties: false`).
public enum CatalogSchema {
    static let nonEmpty = CatalogShape.string(nonEmpty: true)

    public static let hiddenTool = CatalogShape.record(
        ["server": nonEmpty, "tool": nonEmpty, "reason": .string(nonEmpty: false)],
        required: ["server", "tool"])

    static let mappingRule = CatalogShape.record(
        [
            "target": nonEmpty, "source": nonEmpty, "from": nonEmpty, "value": .anyValue, "literal": .anyValue,
            "default": .anyValue, "required": .boolean, "allowNull": .boolean, "stripIfNull": .boolean,
        ], required: ["target"])

    static let operation = CatalogShape.record(
        [
            "value": nonEmpty, "downstreamTool": nonEmpty, "downstreamServer": nonEmpty,
            "description": .string(nonEmpty: false), "aliases": .array(nonEmpty, minItems: 0),
            "timeoutSeconds": .number(positive: true),
            "argumentMappings": .array(mappingRule, minItems: 0),
            "responseMappings": .array(mappingRule, minItems: 0),
            "requireAnyOf": .array(.array(nonEmpty, minItems: 1), minItems: 0),
        ], required: ["value", "downstreamTool"])

    static let selector = CatalogShape.record(
        ["field": nonEmpty, "caseInsensitive": .boolean], required: [])

    public static let aggregation = CatalogShape.record(
        [
            "name": nonEmpty, "description": nonEmpty, "annotations": .freeObject, "inputSchema": .freeObject,
            "outputSchema": .freeObjectOrNull, "selector": selector, "timeoutSeconds": .number(positive: true),
            "proxyURL": nonEmpty, "server": nonEmpty, "serverName": nonEmpty,
            "operations": .array(operation, minItems: 1),
            // Stateful aggregates carry an engine-specific block; its inner rules belong to the aggregator.
            "state": .freeObject,
            "hideTools": .array(hiddenTool, minItems: 0),
        ], required: ["name", "description", "inputSchema", "operations"])

    static let defaults = CatalogShape.record(
        [
            "selectorField": nonEmpty, "caseInsensitiveSelector": .boolean, "timeoutSeconds": .number(positive: true),
            "proxyURL": nonEmpty, "serverName": nonEmpty,
        ], required: [])

    /// `schemaVersion` and `aggregations` are required in a whole Stelae file but optional in a
    /// fragment, which may only add hidden tools.
    public static let toolAggregations = CatalogShape.record(
        [
            "schemaVersion": .integer(only: 1), "proxyURL": nonEmpty, "defaults": defaults,
            "hiddenTools": .array(hiddenTool, minItems: 0), "aggregations": .array(aggregation, minItems: 0),
        ], required: [])

    static let toolOverride = CatalogShape.record(
        [
            "enabled": .boolean, "name": nonEmpty, "description": .string(nonEmpty: false),
            "annotations": .freeObject, "inputSchema": .freeObject, "outputSchema": .freeObjectOrNull,
        ], required: [])

    static let serverOverride = CatalogShape.record(
        ["enabled": .boolean, "metadata": .freeObject, "tools": .map(toolOverride)], required: [])

    public static let toolOverrides = CatalogShape.record(
        [
            "schemaVersion": .integer(only: 2),
            "master": .record(["enabled": .boolean, "tools": .map(toolOverride)], required: []),
            "servers": .map(serverOverride),
        ], required: [])

    /// A whole fragment. Descriptive keys a bundle may carry are accepted and ignored.
    public static let fragment = CatalogShape.record(
        [
            "toolOverrides": toolOverrides, "toolAggregations": toolAggregations,
            "hideTools": .array(hiddenTool, minItems: 0), "servers": .map(.freeObject),
            "coreServers": .array(nonEmpty, minItems: 0), "schemaVersion": .integer(only: nil),
            "$schema": .string(nonEmpty: false), "name": .string(nonEmpty: false),
            "description": .string(nonEmpty: false), "version": .anyValue,
        ], required: [])
}
