import Foundation

/// A smart-HTTP git server (Tests/Fixtures/GitKit/git_http_server.py) over a bare copy of a
/// repository, on 127.0.0.1 and an ephemeral port; TLS with a fresh self-signed certificate
/// when asked. Always stopped by `stop()`.
public final class GitHTTPServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let process: BackgroundProcess
    public let port: Int
    let root: TempDirectory
    /// The PEM certificate clients must trust (TLS only).
    public let certificate: String?

    public init(serving repository: String, tls: Bool) throws {
        root = try TempDirectory(prefix: "git-http")
        let bare = try ChildProcess.run("git", ["clone", "-q", "--bare", repository, root.file("served/repo.git")])
        guard bare.status == 0 else { throw Failure(description: "git clone --bare failed: \(bare.stderr)") }
        var arguments = [ProjectPaths.root + "/Tests/Fixtures/GitKit/git_http_server.py", root.file("served")]
        if tls {
            let cert = root.file("cert.pem")
            let key = root.file("key.pem")
            let made = try ChildProcess.run(
                "openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1",
                ])
            guard made.status == 0 else { throw Failure(description: "openssl failed: \(made.stderr)") }
            arguments += ["--cert", cert, "--key", key]
            certificate = cert
        } else {
            certificate = nil
        }
        process = try BackgroundProcess("python3", arguments)
        do {
            port = try process.waitForReadyPort()
        } catch {
            process.stop()
            throw error
        }
    }

    public var url: String { "\(certificate == nil ? "http" : "https")://127.0.0.1:\(port)/repo.git" }

    public func stop() { process.stop() }
}
