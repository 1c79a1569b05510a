import CGit2
import Foundation
import SmokeCore
import Synchronization

/// Scoped access to libgit2: every public GitKit operation runs inside `LibGit2.session`, which
/// pairs `git_libgit2_init` with `git_libgit2_shutdown` (libgit2 reference-counts them, so nested
/// and concurrent sessions are fine).
public enum LibGit2 {
    public static func session<T>(_ body: () throws(SmokeError) -> T) throws(SmokeError) -> T {
        let initialised = git_libgit2_init()
        guard initialised >= 0 else {
            throw SmokeError(.libgit2Error, "libgit2 failed to initialise: \(lastErrorMessage())")
        }
        defer { git_libgit2_shutdown() }
        return try body()
    }

    /// For a process that runs one GitKit operation and exits (the git-clean-check tool): starts
    /// libgit2's one-time initialisation now, on a thread of its own, so that it overlaps the
    /// tool's own start (argument parsing) instead of following it. With Debian's libgit2 that
    /// initialisation parses the whole CA bundle (a few milliseconds, a tenth of a 20,000-file
    /// status). The reference it takes is never released, so the process keeps libgit2 initialised
    /// to the end, and the large structures of a status (the loaded index) are left to the
    /// process's exit instead of being freed one by one.
    public static func prepareForShortLivedProcess() {
        guard !shortLivedProcess.exchange(true, ordering: .relaxed) else { return }
        #if canImport(Glibc)
            var thread = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            defer { pthread_attr_destroy(&attributes) }
            if pthread_create(
                &thread, &attributes,
                { _ in
                    _ = git_libgit2_init()
                    return nil
                }, nil) != 0
            {
                _ = git_libgit2_init()
            }
        #else
            Thread { _ = git_libgit2_init() }.start()
        #endif
    }

    /// Set by `prepareForShortLivedProcess`.
    static var isShortLivedProcess: Bool { shortLivedProcess.load(ordering: .relaxed) }
    private static let shortLivedProcess = Atomic<Bool>(false)

    public static func version() -> String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// libgit2's own description of the last failure on this thread (`git_error_last`).
    public static func lastErrorMessage(fallback: String = "unknown libgit2 error") -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return fallback }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? fallback : text
    }

    /// Turns a negative libgit2 return code into a SmokeError carrying libgit2's message.
    static func check(
        _ result: Int32, code: ErrorCode = .libgit2Error,
        _ context: @autoclosure () -> String
    ) throws(SmokeError) {
        guard result < 0 else { return }
        throw failure(result, code: code, context())
    }

    static func failure(_ result: Int32, code: ErrorCode, _ context: String) -> SmokeError {
        var error = SmokeError(code, "\(context): \(lastErrorMessage()) (libgit2 error \(result))")
        error.fields["libgit2_error"] = .int(Int64(result))
        return error
    }

    /// Debian's libgit2 uses mbedTLS, which knows no default trust store: point it at the
    /// system bundle (or at SSL_CERT_FILE / SSL_CERT_DIR when set) so https clones verify.
    /// Called only before an https transfer: loading the bundle costs time status never needs.
    static func configureCertificateLocations() {
        let environment = ProcessInfo.processInfo.environment
        let manager = FileManager.default
        var file = environment["SSL_CERT_FILE"]
        var directory = environment["SSL_CERT_DIR"]
        if file == nil, directory == nil {
            for candidate in ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
            where manager.fileExists(atPath: candidate) {
                file = candidate
                break
            }
            if file == nil, manager.fileExists(atPath: "/etc/ssl/certs") { directory = "/etc/ssl/certs" }
        }
        guard file != nil || directory != nil else { return }
        // A failure here only means https falls back to libgit2's default; clones over
        // file:// and paths are unaffected, and an https failure will name the real cause.
        _ = stelae_git_set_ssl_cert_locations(file, directory)
    }
}
