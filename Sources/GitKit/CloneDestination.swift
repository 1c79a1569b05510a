import Foundation
import SmokeCore

/// The directory a clone lands in. libgit2 clones into a hidden sibling first; only a complete,
/// checked-out clone is moved into place. So a failed clone leaves DEST as it was (or absent),
/// and `--force` loses the old contents only once the new clone exists.
struct CloneDestination {
    /// Absolute DEST path.
    let path: String
    /// The sibling libgit2 writes into.
    let staging: String
    /// Parent directories this run created, removed again when the clone fails.
    private var createdParents: [String] = []
    private let replacesContents: Bool

    init(
        _ destination: String, force: Bool, source: CloneSource,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(SmokeError) {
        guard !destination.isEmpty else { throw SmokeError(.invalidDestination, "DEST: empty") }
        let absolute = destination.hasPrefix("/") ? destination : "\(currentDirectory)/\(destination)"
        // Resolve symlinks so the overlap check and the final rename act on the real directory.
        path = URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        var nonEmpty = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw SmokeError(.destNotDirectory, "\(destination): exists and is not a directory")
            }
            let contents: [String]
            do { contents = try manager.contentsOfDirectory(atPath: path) } catch {
                throw SmokeError(.destUnreadable, "\(destination): cannot list: \(error.localizedDescription)")
            }
            nonEmpty = !contents.isEmpty
            if nonEmpty && !force {
                throw SmokeError(
                    .destNotEmpty, "\(destination): exists and is not empty",
                    hint: "choose an empty or new directory, or pass --force to replace its contents")
            }
        }
        if let sourceDirectory = source.localDirectory {
            let real = URL(fileURLWithPath: sourceDirectory).resolvingSymlinksInPath().path
            if real == path || real.hasPrefix(path + "/") {
                throw SmokeError(
                    .destOverlapsSource, "\(destination): is (or contains) the source repository \(sourceDirectory)")
            }
        }
        replacesContents = nonEmpty
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent().path
        staging = "\(parent)/.\(url.lastPathComponent).clone-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        createdParents = try Self.createParents(parent)
    }

    /// Creates the missing ancestors of `parent`, returning them deepest first.
    private static func createParents(_ parent: String) throws(SmokeError) -> [String] {
        let manager = FileManager.default
        var missing: [String] = []
        var cursor = URL(fileURLWithPath: parent)
        while cursor.path != "/", !manager.fileExists(atPath: cursor.path) {
            missing.append(cursor.path)
            cursor.deleteLastPathComponent()
        }
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw SmokeError(.writeFailed, "\(parent): cannot create directory: \(error.localizedDescription)")
        }
        return missing
    }

    /// Moves the finished clone into DEST (replacing an empty DEST, or a non-empty one under --force).
    func commit() throws(SmokeError) {
        let manager = FileManager.default
        if replacesContents {
            do { try manager.removeItem(atPath: path) } catch {
                throw SmokeError(.writeFailed, "\(path): cannot remove the old contents: \(error.localizedDescription)")
            }
        }
        // rename(2) replaces an empty directory atomically and fails on a non-empty one.
        if rename(staging, path) != 0 {
            let reason = String(cString: strerror(errno))
            throw SmokeError(.writeFailed, "\(path): cannot move the clone into place: \(reason)")
        }
    }

    /// Removes everything this run wrote: the staging clone and the parents it created.
    func discard() {
        let manager = FileManager.default
        try? manager.removeItem(atPath: staging)
        for directory in createdParents {
            // Only if still empty: never remove what someone else put there meanwhile.
            if (try? manager.contentsOfDirectory(atPath: directory))?.isEmpty == true {
                try? manager.removeItem(atPath: directory)
            }
        }
    }
}
