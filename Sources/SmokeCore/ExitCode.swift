/// The exit-code table shared by every tool (see README "Exit codes").
public enum ToolExit: Int32, Sendable, Codable {
    /// The checked condition holds.
    case ok = 0
    /// The checked condition does not hold (dirty tree, probe never ready, expectation missing, drift).
    case checkFailed = 1
    /// Usage error or invalid input (bad flag, malformed JSON, missing template variable).
    case invalidInput = 2
    /// Environment failure (cannot bind, libgit2 error, binary not found, permission denied).
    case environment = 3
    /// A timeout fired, as timeout(1) reports it.
    case timeout = 124
}
