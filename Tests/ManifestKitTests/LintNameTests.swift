import Foundation
import SmokeCore
import Testing

@testable import ManifestKit

/// The names the pinned Codex gives MCP tools. Every expected name below (hash suffixes
/// included) was read from the model request of a real Codex 0.163.0 run against a server
/// serving those tools; CodexAcceptanceTests repeats the check against the binary.
@Suite struct LintNameTests {
    @Test func sha1MatchesKnownDigests() {
        #expect(SHA1.hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hex(String(repeating: "a", count: 1_000)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        #expect(
            SHA1.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test(arguments: [
        ("plain_name", "plain_name"), ("dotted.name", "dotted_name"), ("hyphen-name", "hyphen_name"),
        ("slash/name", "slash_name"), ("space name", "space_name"), ("unicodé", "unicod_"), ("", "_"),
        ("Upper-Case", "Upper_Case"), ("mcp__x", "mcp__x"), ("日本", "__"),
    ])
    func charactersOutsideTheAlphabetBecomeUnderscores(name: String, sanitized: String) {
        #expect(CodexToolNames.sanitize(name) == sanitized)
    }

    @Test(arguments: [
        ("stelae", "mcp__stelae"), ("my-Stack_2", "mcp__my_Stack_2"), ("my.stack", "mcp__my_stack"),
        ("mcp__foo", "mcp__foo"),
    ])
    func namespaceIsTheSanitizedServerName(server: String, namespace: String) {
        #expect(CodexToolNames.namespace(server: server) == namespace)
    }

    @Test func collidingNamesBothGetTheirIdentityHash() {
        let names = CodexToolNames.assign(server: "stelae", names: ["dup.collide", "dup_collide", "plain"]).map(\.name)
        #expect(names == ["dup_collide_ac0751700341", "dup_collide_c7fb852dd332", "plain"])
    }

    @Test func namesLongerThanTheLimitAreCutAndHashed() {
        // mcp__stelae (11) + __ (2) + name <= 128: 115 characters fit.
        let fits = "e115" + String(repeating: "x", count: 111)
        let long = "e116" + String(repeating: "x", count: 112)
        let assigned = CodexToolNames.assign(server: "stelae", names: [fits, long])
        #expect(assigned[0].name == fits && !assigned[0].tooLong)
        #expect(assigned[1].name == "e116" + String(repeating: "x", count: 98) + "_e1fb7a45b521")
        #expect(assigned[1].tooLong && assigned[1].name.count == 115)
        let other = CodexToolNames.assign(
            server: "my-Stack_2", names: [String(repeating: "g", count: 111), String(repeating: "h", count: 112)])
        #expect(other[0].name == String(repeating: "g", count: 111))
        #expect(other[1].name == String(repeating: "h", count: 98) + "_d7be0a657944")
    }

    @Test func longCollidingNamesKeepOneSuffix() {
        let base = String(repeating: "L", count: 110)
        let assigned = CodexToolNames.assign(server: "stelae", names: [base + ".x", base + "_x"])
        #expect(assigned[0].name == String(repeating: "L", count: 102) + "_56e6ec76a8ce")
        #expect(assigned[1].name == String(repeating: "L", count: 102) + "_45e0732b744f")
        #expect(assigned.allSatisfy { $0.tooLong && !$0.collidesWith.isEmpty })
    }

    @Test func aNameEqualToAnotherToolsFinalNameIsHashed() {
        // "a.b" and "a_b" collide and are hashed (a_b_92613d5be871, as in a real run). A third
        // tool served under exactly that name finds it taken, since Codex settles names in the
        // byte order of the raw identities, and is hashed in turn (not seen in a real run).
        let assigned = CodexToolNames.assign(server: "stelae", names: ["a.b", "a_b", "a_b_92613d5be871"])
        #expect(assigned[1].name == "a_b_92613d5be871")
        #expect(assigned[2].takenBy == 1 || assigned[1].takenBy == 2)
        #expect(Set(assigned.map(\.name)).count == 3)
    }
}
