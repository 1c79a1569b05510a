import CodexKit
import SmokeCore
import SmokeReportKit
import Testing

/// The offered step joins the live tools/list with the tools Codex offered: hidden tools with the
/// rule they break, renamed tools, offered tools nobody served; a curated tool Codex hid fails it.
@Suite struct ServedVsOfferedTests {
    static let served: JSONValue = [
        "tools": [
            ["name": "grep", "inputSchema": ["type": "object"]],
            ["name": "dotted.name", "inputSchema": ["type": "object"]],
            ["name": "nullroot", "inputSchema": ["type": "null"]],
        ]
    ]

    func document(curated: [String], offered: [String]) -> [String: JSONValue] {
        let manifest: JSONValue = ["tools": .array(curated.map { ["name": .string($0)] })]
        let stageAnswer: JSONValue = [
            "offered_tools": .array(offered.map(JSONValue.string)),
            "offered_by_server": ["stelae": .array(offered.map(JSONValue.string))],
        ]
        return ChainSteps.offeredDocument(
            OfferedRequest(
                stage: "s", stageJSON: "s.json", manifest: "manifest.json", out: "o.json", served: "tools.json"),
            manifest: manifest, stageAnswer: stageAnswer, elapsedMs: 0, served: Self.served)
    }

    @Test func aCuratedToolCodexDropsIsHiddenByClientWithItsRule() {
        let answer = document(curated: ["dotted.name", "grep", "nullroot"], offered: ["dotted_name", "extra", "grep"])
        #expect(answer["ok"] == false)
        #expect(answer["error"]?["code"] == "hidden_by_client")
        #expect(answer["error"]?["message"]?.stringValue?.contains("nullroot (input_schema_unconvertible") == true)
        #expect(answer["served_not_offered"]?.arrayValue?.map { $0["tool"] } == ["nullroot"])
        #expect(answer["served_not_offered"]?.arrayValue?.first?["rules"] == ["input_schema_unconvertible"])
        #expect(answer["renamed"] == [["served": "dotted.name", "offered": "dotted_name"]])
        #expect(answer["offered_not_served"] == ["extra"])
        // The renamed curated tool counts as offered.
        #expect(answer["missing"] == ["nullroot"])
    }

    @Test func anUncuratedHiddenToolIsReportedButPasses() {
        let answer = document(curated: ["grep"], offered: ["dotted_name", "grep"])
        #expect(answer["ok"] == true)
        #expect(answer["served_not_offered"]?.arrayValue?.count == 1)
        #expect(answer["offered_not_served"] == [])
    }
}
