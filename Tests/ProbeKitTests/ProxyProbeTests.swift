import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

extension ProbeServerTests {
    /// The per-server mode at library level: tool requirements per server and against the union,
    /// and the HTTP probe's verdict folded onto the per-server codes.
    @Suite(.timeLimit(.minutes(3))) struct ProxyProbeTests {
        static func stdioServer(_ name: String, tools: String) -> ProxyServer {
            let command = StdioFixtures.fault("banner", ["--tools", tools])
            return ProxyServer(name: name, transport: .stdio(command), disabled: false)
        }

        static func config(_ servers: [ProxyServer]) -> ProxyConfig {
            ProxyConfig(path: "test-proxy.json", servers: servers.sorted { $0.name < $1.name })
        }

        @Test func qualifiedRequirementFailsItsServerAndBareOnesCheckTheUnion() async throws {
            let configuration = try ProxyProbeConfiguration(
                config: Self.config([
                    Self.stdioServer("one", tools: "alpha,beta"), Self.stdioServer("two", tools: "gamma"),
                ]),
                requirements: [
                    ToolRequirement(server: "one", tool: "beta"), ToolRequirement(server: "two", tool: "delta"),
                    ToolRequirement(server: nil, tool: "gamma"), ToolRequirement(server: nil, tool: "nowhere"),
                ],
                deadline: .seconds(3))
            let report = await ProxyProbe.run(configuration)
            let one = try #require(report.server("one"))
            let two = try #require(report.server("two"))
            #expect(one.ok)
            #expect(one.tools == ["alpha", "beta"])
            #expect(two.error?.code == .toolNotListed)
            #expect(two.tools == ["gamma"])
            #expect(two.json["tools_missing"] == ["delta"])
            #expect(two.error?.message.hasPrefix("server two: ") == true)
            #expect(report.error?.code == .serversNotReady)
            #expect(report.error?.exit == .checkFailed)
            #expect(
                report.error?.message
                    == "1 of 2 servers not ready: two (tool_not_listed; takes delta); no server lists nowhere")
            // Each entry names the curated tools its server should serve.
            let entries = report.fields["servers"]?.arrayValue ?? []
            #expect(entries.first { $0["name"] == "two" }?["required_tools"] == ["delta"])
            #expect(entries.first { $0["name"] == "one" }?["required_tools"] == ["beta"])
            #expect(report.fields["tools_missing"] == ["nowhere"])
            #expect(report.fields["servers_failed"] == ["two"])
        }

        @Test func everyServerReadyButABareToolUnlistedIsToolNotListed() async throws {
            let configuration = try ProxyProbeConfiguration(
                config: Self.config([Self.stdioServer("one", tools: "alpha"), Self.stdioServer("two", tools: "beta")]),
                requirements: [
                    ToolRequirement(server: nil, tool: "beta"), ToolRequirement(server: nil, tool: "omega"),
                ],
                deadline: .seconds(10))
            let report = await ProxyProbe.run(configuration)
            #expect(report.servers.allSatisfy { $0.ok })
            #expect(report.error?.code == .toolNotListed)
            #expect(report.error?.message.contains("no server lists omega") == true)
            #expect(report.fields["servers_failed"] == [])

            let satisfied = try ProxyProbeConfiguration(
                config: configuration.config, requirements: [ToolRequirement(server: nil, tool: "beta")],
                deadline: .seconds(10))
            let ready = await ProxyProbe.run(satisfied)
            #expect(ready.ok, "\(ready.error?.description ?? "")")
            #expect(ready.fields["tools_missing"] == [])
        }

        @Test func httpServerToolWaitEndsAsToolNotListed() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "2"]) { _, url in
                let web = ProxyServer(name: "web", transport: .http(url: url, headers: []), disabled: false)
                let deadline: Duration = .seconds(2)
                let configuration = try ProxyProbeConfiguration(
                    config: Self.config([web]), requirements: [ToolRequirement(server: "web", tool: "tool_09")],
                    deadline: deadline)
                let clock = ContinuousClock()
                let began = clock.now
                let report = await ProxyProbe.run(configuration)
                let took = clock.now - began
                let check = try #require(report.server("web"))
                #expect(check.error?.code == .toolNotListed)
                #expect(check.tools == ["tool_00", "tool_01"])
                #expect(check.json["tools_missing"] == ["tool_09"])
                #expect(check.json["probe_code"] == "tools_not_ready")
                #expect(check.json["server_info"]?["name"] == "fixture-fastmcp")
                #expect(took < deadline + .seconds(2))
            }
        }
    }
}
