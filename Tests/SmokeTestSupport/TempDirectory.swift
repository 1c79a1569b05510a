import Foundation
import SmokeCore

/// A fresh directory under the system temp dir, removed when the value is released.
public final class TempDirectory: @unchecked Sendable {
    public let path: String
    public var url: URL { URL(fileURLWithPath: path) }

    public init(prefix: String = "stelae-smoke") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ relative: String) -> String { "\(path)/\(relative)" }

    /// Writes a file (creating parent directories) and returns its path. Goes through the atomic
    /// writer, whose descriptor is close-on-exec: a descriptor still open for writing in a child
    /// forked meanwhile by a parallel test makes exec of the file fail with "Text file busy".
    @discardableResult
    public func write(_ relative: String, _ contents: String, mode: mode_t = 0o644) throws -> String {
        let target = file(relative)
        try FileIO.writeAtomically(contents, to: target, mode: mode)
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
