import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// One misbehaving server per case: each run ends with the right outcome and code, and never
/// later than deadline + 1 s.
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct ProbeFaultTests {
        struct Case: Sendable, CustomStringConvertible {
            var mode: String
            var extra: [String] = []
            var code: ErrorCode?
            var outcome: String
            /// Whether the probe must have retried (a transient failure) or stopped at once.
            var retried: Bool
            var description: String { ([mode] + extra).joined(separator: " ") }
        }

        static let deadline: Duration = .seconds(2)
        static let attemptTimeout: Duration = .milliseconds(500)

        static let cases: [Case] = [
            Case(mode: "refuse", code: .connectionRefused, outcome: "refused", retried: true),
            Case(mode: "status", extra: ["--status", "500"], code: .httpStatus, outcome: "http_status", retried: true),
            Case(mode: "status", extra: ["--status", "503"], code: .httpStatus, outcome: "http_status", retried: true),
            Case(
                mode: "status", extra: ["--status", "400"], code: .httpStatus, outcome: "http_status", retried: false),
            Case(
                mode: "status", extra: ["--status", "401"], code: .httpStatus, outcome: "http_status", retried: false),
            Case(
                mode: "status", extra: ["--status", "404"], code: .httpStatus, outcome: "http_status", retried: false),
            Case(
                mode: "status", extra: ["--status", "405"], code: .httpStatus, outcome: "http_status", retried: false),
            Case(
                mode: "status", extra: ["--status", "415"], code: .httpStatus, outcome: "http_status", retried: false),
            Case(mode: "status406", code: .notAcceptable, outcome: "not_acceptable", retried: false),
            Case(mode: "garbage", code: .invalidBody, outcome: "invalid_body", retried: false),
            Case(mode: "empty_body", code: .invalidBody, outcome: "empty_body", retried: true),
            Case(mode: "sse_no_data", code: .invalidBody, outcome: "sse_no_response", retried: true),
            Case(mode: "slow", extra: ["--delay", "3"], code: .timeout, outcome: "timeout", retried: true),
            Case(mode: "hang", code: .timeout, outcome: "timeout", retried: true),
            Case(mode: "mid_body", code: .connectionReset, outcome: "reset", retried: true),
            Case(mode: "jsonrpc_error", code: .jsonrpcError, outcome: "jsonrpc_error", retried: false),
            Case(mode: "huge", code: .invalidBody, outcome: "body_too_large", retried: false),
        ]

        static let legacy = EraSettings(choice: .legacy)

        /// The handshake era alone: exactly the initialize attempts the fault calls for.
        @Test(arguments: cases)
        func faultEndsWithItsCodeWithinTheDeadline(_ fault: Case) async throws {
            try await ProbeFixtures.withFault(fault.mode, fault.extra) { server, url in
                let (report, took) = await timedProbe(
                    ProbeConfiguration(
                        url: url, deadline: Self.deadline, attemptTimeout: Self.attemptTimeout, era: Self.legacy))
                #expect(report.code == fault.code)
                #expect(report.error?.exit == .checkFailed)
                #expect(report.fields["ready_ms"] == .null)
                let initialize = report.attempts(phase: "initialize")
                #expect(initialize.last?["outcome"]?.stringValue == fault.outcome)
                #expect(initialize.allSatisfy { $0["outcome"]?.stringValue == fault.outcome })
                if fault.retried {
                    #expect(initialize.count >= 2)
                    // Each retry waited, and the waits grew until the cap.
                    let delays = initialize.compactMap { $0["delay_ms"]?.intValue }
                    #expect(delays.first == 0 && delays.dropFirst().allSatisfy { $0 > 0 })
                } else {
                    #expect(initialize.count == 1)
                }
                #expect(took < Self.deadline + .seconds(1), "took \(took)")
                // Every attempt that failed says why.
                #expect(initialize.allSatisfy { $0["error"]?.stringValue?.isEmpty == false })
            }
        }

        /// The same faults with era negotiation in front (`auto`, the default): the verdict is the
        /// same code, named after the same last outcome, within the same bound. A transient fault is
        /// never taken for an era verdict, and a fallback never hides why the server is not ready.
        @Test(arguments: cases)
        func faultKeepsItsCodeUnderEraNegotiation(_ fault: Case) async throws {
            try await ProbeFixtures.withFault(fault.mode, fault.extra) { server, url in
                let (report, took) = await timedProbe(
                    ProbeConfiguration(url: url, deadline: Self.deadline, attemptTimeout: Self.attemptTimeout))
                #expect(report.code == fault.code)
                #expect(report.fields["era"] == .null)
                #expect(report.attempts.first?["phase"] == "server/discover")
                #expect(report.attempts.last?["outcome"]?.stringValue == fault.outcome)
                if fault.retried { #expect(report.attempts.count >= 2) }
                #expect(took < Self.deadline + .seconds(1), "took \(took)")
            }
        }

        @Test func garbageBodyIsShownInThePreview() async throws {
            try await ProbeFixtures.withFault("garbage") { server, url in
                let report = await Probe(configuration: ProbeConfiguration(url: url, deadline: Self.deadline)).run()
                let attempt = try #require(report.attempts.first)
                #expect(attempt["status"] == 200)
                #expect(attempt["content_type"] == "text/html")
                #expect(attempt["body_preview"]?.stringValue?.contains("It works!") == true)
            }
        }

        @Test func jsonRPCErrorCarriesCodeAndMessage() async throws {
            try await ProbeFixtures.withFault("jsonrpc_error") { server, url in
                let report = await Probe(configuration: ProbeConfiguration(url: url, deadline: Self.deadline)).run()
                // server/discover was answered -32601 (a fallback), initialize -32602: the verdict's.
                #expect(report.fields["era_fallback"] == "server/discover answered JSON-RPC -32601: Method not found")
                #expect(report.fields["rpc_error"]?["code"] == -32602)
                #expect(report.fields["rpc_error"]?["message"] == "Invalid params: clientInfo is required")
                #expect(report.error?.message.contains("-32602") == true)
            }
        }

        @Test func hugeAnswerStopsAtTheCapQuickly() async throws {
            try await ProbeFixtures.withFault("huge") { server, url in
                let (report, took) = await timedProbe(
                    ProbeConfiguration(url: url, deadline: .seconds(10), era: Self.legacy, maxBodyBytes: 64 * 1024))
                #expect(report.outcomes == ["body_too_large"])
                #expect(took < .seconds(5))
                #expect((report.attempts.first?["body_preview"]?.stringValue?.count ?? 0) <= 513)
            }
        }

        @Test func badGatewayTwiceThenReady() async throws {
            try await ProbeFixtures.withFault("flaky502") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), era: Self.legacy, minTools: 2)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let initialize = report.attempts(phase: "initialize")
                #expect(initialize.map { $0["status"] } == [502, 502, 200])
                #expect(initialize.map { $0["outcome"] } == ["http_status", "http_status", "ok"])
                #expect(report.toolNames == ["alpha", "beta"])
            }
        }

        /// auto: a 502 to discover falls back to initialize (as the SDK's client does), whose own
        /// 502 ends the round; the next round asks discover again, so an endpoint that comes up
        /// later is met in whatever era it then answers (here the handshake: discover is -32601).
        @Test func badGatewayUnderEraNegotiationRetriesTheWholeRound() async throws {
            try await ProbeFixtures.withFault("flaky502") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), minTools: 2)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let steps = report.attempts.prefix(4).map {
                    "\($0["phase"]?.stringValue ?? "") \($0["status"]?.intValue ?? 0)"
                }
                #expect(steps == ["server/discover 502", "initialize 502", "server/discover 200", "initialize 200"])
                #expect(report.attempts[2]["delay_ms"]?.intValue ?? 0 > 0)  // the round waited a backoff step
                #expect(report.fields["era"] == "legacy")
                #expect(report.toolNames == ["alpha", "beta"])
            }
        }

        @Test func retryAfterIsHonoured() async throws {
            try await ProbeFixtures.withFault("retry_after") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), era: Self.legacy)
                ).run()
                #expect(report.ok)
                let initialize = report.attempts(phase: "initialize")
                #expect(initialize.first?["retry_after_ms"] == 1000)
                #expect((initialize.dropFirst().first?["delay_ms"]?.intValue ?? 0) >= 1000)
            }
        }

        @Test func retryAfterBeyondTheDeadlineStopsAtOnce() async throws {
            try await ProbeFixtures.withFault("retry_after") { server, url in
                let (report, took) = await timedProbe(
                    ProbeConfiguration(url: url, deadline: .milliseconds(700), era: Self.legacy))
                #expect(report.code == .httpStatus)
                #expect(report.outcomes == ["http_status"])
                #expect(took < .milliseconds(700))
            }
        }

        @Test func redirect307IsFollowedWithMethodAndBody() async throws {
            try await ProbeFixtures.withFault("redirect") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), era: Self.legacy, minTools: 1)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let first = try #require(report.attempts.first)
                #expect(first["outcome"] == "redirect")
                #expect(first["status"] == 307)
                #expect(first["location"] == "/mcp/")
                #expect(report.fields["endpoint"]?.stringValue?.hasSuffix("/mcp/") == true)
                let requests = try await ProbeFixtures.requests(server)
                let followed = try #require(requests.dropFirst().first)
                #expect(followed["method"] == "POST")
                #expect(followed["path"] == "/mcp/")
                #expect(followed["body"]?.stringValue?.contains("\"method\":\"initialize\"") == true)
                // Later requests go straight to the new endpoint.
                #expect(requests.dropFirst(2).allSatisfy { $0["path"] == "/mcp/" })
            }
        }

        @Test func sseWithInterleavedEventsFindsTheResponse() async throws {
            try await ProbeFixtures.withFault("sse_mcp") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), minTools: 2)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["server_info"]?["name"] == "fault-sse_mcp")
                #expect(report.toolNames == ["alpha", "beta"])
            }
        }

        @Test func expiredSessionIsInitializedAgain() async throws {
            try await ProbeFixtures.withFault("expire") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), minTools: 2)
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.outcomes.contains("session_expired"))
                #expect(report.attempts(phase: "initialize").count == 2)
            }
        }

        @Test func requestsCarryTheHeadersTheSpecAsksFor() async throws {
            try await ProbeFixtures.withFault("mcp") { server, url in
                let report = await Probe(
                    configuration: ProbeConfiguration(
                        url: url, deadline: .seconds(10), era: Self.legacy, headers: [("X-Extra", "yes")], minTools: 1)
                ).run()
                #expect(report.ok)
                let requests = try await ProbeFixtures.requests(server)
                #expect(requests.map { $0["method"]?.stringValue ?? "" } == ["POST", "POST", "POST", "DELETE"])
                let initialize = requests[0]
                #expect(initialize["headers"]?["accept"] == "application/json, text/event-stream")
                #expect(initialize["headers"]?["content-type"] == "application/json")
                #expect(initialize["headers"]?["mcp-protocol-version"] == nil)
                #expect(initialize["headers"]?["x-extra"] == "yes")
                let body = try JSONValue.parse(Data((initialize["body"]?.stringValue ?? "").utf8), source: "body")
                #expect(body["params"]?["protocolVersion"] == "2025-06-18")
                #expect(body["params"]?["capabilities"]?.objectValue != nil)
                #expect(body["params"]?["clientInfo"]?["name"] == "probe-initialize")
                for later in requests.dropFirst() {
                    #expect(later["headers"]?["mcp-protocol-version"] == "2025-06-18")
                    #expect(later["headers"]?["mcp-session-id"]?.stringValue?.hasPrefix("sess-") == true)
                }
                #expect(
                    try JSONValue.parse(Data((requests[1]["body"]?.stringValue ?? "").utf8), source: "b")["method"]
                        == "notifications/initialized")
                #expect(report.fields["session_end"] == "deleted")
                // The session id went out on the wire but never into the report.
                let session = try #require(requests[1]["headers"]?["mcp-session-id"]?.stringValue)
                #expect(report.fields["session"] == true)
                #expect(!JSONValue.object(report.fields).encodedString().contains(session))
            }
        }

        @Test func credentialHeaderWorksAndIsNeverPrinted() async throws {
            let token = "s3cr3t-\(UUID().uuidString)"
            try await ProbeFixtures.withFault("auth", ["--token", token]) { server, url in
                let header = try ProbeConfiguration.parseHeader("Authorization: Bearer \(token)")
                let report = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), headers: [header])
                ).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let printed = Redactor.shared.redact(JSONValue.object(report.fields).encodedString())
                #expect(!printed.contains(token))

                let unauthenticated = await Probe(configuration: ProbeConfiguration(url: url, deadline: .seconds(10)))
                    .run()
                #expect(unauthenticated.code == .httpStatus)
                #expect(unauthenticated.attempts.first?["status"] == 401)
            }
        }

        /// Backoff steps of 0.6 s then 1.2 s would skip from 0.6 s to 1.8 s, past a 1.5 s deadline;
        /// the probe pulls one last attempt in to 1.4 s and sees the server that listens at 0.9 s.
        @Test func lastAttemptBeforeTheDeadlineCatchesALateServer() async throws {
            try await ProbeFixtures.withFault("mcp", ["--listen-delay", "0.9"]) { server, url in
                let configuration = ProbeConfiguration(
                    url: url, deadline: .milliseconds(1500), initialDelay: .milliseconds(600), maxDelay: .seconds(5),
                    era: Self.legacy)
                let report = await Probe(configuration: configuration, random: { 0.999_999 }).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let initialize = report.attempts(phase: "initialize")
                #expect(initialize.map { $0["outcome"]?.stringValue ?? "" } == ["refused", "refused", "ok"])
                let lastAt = initialize.last?["at_ms"]?.intValue ?? 0
                #expect(lastAt >= 1300 && lastAt < 1500)
            }
        }

        @Test func unwritableToolsOutIsAnEnvironmentError() async throws {
            try await ProbeFixtures.withFault("mcp") { server, url in
                let temp = try TempDirectory()
                let blocker = try temp.write("file", "not a directory")
                let report = await Probe(
                    configuration: ProbeConfiguration(
                        url: url, deadline: .seconds(5), toolsOut: "\(blocker)/tools.json")
                ).run()
                #expect(report.code == .writeFailed)
                #expect(report.error?.exit == .environment)
                #expect(report.error?.message.contains(blocker) == true)
            }
        }

        @Test func zeroDeadlineIsDeadlineExceeded() async throws {
            try await ProbeFixtures.withFault("mcp") { server, url in
                let report = await Probe(configuration: ProbeConfiguration(url: url, deadline: .zero)).run()
                #expect(report.code == .deadlineExceeded)
                #expect(report.attempts.isEmpty)
            }
        }
    }
}
