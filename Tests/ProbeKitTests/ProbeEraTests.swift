import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// The two MCP eras over streamable HTTP against servers of one era only (era_server.py, the
/// pinned SDK's low-level server) and the dual-era FastMCP: auto picks the era each speaks,
/// the era asked for is the era spoken or a clear code, mismatches are named with their data.
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct ProbeEraTests {
        static func probe(
            _ url: URL, _ era: EraChoice, protocolVersion: String? = nil, headers: [(name: String, value: String)] = [],
            minTools: Int = 0, deadline: Duration = .seconds(10)
        ) async -> ProbeReport {
            await Probe(
                configuration: ProbeConfiguration(
                    url: url, deadline: deadline, era: EraSettings(choice: era, protocolVersion: protocolVersion),
                    headers: headers,
                    minTools: minTools)
            ).run()
        }

        @Test func autoPicksTheHandshakeOnAHandshakeOnlyServerAndSaysWhy() async throws {
            try await ProbeFixtures.withEra("legacy") { server, url in
                let report = await Self.probe(url, .auto, minTools: 2)
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["era"] == "legacy")
                #expect(report.fields["protocol_version"] == "2025-06-18")
                #expect(report.fields["supported_versions"] == ["2025-06-18"])
                #expect(report.fields["server_info"]?["name"] == "era-legacy")
                // What an mcp 1.x server answers to a discover: 400 with -32600 (the SDK falls back on it).
                #expect(
                    report.fields["era_fallback"]
                        == "server/discover answered JSON-RPC -32600: Bad Request: Missing session ID")
                let discover = try #require(report.attempts.first)
                #expect(
                    discover["phase"] == "server/discover" && discover["status"] == 400
                        && discover["rpc_code"] == -32600)
                #expect(report.attempts(phase: "initialize").first?["outcome"] == "ok")
                #expect(report.fields["session_end"] == "deleted")
                #expect(report.toolNames.prefix(2) == ["tool_00", "tool_01"])
            }
        }

        @Test func autoPicksTheModernEraOnAModernOnlyServerWithNoHandshake() async throws {
            try await ProbeFixtures.withEra("modern") { server, url in
                let report = await Self.probe(url, .auto, minTools: 2)
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["era"] == "modern")
                #expect(report.fields["protocol_version"] == "2026-07-28")
                #expect(report.fields["supported_versions"] == ["2026-07-28"])
                #expect(report.fields["server_info"]?["name"] == "era-modern")
                #expect(report.fields["session"] == false && report.fields["session_end"] == "none")
                #expect(
                    report.attempts(phase: "initialize").isEmpty && report.attempts(phase: "delete_session").isEmpty)
                #expect(report.fields["result_type_missing"] == nil)
            }
        }

        @Test func modernRequestsCarryTheEnvelopeAndTheMatchingHeaders() async throws {
            try await ProbeFixtures.withEra("modern") { server, url in
                var configuration = ProbeConfiguration(
                    url: url, deadline: .seconds(10), era: EraSettings(choice: .modern), minTools: 1)
                configuration.call = ToolCall(name: "tool_01", arguments: ["text": "hé"])
                let report = await Probe(configuration: configuration).run()
                #expect(report.ok, "\(report.error?.description ?? "")")
                let requests = ProbeFixtures.eraRequests(server)
                #expect(requests.map { $0["method"]?.stringValue ?? "" }.allSatisfy { $0 == "POST" })
                for request in requests {
                    let body = try JSONValue.parse(Data((request["body"]?.stringValue ?? "").utf8), source: "REQ")
                    let meta = body["params"]?["_meta"]
                    #expect(meta?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
                    #expect(meta?["io.modelcontextprotocol/clientCapabilities"]?.objectValue != nil)
                    #expect(meta?["io.modelcontextprotocol/clientInfo"]?["name"] == "probe-initialize")
                    #expect(request["headers"]?["mcp-protocol-version"] == "2026-07-28")
                    #expect(request["headers"]?["mcp-method"] == body["method"])
                    #expect(request["headers"]?["mcp-session-id"] == nil)
                }
                let call = try #require(requests.last)
                #expect(call["headers"]?["mcp-method"] == "tools/call")
                #expect(call["headers"]?["mcp-name"] == "tool_01")
            }
        }

        @Test func modernOnAHandshakeOnlyServerIsModernUnsupportedAtOnce() async throws {
            try await ProbeFixtures.withEra("legacy") { server, url in
                let clock = ContinuousClock()
                let began = clock.now
                let report = await Self.probe(url, .modern)
                #expect(clock.now - began < .seconds(5))
                #expect(report.code == .modernUnsupported)
                #expect(report.error?.exit == .checkFailed)
                #expect(report.fields["era"] == .null)
                #expect(report.fields["rpc_error"]?["code"] == -32600)
                #expect(report.error?.message.contains("does not speak the modern era") == true)
                #expect(report.attempts.count == 1)  // an answer, not an outage: never retried
            }
        }

        @Test func legacyOnAModernOnlyServerIsUnsupportedProtocolVersionWithItsData() async throws {
            try await ProbeFixtures.withEra("modern") { server, url in
                let report = await Self.probe(url, .legacy)
                #expect(report.code == .unsupportedProtocolVersion)
                #expect(report.fields["rpc_error"]?["code"] == -32022)
                #expect(report.fields["rpc_error"]?["data"]?["supported"] == ["2026-07-28"])
                #expect(report.fields["rpc_error"]?["data"]?["requested"] == "2025-06-18")
                #expect(report.fields["supported_versions"] == ["2026-07-28"])
                #expect(report.error?.message.contains("the modern era") == true)
                #expect(report.attempts.count == 1)
            }
        }

        /// -32022 whose supported list is modern-only and shares nothing with this client: the one
        /// answer `auto` does not fall back on (nor retry).
        @Test func disjointModernVersionsAreUnsupportedWithoutFallback() async throws {
            try await ProbeFixtures.withEra("modern", ["--supported", "2099-01-01"]) { server, url in
                for era in [EraChoice.auto, .modern] {
                    let report = await Self.probe(url, era)
                    #expect(report.code == .unsupportedProtocolVersion, "\(era)")
                    #expect(report.fields["rpc_error"]?["data"]?["supported"] == ["2099-01-01"])
                    #expect(report.attempts.map { $0["phase"] } == ["server/discover"])
                    #expect(report.fields["era_fallback"] == nil)
                }
            }
        }

        /// -32022 naming a mutual modern version: discover once more at that version (the SDK's
        /// corrective re-probe), not a failure.
        @Test func unsupportedVersionNamingAMutualOneIsAskedAgainAtIt() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "1"]) { server, url in
                let report = await Self.probe(url, .auto, protocolVersion: "2027-01-01")
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["era"] == "modern")
                let discovers = report.attempts(phase: "server/discover")
                #expect(discovers.map { $0["protocol_version"] } == ["2027-01-01", "2026-07-28"])
                #expect(discovers.first?["rpc_code"] == -32022)
            }
        }

        /// A gateway that rewrites a routing header (reproduced with --header): the server's -32020
        /// is reported with its message in modern; `auto` falls back on it as the SDK does, and says so.
        @Test func headerMismatchIsNamedInModernAndAFallbackReasonInAuto() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "1"]) { server, url in
                let wrong = [(name: "Mcp-Method", value: "tools/list")]
                let modern = await Self.probe(url, .modern, headers: wrong)
                #expect(modern.code == .headerMismatch)
                #expect(modern.fields["rpc_error"]?["code"] == -32020)
                #expect(modern.fields["rpc_error"]?["message"]?.stringValue?.contains("mcp-method") == true)
                #expect(modern.attempts.count == 1)

                let auto = await Self.probe(url, .auto, headers: wrong)
                #expect(auto.ok)
                #expect(auto.fields["era"] == "legacy")
                #expect(auto.fields["era_fallback"]?.stringValue?.contains("-32020") == true)
            }
        }

        /// The same dual-era FastMCP in each era gives the same tools (pinned here for the era
        /// fixture too: both one-era servers list the same catalog).
        @Test func oneEraServersListTheSameCatalogTheirEraGives() async throws {
            var catalogs: [[String]] = []
            for era in ["legacy", "modern"] {
                try await ProbeFixtures.withEra(era, ["--resources", "2", "--prompts", "1"]) { server, url in
                    var configuration = ProbeConfiguration(url: url, deadline: .seconds(10), minTools: 1)
                    configuration.requiredResources = ["resource://fixture/r1", "r0"]
                    configuration.requiredPrompts = ["prompt_0"]
                    let report = await Probe(configuration: configuration).run()
                    #expect(report.ok, "\(report.error?.description ?? "")")
                    #expect(report.fields["era"] == .string(era))
                    #expect(report.fields["resources_count"] == 2)
                    #expect(report.fields["prompts_count"] == 1)
                    catalogs.append(report.toolNames)
                }
            }
            #expect(catalogs.count == 2 && catalogs[0] == catalogs[1])
        }
    }
}
