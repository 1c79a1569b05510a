import Foundation
import SmokeCore
import Testing

@testable import ProbeKit

@Suite struct AnswerVerdictTests {
    private func answer(_ status: Int, _ body: String = "", _ headers: [(String, String)] = []) -> HTTPAnswer {
        HTTPAnswer(status: status, headers: headers, body: Array(body.utf8))
    }

    private let id: JSONValue = 3
    private let json = [("Content-Type", "application/json")]

    @Test func jsonResultIsOK() {
        let verdict = AnswerVerdict.read(
            answer(
                200, #"{"jsonrpc":"2.0","id":3,"result":{"protocolVersion":"2025-06-18"}}"#,
                json + [("Mcp-Session-Id", "abc")]),
            expectID: id, hasSession: false)
        #expect(verdict.outcome == .ok)
        #expect(verdict.message?["result"]?["protocolVersion"] == "2025-06-18")
        #expect(verdict.sessionID == "abc")
    }

    @Test func batchAnswerIsSearchedForTheId() {
        let body = #"[{"jsonrpc":"2.0","id":9,"result":{}},{"jsonrpc":"2.0","id":3,"result":{"x":1}}]"#
        let verdict = AnswerVerdict.read(answer(200, body, json), expectID: id, hasSession: false)
        #expect(verdict.outcome == .ok)
        #expect(verdict.message?["result"]?["x"] == 1)
    }

    @Test func wrongIdIsInvalidBody() {
        let verdict = AnswerVerdict.read(
            answer(200, #"{"jsonrpc":"2.0","id":4,"result":{}}"#, json), expectID: id, hasSession: false)
        #expect(verdict.outcome == .invalidBody)
        #expect(!verdict.retryable)
    }

    @Test func jsonRPCErrorIsPermanentWithCodeAndMessage() {
        let body = #"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Invalid params"}}"#
        let verdict = AnswerVerdict.read(answer(200, body, json), expectID: id, hasSession: false)
        #expect(verdict.outcome == .jsonrpcError)
        #expect(!verdict.retryable)
        #expect(verdict.error?.contains("-32602: Invalid params") == true)
    }

    @Test func sseSniffedEvenWithoutTheRightContentType() {
        let body = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n"
        let verdict = AnswerVerdict.read(
            answer(200, body, [("Content-Type", "text/plain")]), expectID: id, hasSession: false)
        #expect(verdict.outcome == .ok)
    }

    @Test func notJSONUnderJSONContentTypeIsInvalidBodyWithPreview() {
        let verdict = AnswerVerdict.read(answer(200, "Expecting value", json), expectID: id, hasSession: false)
        #expect(verdict.outcome == .invalidBody)
        #expect(verdict.bodyPreview == "Expecting value")
        #expect(verdict.outcome.probeCode == .invalidBody)
    }

    @Test func emptyBodyIsRetryable() {
        let verdict = AnswerVerdict.read(answer(200, "  \n", json), expectID: id, hasSession: false)
        #expect(verdict.outcome == .emptyBody)
        #expect(verdict.retryable)
    }

    @Test func previewIsCapped() {
        let verdict = AnswerVerdict.read(
            answer(200, String(repeating: "x", count: 5000), [("Content-Type", "text/html")]), expectID: id,
            hasSession: false)
        #expect(verdict.outcome == .invalidBody)
        #expect(verdict.bodyPreview?.count == AnswerVerdict.previewLimit + 1)  // plus the ellipsis
    }

    @Test(arguments: [
        (400, false), (401, false), (403, false), (404, false), (405, false), (415, false), (501, false),
        (408, true), (429, true), (500, true), (502, true), (503, true), (504, true),
    ])
    func statusRetryClasses(status: Int, retryable: Bool) {
        let verdict = AnswerVerdict.read(answer(status, "no"), expectID: id, hasSession: false)
        #expect(verdict.outcome == .httpStatus)
        #expect(verdict.retryable == retryable)
        #expect(verdict.status == status)
    }

    @Test func notAcceptableHasItsOwnOutcome() {
        let verdict = AnswerVerdict.read(answer(406, "{}"), expectID: id, hasSession: false)
        #expect(verdict.outcome == .notAcceptable)
        #expect(verdict.outcome.probeCode == .notAcceptable)
        #expect(!verdict.retryable)
    }

    @Test func notFoundWithASessionMeansItExpired() {
        let verdict = AnswerVerdict.read(answer(404, ""), expectID: id, hasSession: true)
        #expect(verdict.outcome == .sessionExpired)
    }

    @Test func redirectsCarryTheirLocationOnlyFor307And308() {
        #expect(
            AnswerVerdict.read(answer(307, "", [("Location", "/mcp/")]), expectID: id, hasSession: false).location
                == "/mcp/")
        #expect(
            AnswerVerdict.read(answer(308, "", [("Location", "/x")]), expectID: id, hasSession: false).outcome
                == .redirect)
        let moved = AnswerVerdict.read(answer(302, "", [("Location", "/x")]), expectID: id, hasSession: false)
        #expect(moved.outcome == .httpStatus)
        #expect(!moved.retryable)
    }

    @Test func retryAfterSecondsAndDates() {
        let verdict = AnswerVerdict.read(answer(503, "", [("Retry-After", "2")]), expectID: id, hasSession: false)
        #expect(verdict.retryAfter == .seconds(2))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let date = formatter.string(from: Date().addingTimeInterval(30))
        let fromDate = AnswerVerdict.parseRetryAfter(date)?.milliseconds ?? 0
        #expect(fromDate > 28_000 && fromDate <= 30_000)
        #expect(AnswerVerdict.parseRetryAfter("soon") == nil)
        #expect(AnswerVerdict.parseRetryAfter("nan") == nil)
    }

    /// A value past Int64 milliseconds, or `inf`, is the longest wait, not a trap (FuzzSSE's crash).
    @Test func retryAfterTooLargeToCountIsTheLongestWait() {
        let longest = Duration.seconds(AnswerVerdict.longestRetryAfter)
        #expect(AnswerVerdict.parseRetryAfter(String(repeating: "9", count: 64)) == longest)
        #expect(AnswerVerdict.parseRetryAfter("inf") == longest)
        #expect(AnswerVerdict.parseRetryAfter("1e300") == longest)
    }

    @Test func notificationNeedsOnlyA2xx() {
        #expect(AnswerVerdict.read(answer(202), expectID: nil, hasSession: true).outcome == .ok)
        #expect(AnswerVerdict.read(answer(204), expectID: nil, hasSession: true).outcome == .ok)
        #expect(AnswerVerdict.read(answer(400, "bad"), expectID: nil, hasSession: true).outcome == .httpStatus)
    }

    @Test func streamWithoutTheResponseIsRetryableAndSaysWhy() {
        var summary = EventStreamSummary()
        summary.events = 2
        summary.skipped = 2
        summary.endedMidEvent = true
        let streamed = HTTPAnswer(
            status: 200, headers: [("Content-Type", "text/event-stream")], body: Array("data: x\n".utf8),
            stream: summary)
        let verdict = AnswerVerdict.read(streamed, expectID: id, hasSession: false)
        #expect(verdict.outcome == .sseNoResponse)
        #expect(verdict.retryable)
        #expect(verdict.error?.contains("ended mid-event") == true)
    }
}
