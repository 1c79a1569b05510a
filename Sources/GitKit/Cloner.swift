import CGit2
import Foundation
import SmokeCore

/// What `clone` was asked to do.
public struct CloneRequest: Sendable {
    public var source: String
    public var destination: String
    public var revision: String?
    public var depth: Int?
    public var force: Bool

    public init(source: String, destination: String, revision: String? = nil, depth: Int? = nil, force: Bool = false) {
        self.source = source
        self.destination = destination
        self.revision = revision
        self.depth = depth
        self.force = force
    }
}

/// What a finished clone reports.
public struct CloneResult: Sendable {
    public static let committedOnlyNote =
        "only committed content is cloned: uncommitted changes, untracked and ignored files of the source are not copied"

    public var source: String
    public var destination: String
    public var head: String?
    public var branch: String?
    public var revision: String?

    public var fields: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "source": .string(source),
            "dest": .string(destination),
            "head": head.map(JSONValue.string) ?? .null,
            "branch": branch.map(JSONValue.string) ?? .null,
            "detached": .bool(head != nil && branch == nil),
            "committed_only": true,
            "note": .string(Self.committedOnlyNote),
        ]
        if let revision { object["rev"] = .string(revision) }
        return object
    }
}

/// Clones with libgit2 into a staging sibling of DEST, checks out `--rev`, then moves the
/// result into place; any failure removes everything the run wrote.
public enum Cloner {
    public static func clone(_ request: CloneRequest, log: Log? = nil) throws(SmokeError) -> CloneResult {
        if let depth = request.depth, depth < 1 {
            throw SmokeError(.invalidDepth, "--depth \(depth): must be a positive number of commits")
        }
        if let revision = request.revision, revision.isEmpty {
            throw SmokeError(.unknownRevision, "--rev: empty revision")
        }
        let source = try CloneSource.parse(request.source)
        let destination = try CloneDestination(request.destination, force: request.force, source: source)
        do {
            let result = try LibGit2.session { () throws(SmokeError) -> CloneResult in
                try cloneIntoStaging(request, source: source, destination: destination, log: log)
            }
            try destination.commit()
            return result
        } catch {
            destination.discard()
            throw error
        }
    }

    private static func cloneIntoStaging(
        _ request: CloneRequest, source: CloneSource, destination: CloneDestination, log: Log?
    ) throws(SmokeError) -> CloneResult {
        if let directory = source.localDirectory { try requireRepository(directory, named: source.original) }
        var options = git_clone_options()
        try LibGit2.check(
            git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "cannot initialise clone options")
        if let depth = request.depth,
            stelae_git_fetch_options_set_depth(&options.fetch_opts, Int32(clamping: depth)) != 0
        {
            throw SmokeError(
                .depthUnsupported,
                "--depth \(depth): libgit2 \(LibGit2.version()) cannot make shallow clones (shallow fetch needs libgit2 1.7 or later)",
                hint: "omit --depth to make a full clone")
        }
        if source.kind == .network { LibGit2.configureCertificateLocations() }
        log?.info("cloning \(source.original) into \(destination.path)")

        var handle: OpaquePointer?
        let credentials = source.credentials.map(CredentialPayload.init)
        if let credentials {
            options.fetch_opts.callbacks.credentials = CredentialPayload.callback
            options.fetch_opts.callbacks.payload = Unmanaged.passUnretained(credentials).toOpaque()
        }
        let result = withExtendedLifetime(credentials) {
            git_clone(&handle, source.location, destination.staging, &options)
        }
        if result < 0 {
            // The source was checked up front; what fails now is the transport, the network or the disk.
            var error = LibGit2.failure(result, code: .cloneFailed, "\(source.original): clone failed")
            if result == GIT_ECERTIFICATE.rawValue {
                error.hint =
                    "the server's certificate is not trusted: set SSL_CERT_FILE or SSL_CERT_DIR to a CA bundle that signs it"
            }
            throw error
        }
        guard let handle else { throw SmokeError(.cloneFailed, "\(source.original): libgit2 returned no repository") }
        let repository = Repository(taking: handle)
        if let revision = request.revision {
            try RevisionCheckout.checkout(revision, in: repository)
        }
        return CloneResult(
            source: source.original, destination: destination.path,
            head: try repository.headCommitID(), branch: try repository.branchName(), revision: request.revision)
    }

    /// A local source that exists but is no repository is bad input, not a transport failure.
    private static func requireRepository(_ directory: String, named original: String) throws(SmokeError) {
        var handle: OpaquePointer?
        let result = git_repository_open_ext(&handle, directory, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        defer { if let handle { git_repository_free(handle) } }
        if result == GIT_ENOTFOUND.rawValue {
            throw SmokeError(
                .sourceNotARepository, "\(original): not a git repository: \(LibGit2.lastErrorMessage())")
        }
        try LibGit2.check(result, code: .cloneFailed, "\(original): cannot open the source repository")
    }
}

/// The URL's user and password, handed to libgit2 when the server asks (HTTP 401), once: a
/// rejected password is not retried forever.
private final class CredentialPayload {
    let credentials: CloneCredentials
    var offered = false

    init(_ credentials: CloneCredentials) { self.credentials = credentials }

    static let callback: git_credential_acquire_cb = { out, _, _, allowedTypes, payload in
        guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
        let box = Unmanaged<CredentialPayload>.fromOpaque(payload).takeUnretainedValue()
        guard !box.offered, allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else {
            git_error_set_str(
                Int32(GIT_ERROR_HTTP.rawValue), "authentication failed: the server refused the URL's credentials")
            return GIT_EAUTH.rawValue
        }
        box.offered = true
        return git_credential_userpass_plaintext_new(out, box.credentials.user, box.credentials.password)
    }
}
