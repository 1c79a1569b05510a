import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct EnvelopeTests {
    @Test func successEnvelopeCarriesCommonKeys() {
        let document = ToolOutcome.success(["port": 1234]).envelope(tool: "demo", elapsedMs: 7)
        #expect(document["tool"] == "demo")
        #expect(document["ok"] == true)
        #expect(document["port"] == 1234)
        #expect(document["version"]?.stringValue == SmokeVersion.current)
        #expect(document["elapsed_ms"] == 7)
        #expect(document["error"] == nil)
    }

    @Test func failureEnvelopeMergesErrorFields() {
        let error = SmokeError(.dirtyWorktree, "x is dirty", hint: "commit it", fields: ["changed": ["a"]])
        let document = ToolOutcome.failure(error).envelope(tool: "demo", elapsedMs: 0)
        #expect(document["ok"] == false)
        #expect(document["error"]?["code"] == "dirty_worktree")
        #expect(document["error"]?["hint"] == "commit it")
        #expect(document["changed"] == ["a"])
    }

    @Test func fieldsNeverReplaceTheCommonKeys() {
        let fields: [String: JSONValue] = [
            "tool": "x", "version": "9", "ok": false, "elapsed_ms": -1, "error": "e", "n": 1,
        ]
        let document = ToolOutcome.success(fields).envelope(tool: "demo", elapsedMs: 5)
        #expect(
            document == ["tool": "demo", "version": .string(SmokeVersion.current), "ok": true, "elapsed_ms": 5, "n": 1])
        let step = Envelope.object(
            tool: "smoke", ok: false, elapsedMs: nil, error: Envelope.error(code: "stack_exited", message: "m"),
            fields: fields)
        #expect(step["ok"] == false && step["elapsed_ms"] == nil && step["tool"] == "smoke")
        #expect(step["error"] == ["code": "stack_exited", "message": "m"])
    }

    @Test func encodingIsCanonical() throws {
        let a = try JSONValue.parse(Data(#"{"b":[1,2],"a":{"z":null,"y":"s/t"}}"#.utf8), source: "a")
        let b = try JSONValue.parse(Data(#"{"a":{"y":"s/t","z":null},"b":[1,2]}"#.utf8), source: "b")
        #expect(a.encoded() == b.encoded())
        #expect(a.encodedString() == #"{"a":{"y":"s/t","z":null},"b":[1,2]}"#)
    }

    @Test func malformedJSONNamesTheSource() {
        #expect(throws: SmokeError.self) { try JSONValue.parse(Data("{oops".utf8), source: "cfg.json") }
        do {
            _ = try JSONValue.parse(Data("{oops".utf8), source: "cfg.json")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("cfg.json"))
            #expect(error.exit == .invalidInput)
        }
    }

    @Test func boolsAndNumbersStayDistinct() throws {
        let value = try JSONValue.parse(Data(#"[true, 1, 1.5, "1"]"#.utf8), source: "t")
        #expect(value == [true, 1, 1.5, "1"])
    }
}

@Suite struct RedactorTests {
    @Test func redactsSecretEnvironmentValues() {
        let redactor = Redactor(environment: [
            "OPENAI_API_KEY": "sk-test-123456", "GH_TOKEN": "ghp_abcdef", "DB_PASSWORD": "hunter22",
            "MY_SECRET": "s3cr3tvalue", "HOME": "/root",
        ])
        let text = "key sk-test-123456 tok ghp_abcdef pw hunter22 s s3cr3tvalue home /root"
        let redacted = redactor.redact(text)
        #expect(!redacted.contains("sk-test-123456"))
        #expect(!redacted.contains("ghp_abcdef"))
        #expect(!redacted.contains("hunter22"))
        #expect(!redacted.contains("s3cr3tvalue"))
        #expect(redacted.contains("/root"))
    }

    @Test func redactsAuthorizationHeaderAndBareCredential() {
        let redactor = Redactor(environment: [:])
        redactor.addHeader(name: "Authorization", value: "Bearer abc123xyz")
        redactor.addHeader(name: "Accept", value: "application/json")
        #expect(redactor.redact("Authorization: Bearer abc123xyz") == "Authorization: [REDACTED]")
        #expect(redactor.redact("token=abc123xyz") == "token=[REDACTED]")
        #expect(redactor.redact("application/json") == "application/json")
    }
}

extension RedactorTests {
    @Test func jsonRedactionLeavesLiteralsAndStructureIntact() throws {
        let redactor = Redactor(environment: ["FLAG_KEY": "true", "API_TOKEN": "tok/with\"quote"])
        let document: JSONValue = ["ok": true, "note": "value is true", "url": "https://x/tok/with\"quote"]
        let redacted = redactor.redact(document)
        #expect(redacted["ok"] == true)
        #expect(redacted["note"] == "value is [REDACTED]")
        #expect(redacted["url"] == "https://x/[REDACTED]")
        // The encoded form escapes the quote: text-level redaction would have missed it.
        #expect(!redacted.encodedString().contains("with\\\"quote"))
    }

    @Test func toolOutputStaysValidJSONWithLiteralLikeSecrets() throws {
        var env = ProcessInfo.processInfo.environment
        env["SOME_KEY"] = "true"
        env["OTHER_SECRET"] = "null"
        let run = try ToolRun.run("port-preflight", ["--port", "1"], environment: env)
        #expect(run.json["ok"]?.boolValue != nil)
    }
}

@Suite struct AtomicWriteTests {
    @Test func writesAndReportsChange() throws {
        let dir = try TempDirectory()
        let path = dir.file("sub/out.json")
        #expect(try FileIO.writeAtomically("one", to: path) == true)
        #expect(try FileIO.writeAtomically("one", to: path) == false)
        #expect(try FileIO.writeAtomically("two", to: path) == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.file("sub"))
        #expect(leftovers == ["out.json"])
    }

    @Test func honoursModeDespiteUmask() throws {
        let dir = try TempDirectory()
        let path = dir.file("secret.toml")
        try FileIO.writeAtomically("x", to: path, mode: 0o600)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func failedWriteLeavesOldFileAndNoTemp() throws {
        let dir = try TempDirectory()
        let path = dir.file("ro/out.txt")
        try FileIO.writeAtomically("old", to: path)
        chmod(dir.file("ro"), 0o500)
        defer { chmod(dir.file("ro"), 0o700) }
        if getuid() == 0 {
            // root ignores directory permissions; use a path whose parent is a file instead.
            try "f".write(toFile: dir.file("afile"), atomically: false, encoding: .utf8)
            #expect(throws: SmokeError.self) { try FileIO.writeAtomically("new", to: dir.file("afile/x")) }
        } else {
            #expect(throws: SmokeError.self) { try FileIO.writeAtomically("new", to: path) }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
    }
}
