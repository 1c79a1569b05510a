import Foundation
import SmokeCore
import SmokeReportKit
import Testing

/// The summary's last guard: a secret value in clear in any file of the run fails the run.
@Suite struct SecretScanTests {
    static let environment = [
        "OPENAI_API_KEY": "sk-planted-4f1c9a7e2b", "SMOKE_DUMMY_TOKEN": "tok-8d1",
        "Authorization": "Bearer cred-9a8b7c6d5e",
        "SHORT_SECRET": "abc", "PATH": "/usr/bin:/bin-not-a-secret",
    ]

    @Test func aPlantedSecretValueFailsTheRunWithSecretLeakNamingTheFile() throws {
        let fixture = try RunFixture()
        try fixture.record("clone", answer: Answers.passed())
        try fixture.write("transcripts/install.jsonl", text: "{\"arguments\":{\"key\":\"sk-planted-4f1c9a7e2b\"}}\n")
        let (output, summary) = try fixture.summary(planned: ["clone"], environment: Self.environment)
        #expect(output.exit == 1)
        #expect(summary["ok"] == false)
        #expect(summary["passed"] == 1 && summary["failed"] == 0, "every step passed: the leak alone fails the run")
        #expect(summary["secret_leaks"] == ["transcripts/install.jsonl"])
        #expect(
            summary["first_failure"] == [
                "step": "secret-scan", "stage": nil, "code": "secret_leak",
                "message": "secret values found in transcripts/install.jsonl", "file": nil,
            ])
        let headline = ChainQueries.headline(summaryPath: fixture.path("summary.json")).stdout
        #expect(
            headline
                == "smoke: FAILED at secret-scan (secret_leak): secret values found in transcripts/install.jsonl  [1/1 passed]\n"
        )
    }

    @Test func theAuthorizationCredentialCountsWhichThePythonListLacked() throws {
        let values = SecretScan.values(environment: Self.environment)
        #expect(values.contains("Bearer cred-9a8b7c6d5e") && values.contains("cred-9a8b7c6d5e"))
        #expect(values.contains("sk-planted-4f1c9a7e2b"))
        #expect(!values.contains("tok-8d1") && !values.contains("abc"), "shorter than 8 characters")
        #expect(!values.contains { $0.contains("/usr/bin") }, "PATH is not a secret name")

        let fixture = try RunFixture()
        try fixture.write("logs/06-probe.stderr.log", text: "sent header Authorization: Bearer cred-9a8b7c6d5e\n")
        try fixture.write("codex/install/request.txt", text: "token=cred-9a8b7c6d5e")
        #expect(
            SecretScan.scan(run: fixture.run, values: values) == [
                "codex/install/request.txt", "logs/06-probe.stderr.log",
            ])
    }

    @Test func theScanPassesOverGitSymlinksAndItsOwnOutputs() throws {
        let fixture = try RunFixture()
        let values = ["sk-planted-4f1c9a7e2b"]
        try fixture.write("workspace/.git/config", text: "sk-planted-4f1c9a7e2b")
        try fixture.write("summary.json", text: "sk-planted-4f1c9a7e2b")
        try fixture.write("junit.xml", text: "sk-planted-4f1c9a7e2b")
        let outside = try RunFixture()
        try outside.write("secret.txt", text: "sk-planted-4f1c9a7e2b")
        try FileManager.default.createSymbolicLink(atPath: fixture.path("linked-dir"), withDestinationPath: outside.run)
        try FileManager.default.createSymbolicLink(
            atPath: fixture.path("linked-file"), withDestinationPath: outside.path("secret.txt"))
        #expect(SecretScan.scan(run: fixture.run, values: values) == [])
        try fixture.write("a-b/c", text: "x sk-planted-4f1c9a7e2b")
        try fixture.write("a/b", text: "sk-planted-4f1c9a7e2b y")
        try fixture.write(".hidden", text: "sk-planted-4f1c9a7e2b")
        #expect(
            SecretScan.scan(run: fixture.run, values: values) == [".hidden", "a/b", "a-b/c"],
            "path order, component by component")
    }
}
