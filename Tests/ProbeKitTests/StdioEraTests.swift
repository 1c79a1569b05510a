import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

/// Both eras over stdio, against servers the probe starts itself: FastMCP (dual-era, the client's
/// first request decides a connection's era), and era_server.py with the SDK's handshake-only
/// and modern-only loops.
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(3))) struct StdioEraTests {
        static func eraServer(_ era: String, _ extra: [String] = []) -> StdioCommand {
            StdioCommand(
                command: ProjectPaths.python,
                arguments: ["\(ProbeFixtures.directory)/era_server.py", "--stdio", "--era", era] + extra)
        }

        static func describe(_ result: StdioProbeResult) -> String {
            result.failure.map { "\($0.code): \($0.message)" } ?? ""
        }

        @Test(arguments: [EraChoice.auto, .modern, .legacy])
        func fastMCPOverStdioSpeaksTheEraAskedWithTheSameTools(era: EraChoice) async throws {
            var configuration = StdioProbeConfiguration(
                command: StdioFixtures.fastMCP(["--tools", "5", "--page-size", "2", "--call-tools", "--resources", "1"]
                ),
                deadline: .seconds(30), era: EraSettings(choice: era), requiredTools: ["tool_04"])
            configuration.requiredResources = ["r0"]
            configuration.call = ToolCall(name: "tool_02", arguments: ["text": "x"])
            let result = await StdioProbe.run(configuration)
            #expect(result.ok, "\(Self.describe(result))")
            #expect(result.era == (era == .legacy ? .legacy : .modern))
            #expect(result.protocolVersion == (era == .legacy ? "2025-06-18" : "2026-07-28"))
            #expect(result.serverInfo?["name"] == "fixture-fastmcp")
            #expect(result.toolNames.prefix(5) == ["tool_00", "tool_01", "tool_02", "tool_03", "tool_04"])
            #expect(result.catalogFields["resources_count"] == 1)
            #expect(result.call?.ok == true)
            #expect(result.call?.fields["output_schema"] == "valid")
            #expect(result.call?.fields["text"] == "tool_02:x")
            #expect(result.eraFallback == nil)
        }

        @Test func autoFindsTheEraOfOneEraStdioServers() async throws {
            let legacy = await StdioProbe.run(
                StdioProbeConfiguration(command: Self.eraServer("legacy"), deadline: .seconds(30), listTools: true))
            #expect(legacy.ok, "\(Self.describe(legacy))")
            #expect(legacy.era == .legacy)
            // The SDK's handshake-only loop answers a discover before initialize with -32601.
            #expect(legacy.eraFallback == "server/discover answered JSON-RPC -32601: Method not found")
            #expect(legacy.toolNames.contains("strict"))

            let modern = await StdioProbe.run(
                StdioProbeConfiguration(command: Self.eraServer("modern"), deadline: .seconds(30), listTools: true))
            #expect(modern.ok, "\(Self.describe(modern))")
            #expect(modern.era == .modern)
            #expect(modern.supportedVersions == ["2026-07-28"])
            #expect(modern.toolNames == legacy.toolNames)
        }

        @Test func theWrongEraOverStdioIsNamed() async throws {
            let modernOnLegacy = await StdioProbe.run(
                StdioProbeConfiguration(
                    command: Self.eraServer("legacy"), deadline: .seconds(30), era: EraSettings(choice: .modern)))
            #expect(modernOnLegacy.failure?.code == .modernUnsupported)
            #expect(modernOnLegacy.rpcError?["code"] == -32601)

            let legacyOnModern = await StdioProbe.run(
                StdioProbeConfiguration(
                    command: Self.eraServer("modern"), deadline: .seconds(30), era: EraSettings(choice: .legacy)))
            #expect(legacyOnModern.failure?.code == .unsupportedProtocolVersion)
            #expect(legacyOnModern.rpcError?["data"]?["supported"] == ["2026-07-28"])
            #expect(legacyOnModern.supportedVersions == ["2026-07-28"])
        }

        /// A dual-era server's connection is locked by its first request: a discover answered
        /// -32022 (a version it does not serve) locks it modern, so the fallback initialize gets
        /// -32022 too, naming the mutual version: the SDK's re-probe reaches the modern era.
        @Test func aConnectionLockedModernIsReProbedAtTheMutualVersion() async throws {
            let result = await StdioProbe.run(
                StdioProbeConfiguration(
                    command: StdioFixtures.fastMCP(["--tools", "1"]), deadline: .seconds(30),
                    era: EraSettings(choice: .auto, protocolVersion: "2027-01-01"), listTools: true))
            #expect(result.ok, "\(Self.describe(result))")
            #expect(result.era == .modern)
            #expect(result.protocolVersion == "2026-07-28")
        }

        @Test func callsOverStdioAreJudgedAsOverHTTP() async throws {
            func call(_ name: String, _ arguments: JSONValue = [:], _ extra: [String] = []) async -> StdioProbeResult {
                var configuration = StdioProbeConfiguration(
                    command: Self.eraServer("modern", extra), deadline: .seconds(30))
                configuration.call = ToolCall(name: name, arguments: arguments)
                return await StdioProbe.run(configuration)
            }
            #expect(await call("fail").call?.failure?.code == .toolError)
            #expect(await call("bad_shape").call?.failure?.code == .outputSchemaMismatch)
            let rejected = await call("strict", ["count": "x"])
            #expect(rejected.call?.failure?.code == .callRejected)
            let big = await call("big", ["bytes": 1_048_576])
            #expect(big.ok, "\(Self.describe(big))")
            #expect(big.call?.fields["answer_bytes"]?.intValue ?? 0 > 1_048_576)
        }

        @Test func aStdioAnswerCutByTheServersExitIsAnswerTruncated() async throws {
            var configuration = StdioProbeConfiguration(
                command: StdioFixtures.fault("cut_call"), deadline: .seconds(20))
            configuration.call = ToolCall(name: "big")
            let result = await StdioProbe.run(configuration)
            #expect(result.failure?.code == .callFailed)
            #expect(result.call?.failure?.code == .answerTruncated)
            #expect(result.call?.fields["answer_bytes"] == 65536)
        }
    }
}
