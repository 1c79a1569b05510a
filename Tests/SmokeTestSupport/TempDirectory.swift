import Foundation

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

    /// Writes a file (creating parent directories) and returns its path.
    @discardableResult
    public func write(_ relative: String, _ contents: String) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: target, atomically: false, encoding: .utf8)
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
