import CodexKit
import Foundation
import Testing

/// A line longer than the limit is delivered in parts as it streams: memory stays bounded and
/// nothing is lost (regression: a Codex flooding stdout without a newline was held whole, over
/// three times its size in memory).
@Suite struct LineSplitterBoundTests {
    @Test func overlongLineArrivesInPartsAndWhole() {
        let limit = 16_384
        var splitter = LineSplitter(maximumLineLength: limit)
        var parts: [Data] = []
        var lines: [String] = []
        var ends = 0
        let long = String(repeating: "token-abc, ", count: 10_000)  // 110,000 bytes, separators throughout
        let stream = Data(("short\n" + long + "\nafter\ntail").utf8)
        var offset = 0
        while offset < stream.count {
            let chunk = stream[offset..<min(offset + 3_000, stream.count)]
            Data(chunk).withUnsafeBytes { raw in
                splitter.feed(raw) { piece in
                    switch piece {
                    case .line(let line): lines.append(String(decoding: line, as: UTF8.self))
                    case .part(let part, let last):
                        #expect(part.count <= limit + 3_000, "a part is bounded by the limit plus one chunk")
                        parts.append(part)
                        if last { ends += 1 }
                    }
                }
            }
            offset += 3_000
        }
        splitter.finish { piece in
            if case .line(let line) = piece { lines.append(String(decoding: line, as: UTF8.self)) }
        }
        #expect(lines == ["short", "after", "tail"])
        #expect(ends == 1)
        #expect(parts.count > 2)
        #expect(String(decoding: parts.reduce(Data(), +), as: UTF8.self) == long)
        // Every cut but the last falls just after a separator, never inside a token.
        for part in parts.dropLast() { #expect(part.last == UInt8(ascii: " ") || part.last == UInt8(ascii: ",")) }
    }

    @Test func theDefaultSplitterKeepsLongLinesWhole() {
        var splitter = LineSplitter()
        var lines: [Int] = []
        let long = Data(repeating: 0x61, count: 100_000) + Data([0x0A])
        long.withUnsafeBytes { raw in splitter.feed(raw) { (line: Data) in lines.append(line.count) } }
        #expect(lines == [100_000])
    }
}
