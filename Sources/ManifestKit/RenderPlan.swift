import Foundation
import SmokeCore

/// A complete render held in memory: nothing is written until every input has been read,
/// validated and rendered, so a failed render leaves the previous outputs untouched.
public struct RenderPlan: Sendable {
    public var outputs: RenderOutputs
    public var proxy: JSONValue
    public var overrides: JSONValue
    public var manifest: CuratedManifest
    public var intended: JSONValue
    public var aggregates: [String]
    public var hidden: [String]
    public var fragments: [String]
    public var port: Int
    public var configHome: String
    public var stateHome: String
    public var warnings: [String]
    /// proxy.json carries the value of a secret variable (`*_KEY`, `*_TOKEN`, …) or a known secret value: it is
    /// written owner-only (0600), since the proxy needs the value in clear.
    public var proxyHoldsSecrets = false

    /// The bytes of each output, in write order (the manifest last: it is what readers poll).
    public var files: [(path: String, data: Data)] {
        [
            (outputs.overrides, Self.bytes(overrides)),
            (outputs.intended, Self.bytes(intended)),
            (outputs.proxy, Self.bytes(proxy)),
            (outputs.manifest, Self.bytes(manifest.document)),
        ]
    }

    /// Canonical pretty JSON plus a newline, as `FileIO.writeJSON` writes it.
    static func bytes(_ value: JSONValue) -> Data {
        var data = value.encoded(pretty: true)
        data.append(0x0A)
        return data
    }

    /// Would writing change any output's bytes?
    public func wouldChange() -> Bool {
        files.contains { FileManager.default.contents(atPath: $0.path) != $0.data }
    }

    /// Writes every output atomically; returns whether any file's bytes changed.
    public func write() throws(SmokeError) -> Bool {
        var changed = false
        for file in files {
            let mode: mode_t = file.path == outputs.proxy && proxyHoldsSecrets ? 0o600 : 0o644
            if try FileIO.writeAtomically(file.data, to: file.path, mode: mode) { changed = true }
        }
        return changed
    }
}
