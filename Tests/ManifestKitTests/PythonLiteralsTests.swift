import ManifestKit
import SmokeCore
import Testing

@Suite struct PythonLiteralsTests {
    @Test func constantsWithAnnotationsNamesAndNestedLiterals() throws {
        let module = try PythonLiterals(
            source: #"""
                from __future__ import annotations
                from typing import Any, Dict  # imports are skipped

                BASE: Dict[str, Any] = {
                    "enabled": True, "off": False, "none": None,
                    'single': 'it\'s', "joined": "a" "b",
                    "numbers": [1, -2, 3.5, 1_000],  # trailing comments
                    "tuple": ("x", "y",),
                }
                LIST = [
                    {"name": "n", "nested": {"deep": [[]]}},
                ]
                FRAGMENT = {"base": BASE, "list": LIST}

                def helper():
                    INSIDE = {"not": "read"}
                    return INSIDE
                """#, path: "defaults.py")
        let base = try module.value("BASE")
        #expect(base["enabled"] == true)
        #expect(base["off"] == false)
        #expect(base["none"] == .null)
        #expect(base["single"] == "it's")
        #expect(base["joined"] == "ab")
        #expect(base["numbers"] == [1, -2, 3.5, 1000])
        #expect(base["tuple"] == ["x", "y"])
        #expect(try module.value("FRAGMENT")["base"] == base)
        #expect(try module.value("FRAGMENT")["list"]?.arrayValue?.first?["nested"]?["deep"] == [[]])
        #expect(throws: SmokeError.self) { try module.value("INSIDE") }
    }

    @Test func aValueThatIsNotALiteralIsAnErrorOnlyWhenAskedFor() throws {
        let module = try PythonLiterals(
            source: """
                import re
                PATTERN = re.compile("x")
                GOOD = {"a": 1}
                BAD = {"a": make()}
                USES_BAD = {"b": BAD}
                """, path: "mod.py")
        #expect(try module.value("GOOD") == ["a": 1])
        let error = try #require(throws: SmokeError.self) { try module.value("USES_BAD") }
        #expect(error.code == .invalidPythonDefaults)
        #expect(error.exit == .invalidInput)
        #expect(error.message.hasPrefix("mod.py:5: USES_BAD is not a literal"))
        let missing = try #require(throws: SmokeError.self) { try module.value("NOWHERE") }
        #expect(missing.message == "mod.py: defines no constant NOWHERE")
    }

    @Test func brokenSyntaxNamesTheLine() {
        let error = #expect(throws: SmokeError.self) {
            _ = try PythonLiterals(source: "A = {\n  \"x\": 'unterminated\n}\n", path: "bad.py")
        }
        #expect(error?.message == "bad.py:2: unterminated string")
        let keyError = #expect(throws: SmokeError.self) {
            try PythonLiterals(source: "A = {1: 'int key'}\n", path: "keys.py").value("A")
        }
        #expect(keyError?.message.contains("dict key must be a string") == true)
    }
}
