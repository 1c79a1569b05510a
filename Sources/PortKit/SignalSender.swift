import Glibc

/// Delivers signals. The kernel one is the real thing; tests substitute one that fails, to show
/// that a refused signal is recorded instead of crashing the tool.
public protocol SignalSender: Sendable {
    /// Returns 0 on success, otherwise the errno.
    func send(_ signal: Int32, to pid: Int32) -> Int32
}

public struct KernelSignals: SignalSender {
    public init() {}

    public func send(_ signal: Int32, to pid: Int32) -> Int32 {
        kill(pid, signal) == 0 ? 0 : errno
    }
}

enum SignalName {
    static func of(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        default: "SIG\(signal)"
        }
    }
}
