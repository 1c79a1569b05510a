import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// https clones through the built binary against a local smart-HTTP server with a self-signed
/// certificate: trusted through SSL_CERT_FILE it clones; untrusted it fails with libgit2's
/// certificate error, exit 3, and leaves nothing behind.
@Suite struct GitCleanCheckHTTPSTests {
    static func environment(certFile: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["SSL_CERT_FILE"] = certFile
        env.removeValue(forKey: "SSL_CERT_DIR")
        return env
    }

    @Test func trustedCertificateClones() throws {
        let (root, repo) = try GitCleanCheckEndToEndTests.repository()
        let server = try GitHTTPServer(serving: repo, tls: true)
        defer { server.stop() }
        let dest = root.file("clone")
        let run = try ToolRun.run(
            "git-clean-check", ["clone", server.url, dest], environment: Self.environment(certFile: server.certificate!)
        )
        #expect(run.status == 0, "\(run.stdout)")
        let head = try ChildProcess.run("git", ["rev-parse", "HEAD"], cwd: repo).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(run.json["head"]?.stringValue == head)
        #expect(run.json["source"] == .string(server.url))
        #expect(try ToolRun.run("git-clean-check", ["verify", dest]).status == 0)
    }

    @Test func untrustedCertificateIsCloneFailedWithLibgit2sMessage() throws {
        let (root, repo) = try GitCleanCheckEndToEndTests.repository()
        let server = try GitHTTPServer(serving: repo, tls: true)
        defer { server.stop() }
        // A CA bundle that does not contain the self-signed certificate: the system one when present.
        let system = "/etc/ssl/certs/ca-certificates.crt"
        let otherBundle = FileManager.default.fileExists(atPath: system) ? system : try root.write("other.pem", "")
        let run = try ToolRun.run(
            "git-clean-check", ["clone", server.url, root.file("clone")],
            environment: Self.environment(certFile: otherBundle))
        #expect(run.status == 3)
        #expect(run.errorCode == "clone_failed")
        #expect(run.json["libgit2_error"] == -17)
        #expect(run.json["error"]?["message"]?.stringValue?.contains("certificate") == true)
        #expect(run.json["error"]?["hint"]?.stringValue?.contains("SSL_CERT_FILE") == true)
        #expect(!FileManager.default.fileExists(atPath: root.file("clone")))
    }
}
