import Foundation
import SmokeCore

/// Resolves the homes and input files of a render, the way Stelae finds them.
struct RenderPaths {
    var workingDirectory: String

    func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url =
            expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded) : URL(fileURLWithPath: workingDirectory).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    /// `--config-home`, else `STELAE_CONFIG_HOME`, else `$XDG_CONFIG_HOME/stelae`, else `~/.config/stelae`.
    func configHome(flag: String?, environment: [String: String]) -> String {
        if let flag { return absolute(flag) }
        if let value = environment["STELAE_CONFIG_HOME"], !value.isEmpty { return absolute(value) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return absolute("\(xdg)/stelae") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return absolute("\(home)/.config/stelae")
    }

    /// A file named by a flag must exist; a default one is used only when present.
    func optionalFile(flag: String?, defaults: [String]) throws(SmokeError) -> String? {
        if let flag {
            let path = absolute(flag)
            _ = try FileIO.read(path: path)
            return path
        }
        return defaults.map(absolute).first { FileManager.default.fileExists(atPath: $0) }
    }
}
