import Foundation
import SmokeCore
import Testing

/// The reader's cursor: skipping checks exactly what building checks, so a document is malformed
/// for both or for neither.
@Suite struct JSONReaderTests {
    static func builds(_ bytes: [UInt8], maximumDepth: Int = JSONValue.defaultMaximumDepth) -> JSONReader.Failure? {
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw, maximumDepth: maximumDepth)
            do throws(JSONReader.Failure) {
                _ = try reader.parseValue()
                try reader.finish()
                return nil
            } catch {
                return error
            }
        }
    }

    static func skips(_ bytes: [UInt8], maximumDepth: Int = JSONValue.defaultMaximumDepth) -> JSONReader.Failure? {
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw, maximumDepth: maximumDepth)
            do throws(JSONReader.Failure) {
                try reader.skipValue()
                try reader.finish()
                return nil
            } catch {
                return error
            }
        }
    }

    static let malformed: [[UInt8]] =
        [
            "01", "-01", "[00]", "1.", ".5", "-", "1e", "1e+", "+1", "0x10", "1e999", "-1e999",
            String(repeating: "9", count: 400), "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[1 2]", "tru", "nul",
            "True",
            #""\x""#, #""\u12""#, #""\u12g4""#, #""\ud800""#, #""\ud800\u0041""#, #""\udc00""#, #""\ud800\""#,
            "\"tab\there\"", "\"nl\nhere\"", #""unterminated"#, #"{"a":"b"} x"#, "", "  ",
        ].map { Array($0.utf8) } + [
            [0x22, 0xC0, 0x80, 0x22],  // overlong NUL
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],  // cut short
            [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22],
            [0x7B, 0x22, 0xE9, 0x22, 0x3A, 0x31, 0x7D],  // a Latin-1 key
        ]

    @Test(arguments: malformed)
    func malformedInputFailsBothWays(bytes: [UInt8]) {
        #expect(Self.builds(bytes) != nil)
        #expect(Self.skips(bytes) != nil)
        #expect(throws: SmokeError.self) { try JSONValue.parse(Data(bytes), source: "m") }
    }

    static let wellFormed: [String] = [
        "0", "-0", "-0.0e-0", "1E+2", "123456789012345678", "9223372036854775807", "-9223372036854775808",
        "92233720368547758070", String(repeating: "9", count: 300), "1.7976931348623157e308", "5e-324",
        #""\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\""#, "\"é☃😀\u{10FFFF}\"", #"{"a":[{"b":null}],"c":true,"d":false}"#,
        " [ ] ", "{}",
    ]

    @Test(arguments: wellFormed)
    func wellFormedInputPassesBothWays(text: String) throws {
        #expect(Self.builds(Array(text.utf8)) == nil)
        #expect(Self.skips(Array(text.utf8)) == nil)
    }

    @Test func depthLimitIsExactBothWays() {
        let limit = 40
        for open in ["[", #"{"k":"#] {
            let close = open == "[" ? "]" : "}"
            let fits = Array(
                (String(repeating: open, count: limit) + "1" + String(repeating: close, count: limit)).utf8)
            let deeper = Array(
                (String(repeating: open, count: limit + 1) + "1" + String(repeating: close, count: limit + 1)).utf8)
            #expect(Self.builds(fits, maximumDepth: limit) == nil)
            #expect(Self.skips(fits, maximumDepth: limit) == nil)
            #expect(Self.builds(deeper, maximumDepth: limit)?.tooDeep == true)
            #expect(Self.skips(deeper, maximumDepth: limit)?.tooDeep == true)
        }
    }

    /// Strings are read eight bytes at a time: an escape, a control character or a non-ASCII
    /// character at every offset within and across those words.
    @Test func everyOffsetOfASpecialByteIsSeen() throws {
        for offset in 0..<20 {
            let pad = String(repeating: "a", count: offset)
            let text = "\"" + pad + #"\n"# + pad + "é" + pad + "\""
            #expect(try JSONValue.parse(Data(text.utf8), source: "s") == .string(pad + "\n" + pad + "é" + pad))
            let control = Array(("\"" + pad + "\u{01}" + pad + "\"").utf8)
            #expect(Self.builds(control)?.message == "control character in string")
            #expect(Self.skips(control)?.message == "control character in string")
            var invalid = Array(("\"" + pad + "x" + pad + "\"").utf8)
            invalid[1 + offset] = 0xFE
            #expect(Self.builds(invalid)?.message == "invalid UTF-8 in string")
            #expect(Self.skips(invalid)?.message == "invalid UTF-8 in string")
        }
    }

    @Test func membersAndElementsAreWalkedInOrder() throws {
        let bytes = Array(#" {"a": [1, {"x": "skipped"}, "two"], "b": {"deep": [[]]}, "c": "kept"} "#.utf8)
        var seen: [String] = []
        var elements: [JSONValue] = []
        var kept: String?
        try bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            try reader.forEachMember { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
                seen.append(key)
                switch key {
                case "a":
                    try reader.forEachElement { (reader: inout JSONReader) throws(JSONReader.Failure) in
                        if try reader.peek() == UInt8(ascii: "{") {
                            try reader.skipValue()
                        } else {
                            elements.append(try reader.parseValue())
                        }
                    }
                case "c": kept = try reader.parseString()
                default: try reader.skipValue()
                }
            }
            try reader.finish()
        }
        #expect(seen == ["a", "b", "c"])
        #expect(elements == [1, "two"])
        #expect(kept == "kept")
    }

    @Test func aLimitedStringIsCutAtACharacterBoundary() throws {
        func read(_ text: String, limit: Int) throws -> String {
            try Array(text.utf8).withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                let string = try reader.parseString(limit: limit)
                try reader.finish()
                return string
            }
        }
        #expect(try read(#""ééé""#, limit: 3) == "é")
        #expect(try read(#""ééé""#, limit: 4) == "éé")
        #expect(try read(#""a\u00e9b""#, limit: 2) == "a")
        #expect(try read(#""ab\ncd""#, limit: 3) == "ab\n")
        #expect(try read(#""ab\ncd""#, limit: 0) == "")
        // The part past the limit is still checked.
        #expect(throws: JSONReader.Failure.self) { try read(#""ab\q""#, limit: 1) }
    }
}
