import ProbeKit
import Testing

@Suite struct SSEParserTests {
    private func parse(_ chunks: [String]) -> ([SSEEvent], SSEParser) {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for chunk in chunks { events += parser.feed(Array(chunk.utf8)) }
        return (events, parser)
    }

    @Test func multiLineDataJoinsWithNewline() {
        let (events, _) = parse(["data: {\"a\":\ndata: 1}\n\n"])
        #expect(events == [SSEEvent(type: "message", data: "{\"a\":\n1}", id: nil)])
    }

    @Test func eventTypeIdAndCommentsAreHandled() {
        let (events, parser) = parse([": hello\n", "event: ping\nid: 7\ndata: x\n\n", "data: y\n\n"])
        #expect(events.map(\.type) == ["ping", "message"])
        #expect(events.map(\.data) == ["x", "y"])
        #expect(events.map(\.id) == ["7", "7"])  // the last event id carries over, as in browsers
        #expect(parser.commentCount == 1)
    }

    @Test func crlfSplitAcrossChunksIsOneLineEnd() {
        let (events, _) = parse(["data: a\r", "\n\r", "\ndata: b\r\r"])
        #expect(events.map(\.data) == ["a", "b"])
    }

    @Test func leadingSpaceOnlyOnceAndFieldWithoutColon() {
        let (events, _) = parse(["data:  two spaces\ndata\n\n"])
        #expect(events.first?.data == " two spaces\n")
    }

    @Test func eventWithoutDataIsNotDispatched() {
        let (events, parser) = parse(["event: endpoint\n\n: c\n\n"])
        #expect(events.isEmpty)
        #expect(!parser.pendingEvent)
    }

    @Test func streamEndingMidEventKeepsItPending() {
        let (events, parser) = parse(["data: {\"id\":1}\n"])
        #expect(events.isEmpty)
        #expect(parser.pendingEvent)
    }

    @Test func byteOrderMarkAtStartIsIgnored() {
        let (events, _) = parse(["\u{FEFF}data: z\n\n"])
        #expect(events.map(\.data) == ["z"])
    }

    @Test func utf8SplitAcrossChunksSurvives() {
        let bytes = Array("data: héllo\n\n".utf8)
        var parser = SSEParser()
        var events = parser.feed(bytes[0..<8])  // cuts inside "é"
        events += parser.feed(bytes[8...])
        #expect(events.map(\.data) == ["héllo"])
    }
}
