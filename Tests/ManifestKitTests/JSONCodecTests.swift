import Foundation
@testable import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// The fast parser and writer must agree with SmokeCore's JSONValue (Foundation) exactly: the
/// rendered files are the same bytes `FileIO.writeJSON` would write.
@Suite struct JSONCodecTests {
    static let samples: [String] = [
        #"{"b": 1, "A": [true, false, null], "a10": "x", "a9": -0.5, "é": "☃😀", "_": {}, "~": []}"#,
        #"["a/b", "q\"uote", "back\\slash", "\u0001\u001f\n\t\r\b\f", "\u00e9\ud83d\ude00", "\u2028", "<>&'"]"#,
        #"[1.5, 1.0, 0.1, 1e300, 1e-7, -0.0, 123456789.123, 1e16, 3e15, 0, -12, 9223372036854775807]"#,
        #"{"nested": {"deeper": [{"k": [[], {}], "z": "last"}]}, "empty": ""}"#,
        "  \n {\"ws\" :\t[ 1 , 2 ] }  \n",
    ]

    @Test(arguments: samples)
    func parserAgreesWithFoundation(text: String) throws {
        let data = Data(text.utf8)
        let fast = try ManifestJSON.parse(data, source: "sample")
        let foundation = try JSONValue.parse(data, source: "sample")
        #expect(fast.encoded(pretty: true) == foundation.encoded(pretty: true))
    }

    @Test(arguments: samples)
    func writerMatchesJSONEncoderBytes(text: String) throws {
        let value = try ManifestJSON.parse(Data(text.utf8), source: "sample")
        #expect(CanonicalJSONWriter.pretty(value) == value.encoded(pretty: true))
    }

    @Test func writerMatchesOnTheRenderedStack() throws {
        let fixture = try RenderFixture()
        fixture.options.template = RenderFixture.stackTemplate
        fixture.options.catalogs = [RenderFixture.coreCatalog]
        fixture.options.assignments = ["STACK_PYTHON=/usr/bin/python3"]
        let plan = try fixture.plan()
        for document in [plan.proxy, plan.overrides, plan.manifest.document, plan.intended] {
            #expect(CanonicalJSONWriter.pretty(document) == document.encoded(pretty: true))
        }
    }

    @Test(arguments: [
        ("", "unexpected end of input"), ("{", "expected a string key"), (#"{"a" 1}"#, "expected ':'"),
        ("[1,]", "unexpected character"), ("01", "leading zero"), (#""\x""#, "invalid escape"),
        ("\"a\u{01}\"", "control character"), (#""\ud800""#, "unpaired surrogate"), ("[1] 2", "after the JSON value"),
        ("nul", "unexpected end of input"), ("tru e", "invalid literal"),
    ])
    func malformedInputIsInvalidJSONWithPosition(text: String, detail: String) {
        #expect {
            try ManifestJSON.parse(Data(text.utf8), source: "in.json")
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code == "invalid_json" && error.message.hasPrefix("in.json: malformed JSON: ")
                && error.message.contains(detail) && error.message.contains("line 1")
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: SmokeError.self) { try ManifestJSON.parse(Data([0x22, 0xFF, 0xFE, 0x22]), source: "bytes") }
    }

    @Test func nestingLimitIsExact() throws {
        let limit = ManifestJSON.maximumDepth
        let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        _ = try ManifestJSON.parse(Data(ok.utf8), source: "ok")
        let deep = "[" + ok + "]"
        #expect {
            try ManifestJSON.parse(Data(deep.utf8), source: "deep")
        } throws: { ($0 as? SmokeError)?.code == "json_too_deep" }
    }
}
