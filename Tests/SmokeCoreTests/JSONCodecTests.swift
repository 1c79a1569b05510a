import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// SmokeCore's own parser and writer must agree exactly with Foundation's JSONDecoder and
/// JSONEncoder (sorted keys, unescaped slashes), which stay the reference here.
@Suite struct JSONCodecTests {
    static func foundationDecode(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func foundationEncode(_ value: JSONValue, pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static let samples: [String] = [
        #"{"b": 1, "A": [true, false, null], "a10": "x", "a9": -0.5, "é": "☃😀", "_": {}, "~": []}"#,
        #"["a/b", "q\"uote", "back\\slash", "\u0001\u001f\n\t\r\b\f", "\u00e9\ud83d\ude00", "\u2028", "<>&'"]"#,
        #"[1.5, 1.0, 0.1, 1e300, 1e-7, -0.0, 123456789.123, 1e16, 3e15, 0, -12, 9223372036854775807]"#,
        #"[5e-324, 1.7976931348623157e308, 0.30000000000000004, 1.2345e-5, 6.02214076e23, -2.5e-300, 1e22, 1e-10, 0.001]"#,
        #"{"nested": {"deeper": [{"k": [[], {}], "z": "last"}]}, "empty": ""}"#,
        "  \n {\"ws\" :\t[ 1 , 2 ] }  \n",
    ]

    @Test(arguments: samples)
    func parserAgreesWithFoundation(text: String) throws {
        let data = Data(text.utf8)
        let fast = try JSONValue.parse(data, source: "sample")
        let foundation = try Self.foundationDecode(data)
        #expect(fast == foundation)
    }

    @Test(arguments: samples)
    func writerMatchesJSONEncoderBytes(text: String) throws {
        let value = try Self.foundationDecode(Data(text.utf8))
        #expect(value.encoded(pretty: true) == (try Self.foundationEncode(value, pretty: true)))
        #expect(value.encoded(pretty: false) == (try Self.foundationEncode(value, pretty: false)))
    }

    @Test func writerMatchesOnTheEmbeddedStackFiles() throws {
        for name in ["stack/proxy.template.json", "stack/catalog/core.json"] {
            let path = ProjectPaths.root + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let value = try JSONValue.load(path: path)
            #expect(value.encoded(pretty: true) == (try Self.foundationEncode(value, pretty: true)), "\(name)")
            #expect(value.encoded() == (try Self.foundationEncode(value, pretty: false)), "\(name)")
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
            try JSONValue.parse(Data(text.utf8), source: "in.json")
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code == .invalidJSON && error.message.hasPrefix("in.json: malformed JSON: ")
                && error.message.contains(detail) && error.message.contains("line 1")
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: SmokeError.self) { try JSONValue.parse(Data([0x22, 0xFF, 0xFE, 0x22]), source: "bytes") }
    }

    @Test func nestingLimitIsExact() throws {
        let limit = JSONValue.defaultMaximumDepth
        let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        _ = try JSONValue.parse(Data(ok.utf8), source: "ok")
        let deep = "[" + ok + "]"
        #expect {
            try JSONValue.parse(Data(deep.utf8), source: "deep")
        } throws: { ($0 as? SmokeError)?.code == .jsonTooDeep }
    }

    /// Far larger than the writer's first buffer, so it grows many times; keys whose UTF-8 order
    /// differs from String order, escapes in the middle and at both ends of strings.
    @Test func writerMatchesJSONEncoderOnALargeDocument() throws {
        var items: [JSONValue] = []
        for index in 0..<2_000 {
            items.append([
                "name": .string("tool_\(index)"), "é\(index % 7)": .int(Int64(index)), "Z": .bool(index % 2 == 0),
                "text": .string("\"quoted\" \\ \(index)\n\u{01}tail/\u{2028}"), "\nkey": .null,
                "list": .array([.string("a"), .double(Double(index) / 8), [:], []]),
            ])
        }
        let value: JSONValue = ["items": .array(items), "count": 2_000]
        for pretty in [true, false] {
            let written = value.encoded(pretty: pretty)
            #expect(written.count > 100_000)
            #expect(written == (try Self.foundationEncode(value, pretty: pretty)))
        }
        var withNewline = try Self.foundationEncode(value, pretty: true)
        withNewline.append(0x0A)
        #expect(value.encoded(pretty: true, trailingNewline: true) == withNewline)
    }

    @Test func aRepeatedKeyKeepsItsLastValue() throws {
        let value = try JSONValue.parse(Data(#"{"a": 1, "b": {"c": 2, "c": 3}, "a": [4]}"#.utf8), source: "dup")
        #expect(value == ["a": [4], "b": ["c": 3]])
    }

    /// An answer cut short is told from a wrong one by the reader's typed end of input.
    @Test(arguments: [
        (#"{"result": {"content": [{"type": "text", "text": "hal"#, true), (#"{"a": [1, 2"#, true),
        (#"{"a": tr"#, true),
        (#"{"a": "\u12"#, true), (#"{"a": 1} x"#, false), (#"{"a": 01}"#, false), (#"{"a": 1}"#, false),
    ])
    func endsMidValueOnlyForTruncatedInput(text: String, truncated: Bool) {
        #expect(JSONValue.endsMidValue(Data(text.utf8)) == truncated, "\(text)")
    }
}
