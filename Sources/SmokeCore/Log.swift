import Foundation

/// Human progress on stderr, redacted, silenced by `--quiet`. stdout is reserved for the JSON answer.
public struct Log: Sendable {
    public var quiet: Bool
    public var tool: String

    public init(tool: String, quiet: Bool) {
        self.tool = tool
        self.quiet = quiet
    }

    public func info(_ message: @autoclosure () -> String) {
        guard !quiet else { return }
        Self.writeStderr("\(tool): \(message())\n")
    }

    /// Writes straight to fd 2: the C `stderr` global is not concurrency-safe in Swift 6.
    public static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(Redactor.shared.redact(text).utf8))
    }
}
