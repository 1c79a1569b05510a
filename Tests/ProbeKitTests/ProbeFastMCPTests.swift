import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// The probe against a real FastMCP server from the pinned venv, in both answer modes.
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct ProbeFastMCPTests {
        /// FastMCP 4.1.6 serves both eras on one endpoint: each era asked for is the era spoken,
        /// with the same paginated tool list; `auto` meets it in the modern era. One server per
        /// answer mode, probed in each era in turn (a probe leaves no session behind).
        @Test(arguments: [false, true])
        func paginatedToolWaitInEachEra(jsonResponse: Bool) async throws {
            // 7 tools, 3 per page: a complete listing needs three tools/list calls with nextCursor.
            let arguments = ["--tools", "7", "--page-size", "3"] + (jsonResponse ? ["--json-response"] : [])
            try await ProbeFixtures.withFastMCP(arguments) { server, url in
                for era in [EraChoice.auto, .modern, .legacy] {
                    try await expectPaginatedToolWait(url: url, era: era, jsonResponse: jsonResponse)
                }
            }
        }

        private func expectPaginatedToolWait(url: URL, era: EraChoice, jsonResponse: Bool) async throws {
            let temp = try TempDirectory()
            let toolsOut = temp.file("tools.json")
            let report = await Probe(
                configuration: ProbeConfiguration(
                    url: url, deadline: .seconds(20), era: EraSettings(choice: era), minTools: 7,
                    requiredTools: ["tool_06"],
                    toolsOut: toolsOut)
            ).run()

            #expect(report.ok, "era \(era): \(report.error?.description ?? "")")
            let modern = era != .legacy
            #expect(report.fields["era"] == .string(modern ? "modern" : "legacy"))
            #expect(report.fields["era_asked"] == .string(era.rawValue))
            #expect(report.fields["server_info"]?["name"] == "fixture-fastmcp")
            #expect(report.fields["server_info"]?["version"] == "9.8.7")
            #expect(report.fields["protocol_version"] == (modern ? "2026-07-28" : "2025-06-18"))
            #expect(report.fields["supported_versions"] == (modern ? ["2026-07-28"] : ["2025-06-18"]))
            #expect(report.fields["capabilities"]?["tools"] != nil)
            #expect(report.fields["session"] == .bool(!modern))
            #expect(report.fields["session_end"] == (modern ? "none" : "deleted"))
            #expect(report.fields["era_fallback"] == nil)
            #expect(report.toolNames == (0..<7).map { String(format: "tool_%02d", $0) })
            #expect(report.attempts(phase: "tools/list").count == 3)
            let first = try #require(report.attempts.first)
            #expect(first["phase"] == (modern ? "server/discover" : "initialize"))
            #expect(report.attempts(phase: modern ? "initialize" : "server/discover").isEmpty)
            if !modern {
                let contentType = first["content_type"]?.stringValue ?? ""
                #expect(contentType.hasPrefix(jsonResponse ? "application/json" : "text/event-stream"))
                #expect(report.attempts(phase: "notifications/initialized").first?["status"] == 202)
            }
            // Resources and prompts are advertised: counted, nothing required.
            #expect(report.fields["resources_count"] == 0)
            #expect(report.fields["prompts_count"] == 0)

            let written = try JSONValue.load(path: toolsOut)
            #expect(written["tools"]?.arrayValue?.count == 7)
            #expect(written["tools"]?.arrayValue?.first?["inputSchema"] != nil)
            let readyMs = try #require(report.fields["ready_ms"]?.intValue)
            let toolsReadyMs = try #require(report.fields["tools_ready_ms"]?.intValue)
            #expect(readyMs <= toolsReadyMs)
        }

        @Test func olderProtocolVersionIsNegotiatedAndSentAsHeader() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "2"]) { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(
                        url: url, deadline: .seconds(20),
                        era: EraSettings(choice: .legacy, protocolVersion: "2025-03-26"), minTools: 2)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                // FastMCP rejects a request whose MCP-Protocol-Version header it does not support, so a
                // passing tools/list shows the negotiated version went out as the header.
                #expect(report.fields["protocol_version"] == "2025-03-26")
                #expect(report.toolNames.count == 2)
            }
        }

        /// The server binds, refuses connections for 1.5 s, then serves. The probe must report ready
        /// within 100 ms of the server's first good answer, and not lag its listening by much more
        /// than one --max-delay-ms.
        @Test func lateListenerIsSeenWithin100msOfItsFirstGoodAnswer() async throws {
            try await ProbeFixtures.withFastMCP(["--listen-delay", "1.5", "--tools", "1"], waitReady: false) {
                server, url in
                let maxDelayMs: Int64 = 100
                let startedWall = Date()
                let report = await Probe(
                    configuration: ProbeConfiguration(
                        url: url, deadline: .seconds(20), maxDelay: .milliseconds(maxDelayMs))
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let readyMs = try #require(report.fields["ready_ms"]?.intValue)
                let readyWall = startedWall.addingTimeInterval(Double(readyMs) / 1000)
                let firstOK = try await ProbeFixtures.timestamp(server, "FIRST_OK")
                let listening = try await ProbeFixtures.timestamp(server, "LISTEN")

                #expect(report.outcomes.first == "refused")
                #expect(report.outcomes.filter { $0 == "refused" }.count >= 5)
                let lagAfterAnswer = readyWall.timeIntervalSince(firstOK)
                #expect(
                    lagAfterAnswer > -0.05 && lagAfterAnswer < 0.1,
                    "ready \(lagAfterAnswer * 1000) ms after the first good answer")
                // One backoff step (≤ max delay) plus the exchange itself; generous for a loaded machine.
                let lagAfterListen = firstOK.timeIntervalSince(listening)
                #expect(
                    lagAfterListen < Double(maxDelayMs) / 1000 + 0.5,
                    "first good answer \(lagAfterListen * 1000) ms after listening")
            }
        }

        /// The first two listings hold only tool_00 (counted by the server, not timed from its
        /// start, which a loaded machine could outlast before the probe's first list).
        @Test func toolWaitPollsUntilLateToolsAppear() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "4", "--tools-after-lists", "2"]) { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(20), requiredTools: ["tool_03"])
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.toolNames.contains("tool_03"))
                #expect(report.attempts(phase: "tools/list").count == 3)
                let listedThrice = try await awaitCondition(seconds: 10) { server.stderr.contains("TOOLS_LISTED 3\n") }
                #expect(listedThrice, "\(server.stderr)")
            }
        }

        @Test func missingToolIsToolsNotReadyWithSeenAndMissing() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "2"]) { server, url in
                let temp = try TempDirectory()
                let deadline: Duration = .seconds(3)
                let (report, took) = await timedProbe(
                    ProbeConfiguration(
                        url: url, deadline: deadline, minTools: 3, requiredTools: ["tool_01", "grep"],
                        toolsOut: temp.file("t.json")))
                #expect(report.code == .toolsNotReady)
                #expect(report.error?.exit == .checkFailed)
                #expect(report.fields["tools"] == ["tool_00", "tool_01"])
                #expect(report.fields["tools_missing"] == ["grep"])
                #expect(report.error?.message.contains("at least 3") == true)
                #expect(report.fields["ready_ms"]?.intValue != nil)
                #expect(took < deadline + .seconds(1))
                // The last complete listing is still written for drift checks.
                #expect(try JSONValue.load(path: temp.file("t.json"))["tools"]?.arrayValue?.count == 2)
            }
        }

        @Test func waitPortRecordsTCPAttemptsBeforeHTTP() async throws {
            try await ProbeFixtures.withFastMCP(["--listen-delay", "0.8", "--tools", "1"], waitReady: false) {
                server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(20), waitPort: true)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let portOutcomes = report.attempts(phase: "wait_port").compactMap { $0["outcome"]?.stringValue }
                #expect(portOutcomes.first == "port_refused")
                #expect(portOutcomes.last == "port_open")
                #expect(report.attempts.first?["phase"] == "wait_port")
                #expect(report.attempts(phase: "server/discover").first?["outcome"] == "ok")
            }
        }
    }
}
