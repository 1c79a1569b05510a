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
    /// Literal ports found in the template, overlay and catalogs (fatal ones were refused or,
    /// with --allow-hardcoded-port, turned into warnings).
    public var hardcodedPorts: [ListenAddressGuard.Finding] = []
    /// Servers a `STELAE_*_VISIBLE` flag turned off, with the flag.
    public var hiddenServers: [(server: String, flag: String)] = []
    /// The user's overrides file merged over the defaults, when there was one.
    public var userOverrides: String?
    /// Files a Stelae server reads, written only where none exists yet (the user's own stay).
    public var seeds: [(path: String, data: Data)] = []
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
        files = [
            (outputs.overrides, Self.bytes(overrides)),
            (outputs.intended, Self.bytes(intended)),
            (outputs.proxy, Self.bytes(proxy)),
            (outputs.manifest, Self.bytes(manifest.document)),
        ]
    }

    /// Canonical pretty JSON plus a newline, as `FileIO.writeJSON` writes it.
    static func bytes(_ value: JSONValue) -> Data { value.encoded(pretty: true, trailingNewline: true) }

    /// Would writing change any output's bytes (or seed a missing file)?
    public func wouldChange() -> Bool {
        files.contains { FileManager.default.contents(atPath: $0.path) != $0.data }
            || seeds.contains { !FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The seeds a write would create (those whose file does not exist yet).
    public var missingSeeds: [String] { seeds.map(\.path).filter { !FileManager.default.fileExists(atPath: $0) } }

    /// Writes every output atomically; returns whether any file's bytes changed.
    public func write() throws(SmokeError) -> Bool {
        var changed = false
        for seed in seeds where !FileManager.default.fileExists(atPath: seed.path) {
            if try FileIO.writeAtomically(seed.data, to: seed.path) { changed = true }
        }
        for file in files {
            let mode: mode_t = file.path == outputs.proxy && proxyHoldsSecrets ? 0o600 : 0o644
            if try FileIO.writeAtomically(file.data, to: file.path, mode: mode) { changed = true }
        }
        return changed
    }
}
