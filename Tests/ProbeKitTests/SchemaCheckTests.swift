import Foundation
import ProbeKit
import SmokeCore
import Testing

/// The outputSchema check: each keyword it checks, with the JSON path of what breaks it, and
/// every keyword it cannot check listed, never passed silently.
@Suite struct SchemaCheckTests {
    func mismatches(_ value: JSONValue, _ schema: JSONValue) -> [String] {
        SchemaCheck.check(value, against: schema).mismatches.map { "\($0.path): \($0.message)" }
    }

    @Test func typesIncludingIntegerAndUnions() {
        #expect(mismatches(3, ["type": "integer"]).isEmpty)
        #expect(mismatches(3.0, ["type": "integer"]).isEmpty)
        #expect(mismatches(3.5, ["type": "integer"]) == ["$: expected integer, found number"])
        #expect(mismatches(3, ["type": "number"]).isEmpty)
        #expect(mismatches(.null, ["type": ["string", "null"]]).isEmpty)
        #expect(mismatches(true, ["type": ["string", "null"]]) == ["$: expected string or null, found boolean"])
    }

    @Test func objectsWithPropertiesRequiredAndAdditionalProperties() {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["name": ["type": "string"], "tags": ["type": "array", "items": ["type": "string"]]],
            "required": ["name", "id"],
            "additionalProperties": false,
        ]
        #expect(
            mismatches(["name": 1, "tags": ["a", 2], "extra": true], schema) == [
                "$.id: required property is missing",
                "$.extra: property not allowed (additionalProperties is false)",
                "$.name: expected string, found integer",
                "$.tags[1]: expected string, found integer",
            ])
        #expect(
            mismatches(["name": "n", "id": 1, "more": 2], ["additionalProperties": ["type": "string"]]) == [
                "$.id: expected string, found integer", "$.more: expected string, found integer",
            ])
        #expect(
            mismatches(["a b": 1], ["properties": ["a b": ["type": "string"]]]) == [
                #"$["a b"]: expected string, found integer"#
            ])
    }

    @Test func enumConstAndTheCombinators() {
        #expect(mismatches("c", ["enum": ["a", "b"]]) == [#"$: "c" is not one of ["a","b"]"#])
        #expect(mismatches(1.0, ["const": 1]).isEmpty)
        #expect(mismatches(2, ["const": 1]) == ["$: 2 is not the constant 1"])
        #expect(mismatches("x", ["anyOf": [["type": "integer"], ["type": "string"]]]).isEmpty)
        #expect(
            mismatches(true, ["anyOf": [["type": "integer"], ["type": "string"]]]) == [
                "$: true matches none of the 2 anyOf alternatives"
            ])
        #expect(
            mismatches(3, ["oneOf": [["type": "integer"], ["type": "number"]]]) == [
                "$: 3 matches 2 of the 2 oneOf alternatives (exactly one wanted)"
            ])
        #expect(mismatches(3, ["allOf": [["type": "integer"], ["minimum": 5]]]) == ["$: 3 is not at least 5"])
        #expect(mismatches("x", ["not": ["type": "string"]]) == [#"$: "x" matches the schema under not"#])
    }

    @Test func localReferencesAreFollowed() {
        let schema: JSONValue = [
            "$defs": ["Item": ["type": "object", "properties": ["id": ["type": "integer"]], "required": ["id"]]],
            "type": "object",
            "properties": ["items": ["type": "array", "items": ["$ref": "#/$defs/Item"]]],
        ]
        #expect(
            mismatches(["items": [["id": 1], ["id": "2"], [:]]], schema) == [
                "$.items[1].id: expected integer, found string", "$.items[2].id: required property is missing",
            ])
    }

    @Test func keywordsItCannotCheckAreListedWithWhereTheySit() {
        let schema: JSONValue = [
            "type": "object",
            "title": "annotations are not listed",
            "x-fastmcp-wrap-result": true,
            "properties": [
                "id": ["type": "string", "pattern": "^[a-z]+$", "format": "uuid"],
                "remote": ["$ref": "https://example.com/schema.json"],
            ],
            "if": ["required": ["id"]],
        ]
        let check = SchemaCheck.check(["id": "abc", "remote": 1], against: schema)
        #expect(check.mismatches.isEmpty)
        #expect(
            check.sortedUnchecked.map { "\($0.schemaPath) \($0.keyword)" } == [
                "# if", "#/properties/id format", "#/properties/id pattern", "#/properties/remote $ref",
            ])
    }

    @Test func boundsOnNumbersStringsArraysAndObjects() {
        #expect(
            mismatches(10, ["maximum": 5, "multipleOf": 3]) == [
                "$: 10 is not at most 5", "$: 10 is not a multiple of 3",
            ])
        #expect(mismatches(5, ["exclusiveMinimum": 5]) == ["$: 5 is not greater than 5"])
        #expect(mismatches("héllo", ["maxLength": 4]) == ["$: 5 characters, at most 4 allowed"])
        #expect(
            mismatches([1, 1], ["minItems": 3, "uniqueItems": true]) == [
                "$: 2 items, at least 3 wanted", "$[1]: repeats an earlier item (uniqueItems)",
            ])
        #expect(mismatches([:], ["minProperties": 1]) == ["$: 0 properties, at least 1 wanted"])
        #expect(mismatches(1, false) == ["$: no value is allowed here (schema false)"])
    }
}
