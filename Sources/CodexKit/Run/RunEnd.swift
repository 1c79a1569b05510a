/// How the Codex child ended. The runner also writes it into the stderr log as a marker line
/// (`[codex-stage] end exit 0`), so `check` on saved files reaches the same verdict as `run`.
public enum RunEnd: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// `--timeout` fired after `seconds`.
    case timeout(seconds: Double)
    /// `--heartbeat-timeout` fired: no stdout or stderr line for `seconds`.
    case heartbeatTimeout(seconds: Double)

    public var marker: String {
        switch self {
        case .exited(let code): "end exit \(code)"
        case .signalled(let signal): "end signal \(signal)"
        case .timeout(let seconds): "end timeout \(seconds)"
        case .heartbeatTimeout(let seconds): "end heartbeat_timeout \(seconds)"
        }
    }

    init?(marker: String) {
        let parts = marker.split(separator: " ")
        guard parts.count >= 3, parts[0] == "end" else { return nil }
        switch parts[1] {
        case "exit":
            guard let code = Int32(parts[2]) else { return nil }
            self = .exited(code)
        case "signal":
            guard let signal = Int32(parts[2]) else { return nil }
            self = .signalled(signal)
        case "timeout":
            guard let seconds = Double(parts[2]) else { return nil }
            self = .timeout(seconds: seconds)
        case "heartbeat_timeout":
            guard let seconds = Double(parts[2]) else { return nil }
            self = .heartbeatTimeout(seconds: seconds)
        default: return nil
        }
    }

    /// The child's exit code as the JSON reports it (null when it died from a signal or was stopped).
    public var exitCode: Int32? {
        if case .exited(let code) = self { code } else { nil }
    }
}
