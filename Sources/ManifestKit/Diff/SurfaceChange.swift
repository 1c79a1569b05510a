import SmokeCore

/// One difference between two tool surfaces, classified for the callers of the tool (the model
/// behind Codex): `breaking` when a call or a reading of the result that worked against the base
/// may fail against the head, `compatible` otherwise.
public struct SurfaceChange: Sendable, Equatable {
    public enum Severity: String, Sendable {
        case breaking
        case compatible
    }

    /// What changed. Input-schema kinds judge what callers may send (the head must accept every
    /// call the base accepted); `output_*` kinds judge what the tool may return (the head must not
    /// return what the base's schema ruled out; a property removed is breaking whatever else).
    public enum Kind: String, Sendable, CaseIterable {
        // The tool itself.
        case toolRemoved = "tool_removed"
        case toolAdded = "tool_added"
        case descriptionChanged = "description_changed"
        case titleChanged = "title_changed"
        case annotationChanged = "annotation_changed"
        // inputSchema: what callers send.
        case requiredArgumentAdded = "required_argument_added"
        case optionalArgumentAdded = "optional_argument_added"
        case propertyRemoved = "property_removed"
        case argumentBecameRequired = "argument_became_required"
        case argumentBecameOptional = "argument_became_optional"
        case typeNarrowed = "type_narrowed"
        case typeWidened = "type_widened"
        case typeChanged = "type_changed"
        case enumValueRemoved = "enum_value_removed"
        case enumWidened = "enum_widened"
        case enumAdded = "enum_added"
        case constraintTightened = "constraint_tightened"
        case constraintLoosened = "constraint_loosened"
        case additionalPropertiesClosed = "additional_properties_closed"
        case additionalPropertiesOpened = "additional_properties_opened"
        case variantRemoved = "variant_removed"
        case variantAdded = "variant_added"
        // outputSchema: what the tool returns.
        case outputPropertyRemoved = "output_property_removed"
        case outputPropertyAdded = "output_property_added"
        case outputPropertyBecameOptional = "output_property_became_optional"
        case outputPropertyBecameRequired = "output_property_became_required"
        case outputTypeWidened = "output_type_widened"
        case outputTypeNarrowed = "output_type_narrowed"
        case outputTypeChanged = "output_type_changed"
        case outputEnumWidened = "output_enum_widened"
        case outputEnumValueRemoved = "output_enum_value_removed"
        case outputEnumAdded = "output_enum_added"
        case outputConstraintLoosened = "output_constraint_loosened"
        case outputConstraintTightened = "output_constraint_tightened"
        case outputAdditionalPropertiesOpened = "output_additional_properties_opened"
        case outputAdditionalPropertiesClosed = "output_additional_properties_closed"
        case outputVariantAdded = "output_variant_added"
        case outputVariantRemoved = "output_variant_removed"
        // Either schema.
        case referenceChanged = "reference_changed"
        case schemaChanged = "schema_changed"
        case defaultChanged = "default_changed"
        case schemaAnnotationChanged = "schema_annotation_changed"

        public var severity: Severity {
            switch self {
            case .toolRemoved, .requiredArgumentAdded, .propertyRemoved, .argumentBecameRequired, .typeNarrowed,
                .typeChanged, .enumValueRemoved, .enumAdded, .constraintTightened, .additionalPropertiesClosed,
                .variantRemoved, .outputPropertyRemoved, .outputPropertyBecameOptional, .outputTypeWidened,
                .outputTypeChanged, .outputEnumWidened, .outputConstraintLoosened, .outputVariantAdded,
                .referenceChanged, .schemaChanged:
                .breaking
            case .toolAdded, .descriptionChanged, .titleChanged, .annotationChanged, .optionalArgumentAdded,
                .argumentBecameOptional, .typeWidened, .enumWidened, .constraintLoosened, .additionalPropertiesOpened,
                .variantAdded, .outputPropertyAdded, .outputPropertyBecameRequired, .outputTypeNarrowed,
                .outputEnumValueRemoved, .outputEnumAdded, .outputConstraintTightened,
                .outputAdditionalPropertiesOpened, .outputAdditionalPropertiesClosed, .outputVariantRemoved,
                .defaultChanged, .schemaAnnotationChanged:
                .compatible
            }
        }
    }

    public var tool: String
    public var kind: Kind
    /// Where in the tool object, e.g. `inputSchema.properties.operation.enum`; `(root)` for the
    /// whole tool.
    public var jsonPath: JSONPath
    /// The value at `jsonPath` (or the enum member, the variant, the required name) before and
    /// after; nil when it did not exist on that side.
    public var before: JSONValue?
    public var after: JSONValue?

    public init(tool: String, kind: Kind, jsonPath: JSONPath, before: JSONValue? = nil, after: JSONValue? = nil) {
        self.tool = tool
        self.kind = kind
        self.jsonPath = jsonPath
        self.before = before
        self.after = after
    }

    public var severity: Severity { kind.severity }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "tool": .string(tool), "kind": .string(severity.rawValue), "change": .string(kind.rawValue),
            "json_path": .string(jsonPath.description),
        ]
        if let before { object["before"] = before }
        if let after { object["after"] = after }
        return .object(object)
    }
}
