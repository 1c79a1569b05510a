import Foundation
import SmokeCore

/// Fixtures a test runs as another user (`setpriv --reuid=nobody`) must be readable by that user,
/// but the checkout may sit in a private directory (a CI clone under `mktemp -d` is 0700). A copy
/// in a world-readable temp directory, made once per file per test process, serves instead.
public enum WorldReadable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var copies: [String: String] = [:]

    public static func copy(of path: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let existing = copies[path] { return existing }
        let directory = FileManager.default.temporaryDirectory.path + "/stelae-smoke-shared-\(getpid())"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        chmod(directory, 0o755)
        let target = "\(directory)/\((path as NSString).lastPathComponent)"
        try FileIO.writeAtomically(try FileIO.read(path: path), to: target, mode: 0o644)
        copies[path] = target
        return target
    }
}
