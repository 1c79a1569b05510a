import Foundation
import SmokeCore

/// Where a stage's throwaway CODEX_HOME goes. Codex's first run in a fresh home creates its SQLite
/// databases (fsyncing each) and installs its system skills, and the stage removes all of it
/// afterwards; on a RAM filesystem that set-up and removal cost a stage about 50 ms less than on
/// disk (bench/codex.sh). A kept home stays in the work directory, where its user looks for it.
public struct HomePlacement: Sendable, Equatable {
    /// The CODEX_HOME itself.
    public let path: String
    /// What goes after the stage: the home, or the private scratch directory holding it.
    public let removable: String

    /// The default scratch root: the Linux shared-memory tmpfs.
    public static let defaultScratch = "/dev/shm"

    /// `name` is a stage name (StageFile allows no path separators in it).
    /// `scratch` nil: the default root when it is a writable tmpfs, else the work directory.
    /// An explicit `scratch` must be usable: a stage never silently lands elsewhere.
    public static func choose(name: String, work: String, keep: Bool, scratch: String?) throws(SmokeError)
        -> HomePlacement
    {
        let inWork = "\(work)/codex-home-\(name)"
        if keep { return HomePlacement(path: inWork, removable: inWork) }
        if let scratch {
            guard let directory = privateDirectory(in: scratch, name: name) else {
                throw SmokeError(
                    .writeFailed,
                    "--scratch \(scratch): cannot create a private directory there: \(String(cString: strerror(errno)))"
                )
            }
            return HomePlacement(path: "\(directory)/codex-home-\(name)", removable: directory)
        }
        if isWritableTmpfs(defaultScratch), let directory = privateDirectory(in: defaultScratch, name: name) {
            return HomePlacement(path: "\(directory)/codex-home-\(name)", removable: directory)
        }
        return HomePlacement(path: inWork, removable: inWork)
    }

    /// A new 0700 directory (mkdtemp), so other users of a shared tmpfs cannot read the home.
    static func privateDirectory(in root: String, name: String) -> String? {
        var template = Array("\(root)/codex-stage-\(name)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return nil }
        return String(cString: made)
    }

    static func isWritableTmpfs(_ path: String) -> Bool {
        guard access(path, W_OK) == 0, let resolved = realpath(path, nil) else { return false }
        defer { free(resolved) }
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return false }
        return filesystemType(of: String(cString: resolved), mounts: mounts) == "tmpfs"
    }

    /// The type of the filesystem holding `path`, from /proc/self/mounts text: the entry with the
    /// longest mount point that contains the path (the last one wins when mounts are stacked).
    public static func filesystemType(of path: String, mounts: String) -> String? {
        var best: (length: Int, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let contains = point == "/" || path == point || path.hasPrefix(point + "/")
            if contains, point.count >= (best?.length ?? -1) { best = (point.count, String(fields[2])) }
        }
        return best?.type
    }
}
