import SmokeCore
import Testing

@Suite struct ByteSearchTests {
    @Test(arguments: [
        ("abc", "abc", true), ("xxabc", "abc", true), ("abcxx", "abc", true), ("xabcx", "abc", true),
        ("aaab", "aab", true),  // the first candidate fails half-way, the next one matches
        ("abab", "abb", false), ("ab", "abc", false), ("", "a", false), ("abc", "", true),
        ("path/KEY-1234567/x", "KEY-1234567", true), ("KEY-123456", "KEY-1234567", false),
    ])
    func findsExactlyTheOccurrences(haystack: String, needle: String, found: Bool) {
        #expect(ByteSearch.contains(Array(haystack.utf8), Array(needle.utf8)) == found)
        #expect(haystack.contains(needle) == found || needle.isEmpty, "the same answer as String.contains")
    }
}

extension RedactorTests {
    @Test func aDocumentIsRedactedInKeysAndNestedStringsAndUnchangedWithoutSecrets() {
        let document: JSONValue = [
            "entries": [["path": "dir/sk-live-ABCDEFGH.txt", "status": "??"], ["path": "plain.txt", "status": "M "]],
            "sk-live-ABCDEFGH": "a key named by the secret", "n": 3,
        ]
        let redacted = Redactor(environment: ["OPENAI_API_KEY": "sk-live-ABCDEFGH"]).redact(document)
        let entries = redacted["entries"]?.arrayValue ?? []
        #expect(entries.first?["path"] == "dir/[REDACTED].txt")
        #expect(entries.last == ["path": "plain.txt", "status": "M "])
        #expect(redacted["[REDACTED]"] == "a key named by the secret" && redacted["n"] == 3)
        #expect(Redactor(environment: [:]).redact(document) == document)
    }

    @Test func aNonASCIISecretIsStillFound() {
        let redactor = Redactor(environment: ["VAULT_PASSWORD": "pässwörd-42"])
        #expect(redactor.redact(JSONValue.string("x pässwörd-42 y")) == "x [REDACTED] y")
        #expect(redactor.redact("pässwörd-42") == "[REDACTED]")
    }
}
