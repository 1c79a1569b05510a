import Foundation
import ProbeKit
import SmokeCore
import Testing

/// Pagination and requirements of the catalog wait, without a server.
@Suite struct CatalogWaitTests {
    @Test func pagesAreJoinedAndALoopingCursorIsRefused() {
        var pager = CatalogPager(kind: .tools)
        #expect(pager.absorb(["tools": [["name": "a"]], "nextCursor": "1"]) == .more)
        #expect(pager.params == ["cursor": "1"])
        #expect(pager.absorb(["tools": [["name": "b"]], "nextCursor": "2"]) == .more)
        #expect(
            pager.absorb(["tools": [], "nextCursor": "1"])
                == .failed("tools/list nextCursor repeats (1): pagination loops"))
        var done = CatalogPager(kind: .prompts)
        #expect(done.absorb(["prompts": [["name": "p"]]]) == .done([["name": "p"]]))
        var wrong = CatalogPager(kind: .resources)
        #expect(wrong.absorb(["tools": []]) == .failed("resources/list result has no \"resources\" array"))
    }

    @Test func resourcesAndPromptsAreListedWhereAdvertisedOrRequired() {
        let capabilities: JSONValue = ["tools": [:], "prompts": [:]]
        #expect(
            CatalogWait(requirements: CatalogRequirements(), capabilities: capabilities).kinds == [.tools, .prompts])
        let required = CatalogWait(requirements: CatalogRequirements(resources: ["r"]), capabilities: capabilities)
        #expect(required.kinds == [.tools, .resources, .prompts])
        #expect(required.isRequired(.resources) && !required.isRequired(.prompts))
    }

    @Test func aResourceIsFoundByUriOrName() {
        var wait = CatalogWait(
            requirements: CatalogRequirements(minTools: 1, resources: ["file:///a", "b"]), capabilities: nil)
        wait.record(.tools, [["name": "t"]])
        wait.record(.resources, [["uri": "file:///a", "name": "a"], ["uri": "file:///b", "name": "b"]])
        #expect(wait.done)
        #expect(wait.fields(failed: false) == ["resources_count": 2])
        wait.record(.resources, [["uri": "file:///a", "name": "a"]])
        #expect(wait.pending == [.resources])
        #expect(wait.failureCode == "resources_not_ready")
        #expect(wait.fields(failed: true)["resources_missing"] == ["b"])
    }
}
