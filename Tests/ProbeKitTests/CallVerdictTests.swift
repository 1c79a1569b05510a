import Foundation
import ProbeKit
import SmokeCore
import Testing

/// The verdict on one call's answer, whichever transport carried it.
@Suite struct CallVerdictTests {
    let tool: JSONValue = [
        "name": "t", "outputSchema": ["type": "object", "properties": ["n": ["type": "integer"]], "required": ["n"]],
    ]

    func verdict(_ answer: CallAnswer, expectError: Bool = false, tool: JSONValue? = nil) -> CallVerdict {
        CallVerdict.evaluate(
            ToolCall(name: "t", expectError: expectError), answer, tool: tool ?? self.tool, durationMs: 5)
    }

    func result(_ structured: JSONValue?, isError: Bool = false, text: String = "done") -> CallAnswer {
        var object: [String: JSONValue] = [
            "content": [["type": "text", "text": .string(text)]], "isError": .bool(isError),
        ]
        if let structured { object["structuredContent"] = structured }
        return .result(.object(object), bytes: 42)
    }

    @Test func aConformingResultIsOKWithItsSize() {
        let ok = verdict(result(["n": 1]))
        #expect(ok.ok)
        #expect(ok.fields["output_schema"] == "valid")
        #expect(ok.fields["answer_bytes"] == 42)
        #expect(ok.fields["ok"] == true)
    }

    @Test func isErrorIsAToolErrorWithItsText() {
        let failed = verdict(result(nil, isError: true, text: "disk full\nmore"))
        #expect(failed.failure?.code == .toolError)
        #expect(failed.failure?.message.hasSuffix("disk full") == true)
        #expect(failed.fields["text"] == "disk full\nmore")
        #expect(failed.fields["output_schema"] == "not_checked")
    }

    @Test func structuredContentIsCheckedAndItsAbsenceIsAMismatch() {
        #expect(verdict(result(["n": "one"])).failure?.code == .outputSchemaMismatch)
        let missing = verdict(result(nil))
        #expect(missing.failure?.code == .outputSchemaMismatch)
        #expect(missing.fields["schema_errors"]?.arrayValue?.first?["path"] == "$")
        // No outputSchema: nothing to check against, and that is said.
        #expect(verdict(result(nil), tool: ["name": "t"]).fields["output_schema"] == "absent")
    }

    @Test func brokenAnswersAreNamedWithTheirSize() {
        let cut = verdict(.truncated(received: 65536, expected: 1_048_658, detail: "closed"))
        #expect(cut.failure?.code == .answerTruncated)
        #expect(cut.fields["answer_bytes"] == 65536 && cut.fields["expected_bytes"] == 1_048_658)
        #expect(verdict(.invalid(bytes: 0, detail: "empty")).failure?.code == .invalidAnswer)
        #expect(verdict(.tooLarge(bytes: 1024)).failure?.code == .answerTooLarge)
        #expect(verdict(.result(["isError": false], bytes: 10)).failure?.code == .invalidAnswer)  // no content
        #expect(
            verdict(.result(["resultType": "input_required", "inputRequests": [:]], bytes: 10)).failure?.code
                == .inputRequired)
    }

    @Test func expectErrorAcceptsOnlyAFailureOfTheCallItself() {
        #expect(verdict(result(nil, isError: true), expectError: true).ok)
        #expect(verdict(.rpcError(RPCError(code: -32602, message: "bad"), bytes: 9), expectError: true).ok)
        #expect(verdict(result(["n": 1]), expectError: true).failure?.code == .unexpectedSuccess)
        #expect(
            verdict(.truncated(received: 1, expected: 2, detail: "x"), expectError: true).failure?.code
                == .answerTruncated)
    }
}
