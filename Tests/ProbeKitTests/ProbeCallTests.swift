import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// `--call` over HTTP in both eras: a call that succeeds, one that returns isError, one whose
/// structured result breaks its outputSchema, one the server rejects; answers that arrive whole
/// (1 MiB) or not (cut at 64 KiB, empty), each named with its size.
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct ProbeCallTests {
        static func call(
            _ url: URL, _ name: String, _ arguments: JSONValue = [:], expectError: Bool = false, era: EraChoice = .auto
        ) async -> ProbeReport {
            var configuration = ProbeConfiguration(url: url, deadline: .seconds(10), era: EraSettings(choice: era))
            configuration.call = ToolCall(name: name, arguments: arguments, expectError: expectError)
            return await Probe(configuration: configuration).run()
        }

        @Test(arguments: ["legacy", "modern"])
        func eachVerdictOfACallInBothEras(era: String) async throws {
            try await ProbeFixtures.withEra(era) { server, url in
                let ok = await Self.call(url, "tool_01", ["text": "hi"])
                #expect(ok.ok, "\(ok.error?.description ?? "")")
                #expect(ok.fields["era"] == .string(era))
                let call = try #require(ok.fields["call"])
                #expect(call["ok"] == true && call["is_error"] == false)
                #expect(call["output_schema"] == "valid")
                #expect(call["text"] == "tool_01:hi")
                #expect(call["answer_bytes"]?.intValue ?? 0 > 0)
                #expect(call["result_type"] == (era == "modern" ? "complete" : nil))

                let failing = await Self.call(url, "fail")
                #expect(failing.code == .toolError)
                #expect(failing.error?.exit == .checkFailed)
                #expect(failing.fields["call"]?["text"] == "the fixture fails on purpose")
                #expect(failing.error?.message.contains("the fixture fails on purpose") == true)

                let offSchema = await Self.call(url, "bad_shape")
                #expect(offSchema.code == .outputSchemaMismatch)
                let errors = offSchema.fields["call"]?["schema_errors"]?.arrayValue ?? []
                #expect(errors.map { $0["path"] } == ["$.count", "$.items[1]"])
                #expect(offSchema.error?.message.contains("$.count") == true)

                let rejected = await Self.call(url, "strict", ["count": "three"])
                #expect(rejected.code == .callRejected)
                #expect(rejected.fields["call"]?["rpc_error"]?["code"] == -32602)

                let unchecked = await Self.call(url, "patterned")
                #expect(unchecked.ok)
                #expect(
                    unchecked.fields["call"]?["unchecked"] == [
                        ["keyword": "pattern", "schema_path": "#/properties/id"]
                    ])
            }
        }

        @Test func expectErrorInvertsTheVerdictOfAFailingCallOnly() async throws {
            try await ProbeFixtures.withEra("modern") { server, url in
                let failed = await Self.call(url, "fail", expectError: true)
                #expect(failed.ok)
                #expect(failed.fields["call"]?["failed_as_expected"] == "tool_error")
                let rejected = await Self.call(url, "strict", ["count": "x"], expectError: true)
                #expect(rejected.ok)
                #expect(rejected.fields["call"]?["failed_as_expected"] == "call_rejected")
                let succeeded = await Self.call(url, "tool_00", expectError: true)
                #expect(succeeded.code == .unexpectedSuccess)
                // A broken answer is not the failure a test of failure wants.
                let broken = await Self.call(url, "bad_shape", expectError: true)
                #expect(broken.code == .outputSchemaMismatch)
            }
        }

        @Test func aMebibyteAnswerArrivesWholeAndPasses() async throws {
            try await ProbeFixtures.withEra("modern") { server, url in
                let report = await Self.call(url, "big", ["bytes": 1_048_576])
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["call"]?["answer_bytes"]?.intValue ?? 0 > 1_048_576)
            }
            // FastMCP wraps a text result into structuredContent too: twice the bytes, checked whole.
            try await ProbeFixtures.withFastMCP(["--tools", "1", "--call-tools"]) { server, url in
                let report = await Self.call(url, "big", ["bytes": 1_048_576])
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["call"]?["answer_bytes"]?.intValue ?? 0 > 2 * 1_048_576)
                #expect(report.fields["call"]?["output_schema"] == "valid")
            }
        }

        /// FastMCP answers arguments it rejects with isError and the validation text.
        @Test func fastMCPRejectingArgumentsIsAToolErrorWithItsText() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "1", "--call-tools"]) { server, url in
                let report = await Self.call(url, "typed", ["count": "many"])
                #expect(report.code == .toolError)
                #expect(report.fields["call"]?["text"]?.stringValue?.contains("validation error") == true)
                let good = await Self.call(url, "typed", ["count": 2])
                #expect(good.ok)
            }
        }

        /// A server that cuts a 1 MiB answer at 64 KiB after announcing its whole length: the call
        /// is `answer_truncated` with the bytes that arrived and the length promised. (A cut
        /// connection may lose bytes in flight on the client side, so what arrived is at most 64 KiB.)
        @Test func answerCutAt64KiBIsAnswerTruncatedWithItsSize() async throws {
            try await ProbeFixtures.withFault("truncate_call") { server, url in
                let report = await Self.call(url, "big")
                #expect(report.code == .answerTruncated)
                let cut = try await offPool { try server.waitForLine(prefix: "CUT ") }.split(separator: " ")
                let call = try #require(report.fields["call"])
                let received = call["answer_bytes"]?.intValue ?? 0
                #expect(received > 0 && received <= Int64(cut[1])!)
                #expect(call["expected_bytes"]?.intValue == Int64(cut[2]))
                #expect(report.error?.message.contains("of \(cut[2])") == true)
                #expect(report.attempts(phase: "tools/call").count == 1)  // a call is never sent twice
            }
            // No Content-Length: the body ends where the connection does, in the middle of the JSON.
            try await ProbeFixtures.withFault("truncate_call_eof") { server, url in
                let report = await Self.call(url, "big")
                #expect(report.code == .answerTruncated)
                #expect(report.fields["call"]?["answer_bytes"] == 65536)
                #expect(report.fields["call"]?["expected_bytes"] == nil)
            }
        }

        @Test func emptyAnswerIsInvalidAnswerOfZeroBytes() async throws {
            try await ProbeFixtures.withFault("empty_call") { server, url in
                let report = await Self.call(url, "big")
                #expect(report.code == .invalidAnswer)
                #expect(report.fields["call"]?["answer_bytes"] == 0)
                #expect(report.error?.message.contains("(0 bytes)") == true)
            }
        }

        @Test func aCallWaitsForItsToolToBeListed() async throws {
            try await ProbeFixtures.withEra("modern") { server, url in
                var configuration = ProbeConfiguration(url: url, deadline: .seconds(2))
                configuration.call = ToolCall(name: "no_such_tool")
                let report = await Probe(configuration: configuration).run()
                #expect(report.code == .toolsNotReady)
                #expect(report.fields["tools_missing"] == ["no_such_tool"])
                #expect(report.fields["call"] == nil)
            }
        }

        @Test func requiredResourceThatNeverComesIsResourcesNotReady() async throws {
            try await ProbeFixtures.withEra("modern", ["--resources", "1"]) { server, url in
                var configuration = ProbeConfiguration(url: url, deadline: .seconds(2))
                configuration.requiredResources = ["resource://fixture/r0", "resource://fixture/r9"]
                let report = await Probe(configuration: configuration).run()
                #expect(report.code == .resourcesNotReady)
                #expect(report.fields["resources_missing"] == ["resource://fixture/r9"])
                #expect(report.fields["resources_count"] == 1)
                #expect(report.attempts(phase: "resources/list").count > 1)  // polled until the deadline
                #expect(report.error?.message.contains("missing resource://fixture/r9") == true)

                // A prompt required of a server that serves none: prompts/list is -32601, at once.
                var prompts = ProbeConfiguration(url: url, deadline: .seconds(5))
                prompts.requiredPrompts = ["prompt_0"]
                let noPrompts = await Probe(configuration: prompts).run()
                #expect(noPrompts.code == .jsonrpcError)
                #expect(noPrompts.fields["rpc_error"]?["code"] == -32601)
            }
        }
    }
}
