import CodexKit
import Foundation
import SmokeCore
import Testing

@Suite struct OfferedToolsTests {
    @Test func namespacesOfARequestAreTheOfferedMCPTools() throws {
        let request = try JSONValue.parse(
            Data(
                #"""
                {"model": "scripted", "prompt_cache_key": "c1", "tools": [
                  {"type": "function", "name": "shell"},
                  {"type": "namespace", "name": "mcp__stelae", "tools": [{"name": "grep"}, {"name": "echo"}, {"name": "grep"}]},
                  {"type": "namespace", "name": "mcp__other", "tools": [{"name": "x"}, {"nameless": true}]},
                  {"type": "namespace", "name": "not_mcp", "tools": [{"name": "y"}]}]}
                """#.utf8), source: "request")
        let offered = try #require(OfferedTools(request: request))
        #expect(offered.byServer == ["stelae": ["echo", "grep"], "other": ["x"]])
        #expect(offered.offers(tool: "grep", server: "stelae") && !offered.offers(tool: "grep", server: "other"))
        #expect(OfferedTools(json: offered.json) == offered, "what is saved reads back the same")
        #expect(OfferedTools(request: ["input": []]) == nil, "no tools array: nothing was offered")
    }
}
