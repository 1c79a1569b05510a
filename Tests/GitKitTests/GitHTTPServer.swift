import Foundation
import SmokeTestSupport

/// A smart-HTTP git server (Tests/Fixtures/GitKit/git_http_server.py) over a bare copy of a
/// repository, on 127.0.0.1 and an ephemeral port; TLS with a fresh self-signed certificate
/// when asked. Always stopped by `stop()`.
final class GitHTTPServer {
    let process: BackgroundProcess
    let port: Int
    let root: TempDirectory
    /// The PEM certificate clients must trust (TLS only).
    let certificate: String?

    init(serving repository: String, tls: Bool) throws {
        root = try TempDirectory(prefix: "gitkit-http")
        try GitCLI.run(["clone", "-q", "--bare", repository, root.file("served/repo.git")], in: root.path)
        var arguments = [ProjectPaths.root + "/Tests/Fixtures/GitKit/git_http_server.py", root.file("served")]
        if tls {
            let cert = root.file("cert.pem"), key = root.file("key.pem")
            let made = try ChildProcess.run("openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=127.0.0.1",
            ])
            guard made.status == 0 else { throw GitCLI.Failure(description: "openssl failed: \(made.stderr)") }
            arguments += ["--cert", cert, "--key", key]
            certificate = cert
        } else {
            certificate = nil
        }
        process = try BackgroundProcess("python3", arguments, environment: GitCLI.environment)
        do {
            port = try process.waitForReadyPort()
        } catch {
            process.stop()
            throw error
        }
    }

    var url: String { "\(certificate == nil ? "http" : "https")://127.0.0.1:\(port)/repo.git" }

    func stop() { process.stop() }
}
