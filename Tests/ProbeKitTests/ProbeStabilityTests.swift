import Foundation
import ProbeKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct CatalogStabilityTests {
    private func tool(_ name: String, _ type: String = "string") -> JSONValue {
        ["name": .string(name), "inputSchema": ["type": "object", "properties": ["x": ["type": .string(type)]]]]
    }

    @Test func addedRemovedAndChangedSchemasAreChanges() {
        var stability = CatalogStability(tools: [tool("a"), tool("b")], atMs: 10)
        #expect(stability.observe([tool("a"), tool("b")], atMs: 20).isEmpty)
        #expect(stability.lastChangeMs == 10)
        let events = stability.observe([tool("a", "integer"), tool("c")], atMs: 30)
        #expect(events.map(\.tool) == ["a", "b", "c"])
        #expect(events.map(\.change) == [.changed, .removed, .added])
        #expect(stability.lastChangeMs == 30)
        #expect(stability.events.count == 3)
        // A description or key order is not a schema change.
        var reordered = tool("a", "integer")
        reordered = ["inputSchema": reordered["inputSchema"]!, "name": "a", "description": "now documented"]
        #expect(stability.observe([reordered, tool("c")], atMs: 40).isEmpty)
    }

    @Test func pollIntervalIsAFifthClamped() {
        #expect(CatalogStability.pollInterval(.milliseconds(500)) == .milliseconds(100))
        #expect(CatalogStability.pollInterval(.milliseconds(100)) == .milliseconds(50))
        #expect(CatalogStability.pollInterval(.seconds(10)) == .milliseconds(250))
    }
}

/// `--stable-for` against a real FastMCP server that registers its other tools a while after it
/// starts answering (`--tools-delay`, measured from listening).
extension ProbeServerTests {
    @Suite(.timeLimit(.minutes(2))) struct ProbeStabilityTests {
        @Test func lateToolsAreWaitedForAndReported() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "3", "--tools-delay", "2"]) { server, url in
                // Without --stable-for the early list is enough to be ready.
                let early = await Probe(
                    configuration: ProbeConfiguration(url: url, deadline: .seconds(10), minTools: 1)
                ).run()
                #expect(early.ok, "\(early.error?.description ?? "")")
                #expect(early.toolNames == ["tool_00"])
                #expect(early.fields["catalog_changes"] == nil)

                // A window longer than the time to the late registration sees it (a 1 s window
                // opened at once would close before a change 2 s after listening).
                var configuration = ProbeConfiguration(url: url, deadline: .seconds(15))
                configuration.stableFor = .milliseconds(2500)
                let (report, took) = await timedProbe(configuration)
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.toolNames == ["tool_00", "tool_01", "tool_02"])
                let changes = try #require(report.fields["catalog_changes"]?.arrayValue)
                #expect(changes.map { $0["tool"] } == ["tool_01", "tool_02"])
                #expect(changes.allSatisfy { $0["change"] == "added" })
                let changedAt = try #require(changes.first?["at_ms"]?.intValue)
                let stableMs = try #require(report.fields["stable_ms"]?.intValue)
                #expect(stableMs >= changedAt + 2500)
                #expect(took < .seconds(15))
                _ = try server.waitForLine(prefix: "TOOLS_ENABLED", timeout: 10)
            }
        }

        @Test func listStillChangingAtTheDeadlineIsToolsUnstable() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "2", "--tools-delay", "1"]) { server, url in
                var configuration = ProbeConfiguration(url: url, deadline: .seconds(3))
                configuration.stableFor = .milliseconds(2500)
                let (report, took) = await timedProbe(configuration)
                #expect(report.code == .toolsUnstable)
                #expect(report.error?.exit == .checkFailed)
                #expect(report.fields["stable_ms"] == .null)
                #expect(report.fields["catalog_changes"]?.arrayValue?.first?["tool"] == "tool_01")
                #expect(report.fields["tools"] == ["tool_00", "tool_01"])
                #expect(took < .seconds(4))
            }
        }

        @Test func stableListWithoutChangesEndsAfterTheWindow() async throws {
            try await ProbeFixtures.withFastMCP(["--tools", "2"]) { server, url in
                var configuration = ProbeConfiguration(url: url, deadline: .seconds(10))
                configuration.stableFor = .milliseconds(500)
                let (report, took) = await timedProbe(configuration)
                #expect(report.ok, "\(report.error?.description ?? "")")
                #expect(report.fields["catalog_changes"] == [])
                let stableMs = try #require(report.fields["stable_ms"]?.intValue)
                let toolsReadyMs = try #require(report.fields["tools_ready_ms"]?.intValue)
                #expect(stableMs >= toolsReadyMs + 500)
                #expect(took < .seconds(3))
            }
        }
    }
}
