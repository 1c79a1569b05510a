import Foundation
import SmokeCore

/// `--load SESSIONS --duration SEC`: the probe's own configuration (URL, era, headers, call,
/// `--attempt-timeout` as each request's timeout, `--deadline` for the readiness probe before
/// the load) and the load's shape, validated.
public struct LoadConfiguration: Sendable {
    public var probe: ProbeConfiguration
    public var sessions: Int
    /// How long the sessions keep starting requests.
    public var duration: Duration

    public static let maxSessions = 1000
    /// Latencies are kept one by one: an hour at a few thousand requests a second is the most
    /// worth holding.
    public static let maxDurationSeconds = 3600.0
    public static let defaultDurationSeconds = 10.0

    public init(probe: ProbeConfiguration, sessions: Int, durationSeconds: Double) throws(SmokeError) {
        guard (1...Self.maxSessions).contains(sessions) else {
            throw SmokeError(.invalidArgument, "--load \(sessions): must be 1 to \(Self.maxSessions) sessions")
        }
        guard durationSeconds.isFinite, durationSeconds > 0, durationSeconds <= Self.maxDurationSeconds else {
            throw SmokeError(
                .invalidArgument,
                "--duration \(durationSeconds): must be > 0 and ≤ \(Int(Self.maxDurationSeconds)) seconds")
        }
        if let call = probe.call, call.expectError {
            // A load counts failed requests as errors; a call meant to fail has no such count.
            throw SmokeError(.invalidArgument, "--expect-error cannot be used with --load")
        }
        var probe = probe
        probe.stayOnOrigin = true
        self.probe = probe
        self.sessions = sessions
        self.duration = .milliseconds(max(1, Int64((durationSeconds * 1000).rounded())))
    }

    /// After the window closes: a request in flight gets its whole timeout, then a handshake
    /// session's DELETE its courtesy time. Nothing of the load outlives window + grace.
    public var grace: Duration { probe.attemptTimeout + Probe.closeGrace }
}
