import Foundation
import SmokeCore

/// Where `clone` reads from: a local path or a `file://` URL (both checked before libgit2 runs,
/// so a typo is bad input rather than a transport failure), or an `http(s)://` URL.
public struct CloneSource: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case localPath
        case fileURL
        case network
    }

    /// As the user wrote it; reported back in the JSON.
    public var original: String
    /// What libgit2 is given: an absolute path for a local path, the URL otherwise.
    public var location: String
    public var kind: Kind
    /// The repository directory on disk, for local paths and file:// URLs.
    public var localDirectory: String?
    /// User and password from an http(s) URL. libgit2 gets them through a credential callback and
    /// `location` without them: given in the URL, they were stored in clear in the clone's
    /// `.git/config` and reflogs (mode 0644).
    public var credentials: CloneCredentials?

    public static func parse(_ text: String, currentDirectory: String = FileManager.default.currentDirectoryPath)
        throws(SmokeError) -> CloneSource
    {
        guard !text.isEmpty else { throw SmokeError(.invalidSource, "SOURCE: empty") }
        guard let schemeEnd = text.range(of: "://") else {
            let absolute = text.hasPrefix("/") ? text : "\(currentDirectory)/\(text)"
            let standardized = URL(fileURLWithPath: absolute).standardizedFileURL.path
            try requireDirectory(standardized, named: text)
            return CloneSource(original: text, location: standardized, kind: .localPath, localDirectory: standardized)
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "file":
            guard let url = URL(string: text), url.host == nil || url.host == "" || url.host == "localhost" else {
                throw SmokeError(.invalidSource, "\(text): not a valid file:// URL (expected file:///absolute/path)")
            }
            let path = url.path
            try requireDirectory(path, named: text)
            return CloneSource(original: text, location: text, kind: .fileURL, localDirectory: path)
        case "https", "http":
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                throw SmokeError(.invalidSource, "\(text): not a valid \(scheme):// URL")
            }
            // Credentials in the URL must never be printed, in our JSON or in libgit2's messages.
            if let password = url.password { Redactor.shared.add(password) }
            if let user = url.user, url.password == nil { Redactor.shared.add(user) }
            guard var components = URLComponents(string: text), components.user != nil || components.password != nil
            else {
                return CloneSource(original: text, location: text, kind: .network, localDirectory: nil)
            }
            // Both spellings are secrets: "p%40ss" as written and "p@ss" as sent.
            for value in [components.password, components.percentEncodedPassword].compactMap({ $0 }) {
                Redactor.shared.add(value)
            }
            if components.password == nil {
                for value in [components.user, components.percentEncodedUser].compactMap({ $0 }) {
                    Redactor.shared.add(value)
                }
            }
            let credentials = CloneCredentials(user: components.user ?? "", password: components.password ?? "")
            components.user = nil
            components.password = nil
            return CloneSource(
                original: text, location: components.string ?? text, kind: .network, localDirectory: nil,
                credentials: credentials)
        default:
            throw SmokeError(
                .unsupportedSource,
                "\(text): unsupported scheme \"\(scheme)\"; use a local path, file:// or https://")
        }
    }

    private static func requireDirectory(_ path: String, named original: String) throws(SmokeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SmokeError(
                .sourceNotFound, "\(original): no such directory (\(path))",
                hint: "SOURCE is a local repository path, a file:// URL or an https:// URL")
        }
        guard isDirectory.boolValue else {
            throw SmokeError(.sourceNotARepository, "\(original): is a file, not a repository")
        }
    }
}

/// Credentials taken out of a clone URL (see `CloneSource.credentials`).
public struct CloneCredentials: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}
