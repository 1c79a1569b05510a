import Foundation
import GitKit
import SmokeCore
import Testing

/// Credentials in an http(s) SOURCE go to libgit2 through a callback, never in the URL it
/// records in the clone's .git/config and reflogs (regression: they were stored there, 0644).
@Suite struct CloneCredentialsTests {
    @Test func credentialsLeaveTheRecordedURL() throws {
        let source = try CloneSource.parse("https://smoke:p%40ss-word-42@127.0.0.1:8443/x.git")
        #expect(source.location == "https://127.0.0.1:8443/x.git")
        #expect(source.credentials == CloneCredentials(user: "smoke", password: "p@ss-word-42"))
        #expect(source.original == "https://smoke:p%40ss-word-42@127.0.0.1:8443/x.git")
        // Both spellings are redacted.
        #expect(!Redactor.shared.redact("p%40ss-word-42 p@ss-word-42").contains("word-42"))
    }

    @Test func aURLWithoutCredentialsIsKeptAsWritten() throws {
        let source = try CloneSource.parse("https://127.0.0.1:8443/x.git?q=1")
        #expect(source.location == "https://127.0.0.1:8443/x.git?q=1")
        #expect(source.credentials == nil)
    }
}
