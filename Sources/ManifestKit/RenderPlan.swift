import Foundation
import SmokeCore

/// A complete render held in memory: nothing is written until every input has been read,
/// validated and rendered, so a failed render leaves the previous outputs untouched.
public struct RenderPlan: Sendable {
    public let outputs: RenderOutputs
    public let proxy: JSONValue
    public let overrides: JSONValue
    public let manifest: CuratedManifest
    public let intended: JSONValue
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
    public let files: [(path: String, data: Data)]

    init(
        outputs: RenderOutputs, proxy: JSONValue, overrides: JSONValue, manifest: CuratedManifest, intended: JSONValue,
        aggregates: [String], hidden: [String], fragments: [String], port: Int, configHome: String,
        stateHome: String, warnings: [String]
    ) {
        self.outputs = outputs
        self.proxy = proxy
        self.overrides = overrides
        self.manifest = manifest
        self.intended = intended
        self.aggregates = aggregates
        self.hidden = hidden
        self.fragments = fragments
        self.port = port
        self.configHome = configHome
        self.stateHome = stateHome
        self.warnings = warnings
        // The intended catalog is most of the bytes: it is encoded on the other core meanwhile.
        let manifestDocument = manifest.document
        let (rest, intendedBytes) = SideBySide.run(
            { (Self.bytes(overrides), Self.bytes(proxy), Self.bytes(manifestDocument)) },
            { Self.bytes(intended) })
        files = [
            (outputs.overrides, rest.0),
            (outputs.intended, intendedBytes),
            (outputs.proxy, rest.1),
            (outputs.manifest, rest.2),
        ]
    }

    /// Canonical pretty JSON plus a newline, as `FileIO.writeJSON` writes it.
    static func bytes(_ value: JSONValue) -> Data { value.encoded(pretty: true, trailingNewline: true) }

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
