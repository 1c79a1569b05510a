import CodexKit
import Foundation
import SmokeCore
import Testing

@Suite struct TranscriptParserTests {
    static let started =
        #"{"type":"item.started","item":{"id":"item_0","type":"mcp_tool_call","server":"stelae","tool":"grep","arguments":{"pattern":"x"},"result":null,"error":null,"status":"in_progress"}}"#
    static let completed =
        #"{"type":"item.completed","item":{"id":"item_0","type":"mcp_tool_call","server":"stelae","tool":"grep","arguments":{"pattern":"x"},"result":{"content":[{"type":"text","text":"ok"}]},"error":null,"status":"completed","new_field":1}}"#

    @Test func startedAndCompletedOfOneIdCollapseLastSnapshotWins() {
        var parser = TranscriptParser()
        for line in [
            #"{"type":"thread.started","thread_id":"t"}"#, #"{"type":"turn.started"}"#, Self.started, Self.completed,
            #"{"type":"turn.completed","usage":{}}"#,
        ] {
            parser.consume(line: line)
        }
        #expect(parser.calls.count == 1)
        #expect(parser.calls.first?.status == "completed")
        #expect(parser.calls.first?.succeeded == true)
        #expect(parser.calls.first?.arguments == ["pattern": "x"])
        #expect(parser.turnCompleted)
        #expect(parser.lines == 5)
    }

    @Test func failedCallTakesItsTextFromResultContent() {
        var parser = TranscriptParser()
        parser.consume(
            line:
                #"{"type":"item.completed","item":{"id":"a","type":"mcp_tool_call","server":"s","tool":"t","arguments":{},"result":{"content":[{"type":"text","text":"Expecting value: line 1 column 1 (char 0)"}]},"error":null,"status":"failed"}}"#
        )
        parser.consume(
            line:
                #"{"type":"item.completed","item":{"id":"b","type":"mcp_tool_call","server":"s","tool":"t","arguments":{},"result":null,"error":{"message":"MCP tool call requires approval"},"status":"failed"}}"#
        )
        #expect(
            parser.calls.map(\.error) == [
                "Expecting value: line 1 column 1 (char 0)", "MCP tool call requires approval",
            ])
        #expect(parser.calls.allSatisfy { $0.failed })
    }

    @Test func nonJSONLinesAreCountedUnknownEventsTolerated() {
        var parser = TranscriptParser()
        parser.consume(line: "Reading additional input from stdin...")
        parser.consume(line: "{not json")
        parser.consume(line: #"{"type":"brand.new.event","payload":{"x":[1,2]}}"#)
        parser.consume(line: #"{"type":"item.completed","item":{"id":"r","type":"reasoning","text":"hm"}}"#)
        parser.consume(line: #"["an","array"]"#)
        parser.consume(line: "")
        parser.consume(line: #"{"type":"turn.failed","error":{"message":"idle timeout waiting for SSE"}}"#)
        #expect(parser.nonJSONLines == 2)
        #expect(parser.nonJSONSamples == ["Reading additional input from stdin...", "{not json"])
        #expect(parser.calls.isEmpty)
        #expect(parser.turnFailure == "idle timeout waiting for SSE")
        #expect(parser.lines == 6)
    }

    @Test func errorEventsAreCounted() {
        var parser = TranscriptParser()
        parser.consume(line: #"{"type":"error","message":"Reconnecting... 1/5"}"#)
        parser.consume(
            line: #"{"type":"item.completed","item":{"id":"e","type":"error","message":"model metadata not found"}}"#)
        #expect(parser.errorEvents == 2)
        #expect(parser.lastErrorEvent == "model metadata not found")
        #expect(!parser.turnEnded)
    }

    @Test func lineSplitterJoinsLinesAcrossChunksAndKeepsAnUnterminatedTail() {
        var splitter = LineSplitter()
        var lines: [String] = []
        let collect: (Data) -> Void = { lines.append(String(decoding: $0, as: UTF8.self)) }
        splitter.feed(Data("ab".utf8), line: collect)
        splitter.feed(Data("c\nde\n\nf".utf8), line: collect)
        splitter.feed(Data("g".utf8), line: collect)
        #expect(lines == ["abc", "de", ""])
        splitter.finishLine(collect)
        #expect(lines == ["abc", "de", "", "fg"])
    }

    @Test func transcriptReaderStreamsAFileLargerThanOneChunk() throws {
        let path = FileManager.default.temporaryDirectory.path + "/reader-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let line = String(repeating: "y", count: 700_000)
        try "\(line)\n\(line)\nlast".write(toFile: path, atomically: false, encoding: .utf8)
        var sizes: [Int] = []
        try TranscriptReader.forEachLine(path: path) { sizes.append($0.count) }
        #expect(sizes == [700_000, 700_000, 4])
    }

    @Test func stderrDigestFindsUnsupportedCallsStartupFailureAndEndMarker() {
        var digest = StderrDigest()
        digest.consume(
            line:
                "2026-11-25T08:29:23Z ERROR codex_core::tools::router: error=unsupported call: mcp__stelaeno_such_tool")
        digest.consume(line: "Error: required MCP servers failed to initialize: stelae: handshaking failed")
        digest.consume(line: StderrDigest.marker + RunEnd.heartbeatTimeout(seconds: 2.5).marker)
        #expect(digest.unsupportedCalls == ["mcp__stelaeno_such_tool"])
        #expect(digest.unsupportedCalls(naming: "no_such_tool") == ["mcp__stelaeno_such_tool"])
        #expect(digest.mcpStartupFailure?.hasPrefix("required MCP servers failed to initialize: stelae") == true)
        #expect(digest.recordedEnd == .heartbeatTimeout(seconds: 2.5))
        #expect(digest.lines == 3)
    }
}

@Suite struct TranscriptScannerTests {
    static let call =
        #"{"type":"item.completed","item":{"id":"s","type":"mcp_tool_call","server":"s","tool":"t","arguments":{"a":1},"result":{"content":[{"type":"text","text":"RESULT"}],"extra":SKIPPED},"error":null,"status":"completed"}}"#

    /// The transcript is read with the package's one strict reader: a line `JSONValue.parse`
    /// rejects is not JSON for the judge either, whether the bad part is built or skipped.
    @Test(arguments: [
        ("01", "a leading zero"), ("[1,01]", "a leading zero, nested"), ("1.", "a bare point"),
        ("1e999", "an overflow"),
        (#""\q""#, "a bad escape"), (#""\ud800""#, "a lone surrogate"), (#""\udc00x""#, "a lone low surrogate"),
        ("\"\u{01}\"", "a control character"),
    ])
    func aLineTheStrictReaderRejectsIsNotJSONInBoth(bad: String, what: String) {
        for line in [
            Self.call.replacingOccurrences(of: "SKIPPED", with: bad),
            Self.call.replacingOccurrences(of: "SKIPPED", with: "0").replacingOccurrences(
                of: #"{"a":1}"#, with: #"{"a":\#(bad)}"#),
            Self.call.replacingOccurrences(of: "SKIPPED", with: "0").replacingOccurrences(
                of: "RESULT", with: #"x","n":\#(bad),"y":"z"#),
        ] {
            var parser = TranscriptParser()
            parser.consume(line: line)
            #expect(parser.nonJSONLines == 1, "\(what): \(line)")
            #expect(parser.calls.isEmpty, "\(what)")
            #expect(throws: SmokeError.self, "\(what)") { try JSONValue.parse(Data(line.utf8), source: "line") }
        }
        var parser = TranscriptParser()
        parser.consume(
            line: Self.call.replacingOccurrences(of: "SKIPPED", with: "[10, -0.5e-3, \"\\u00e9\\ud83d\\ude00\"]"))
        #expect(parser.nonJSONLines == 0)
        #expect(parser.calls.map(\.id) == ["s"])
    }

    @Test func invalidUTF8InASkippedResultIsNotJSON() {
        var bytes = Data(Self.call.replacingOccurrences(of: "SKIPPED", with: #""é""#).utf8)
        let index = bytes.firstIndex(of: 0xC3)!
        bytes[index] = 0xC0
        var parser = TranscriptParser()
        parser.consume(line: bytes)
        #expect(parser.nonJSONLines == 1)
        #expect(throws: SmokeError.self) { try JSONValue.parse(bytes, source: "line") }
    }

    /// The depth bound is the reader's (JSONValue.defaultMaximumDepth) however the nesting is
    /// reached, and the stack of the thread the live run reads lines on (a Foundation `Thread`
    /// of its own) holds it.
    @Test func depthLimitIsTheReadersOnAReaderThread() async {
        let limit = JSONValue.defaultMaximumDepth
        func nested(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        // The line's object and its item are two levels, `result`'s object a third.
        let lines = [
            Self.call.replacingOccurrences(of: "SKIPPED", with: nested(limit - 3)),
            Self.call.replacingOccurrences(of: "SKIPPED", with: "0").replacingOccurrences(
                of: #"{"a":1}"#, with: nested(limit - 2)),
            Self.call.replacingOccurrences(of: "SKIPPED", with: nested(limit - 2)),
            Self.call.replacingOccurrences(of: "SKIPPED", with: "0").replacingOccurrences(
                of: #"{"a":1}"#, with: nested(limit - 1)),
        ]
        let parsers = await withCheckedContinuation { (continuation: CheckedContinuation<[TranscriptParser], Never>) in
            Thread {
                continuation.resume(
                    returning: lines.map { line in
                        var parser = TranscriptParser()
                        parser.consume(line: line)
                        return parser
                    })
            }.start()
        }
        #expect(parsers.map(\.nonJSONLines) == [0, 0, 1, 1])
        for (line, parser) in zip(lines, parsers) {
            #expect(((try? JSONValue.parse(Data(line.utf8), source: "line")) != nil) == (parser.nonJSONLines == 0))
        }
    }

    @Test func escapesUnicodeAndNestedArgumentsDecode() {
        var parser = TranscriptParser()
        parser.consume(
            line:
                #"{"type":"item.completed","item":{"id":"x","type":"mcp_tool_call","server":"s","tool":"t","arguments":{"q":"a\"b\\c\n\u00e9\ud83d\ude00","n":-1.5e2,"list":[1,true,null,{"k":[]}]},"result":{"content":[{"type":"text","text":"bad \"quote\" \u0041"}]},"error":null,"status":"failed"}}"#
        )
        let call = parser.calls.first
        #expect(call?.arguments == ["q": "a\"b\\c\né😀", "n": -150, "list": [1, true, nil, ["k": []]]])
        #expect(call?.error == "bad \"quote\" A")
        #expect(parser.nonJSONLines == 0)
    }

    @Test func malformedOrTrailingGarbageIsNotJSON() {
        var parser = TranscriptParser()
        for line in [
            #"{"type":"turn.completed"} trailing"#, #"{"type":"x","a":tru}"#, #"{"type":"x""#, #"{"a":"unterminated}"#,
            String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000),
        ] {
            parser.consume(line: line)
        }
        #expect(parser.nonJSONLines == 5)
        #expect(!parser.turnCompleted)
    }

    @Test func errorAsBareStringAndUnexpectedFieldTypesAreTolerated() {
        var parser = TranscriptParser()
        parser.consume(line: #"{"type":"turn.failed","error":"plain text error"}"#)
        parser.consume(
            line:
                #"{"type":"item.completed","item":{"id":"y","type":"mcp_tool_call","tool":7,"server":null,"arguments":"{}","status":"completed","error":null}}"#
        )
        #expect(parser.turnFailure == "plain text error")
        #expect(parser.calls.first?.tool == nil)
        #expect(parser.calls.first?.arguments == "{}")
        #expect(parser.nonJSONLines == 0)
    }
}
