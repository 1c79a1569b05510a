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

    public static func parse(_ text: String, currentDirectory: String = FileManager.default.currentDirectoryPath)
        throws(SmokeError) -> CloneSource
    {
        guard !text.isEmpty else { throw .invalidInput("invalid_source", "SOURCE: empty") }
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
                throw .invalidInput("invalid_source", "\(text): not a valid file:// URL (expected file:///absolute/path)")
            }
            let path = url.path
            try requireDirectory(path, named: text)
            return CloneSource(original: text, location: text, kind: .fileURL, localDirectory: path)
        case "https", "http":
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                throw .invalidInput("invalid_source", "\(text): not a valid \(scheme):// URL")
            }
            // Credentials in the URL must never be printed, in our JSON or in libgit2's messages.
            if let password = url.password { Redactor.shared.add(password) }
            if let user = url.user, url.password == nil { Redactor.shared.add(user) }
            return CloneSource(original: text, location: text, kind: .network, localDirectory: nil)
        default:
            throw .invalidInput(
                "unsupported_source",
                "\(text): unsupported scheme \"\(scheme)\"; use a local path, file:// or https://")
        }
    }

    private static func requireDirectory(_ path: String, named original: String) throws(SmokeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .invalidInput(
                "source_not_found", "\(original): no such directory (\(path))",
                hint: "SOURCE is a local repository path, a file:// URL or an https:// URL")
        }
        guard isDirectory.boolValue else {
            throw .invalidInput("source_not_a_repository", "\(original): is a file, not a repository")
        }
    }
}
