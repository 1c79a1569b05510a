import Glibc
import SmokeCore

/// What `port-preflight` is asked to do, every value already checked (`PreflightFlags` builds
/// it from the command line).
public enum PreflightRequest: Sendable {
    /// Report who holds the port.
    case check(port: Int)
    /// SIGTERM its listeners, SIGKILL what remains after `grace`, check again.
    case clear(port: Int, force: Bool, grace: Duration)
    /// Pick a free port with this picker.
    case random(RandomPortPicker)
}

/// What `port-preflight` does with a request: validate, then check / clear one port or pick one.
public enum PortPreflight {
    public static let otherSocketsShown = 50

    public static func run(
        _ request: PreflightRequest, log: Log? = nil, signals: any SignalSender = KernelSignals(),
        discovery: ListenerDiscovery = ListenerDiscovery()
    ) async throws(SmokeError) -> ToolOutcome {
        try requireProcfs(discovery)
        switch request {
        case .check(let port):
            return checkOutcome(PortStatus.inspect(port: port, discovery: discovery))
        case .clear(let port, let force, let grace):
            let clearer = PortClearer(
                policy: KillPolicy(force: force), grace: grace, signals: signals, discovery: discovery, log: log)
            return killOutcome(await clearer.clear(port: port), grace: grace)
        case .random(let picker):
            return pickRandom(picker, discovery: discovery, log: log)
        }
    }

    static func requireProcfs(_ discovery: ListenerDiscovery) throws(SmokeError) {
        guard TCPSocketTable.isReadable(procRoot: discovery.procRoot) else {
            throw SmokeError(
                .procUnavailable, "\(discovery.procRoot)/net/tcp cannot be read: listener discovery needs Linux procfs")
        }
    }

    // MARK: - --port N

    static func checkOutcome(_ status: PortStatus) -> ToolOutcome {
        var fields = portFields(status)
        fields["signalled"] = []
        fields["skipped"] = []
        if status.free { return .success(fields) }
        if let error = bindError(status) { return .failure(error, fields) }
        let message: String
        if status.listeners.isEmpty {
            message =
                "port \(status.port) cannot be bound (\(bindFailures(status))) though nothing listens on it; see other_sockets"
        } else {
            message = "port \(status.port) is held by \(status.holdersDescription)"
        }
        return .failure(
            SmokeError(
                .portInUse, message,
                hint: status.listeners.isEmpty
                    ? "TIME_WAIT of a server without SO_REUSEADDR or a bound, non-listening socket; wait or pick another port"
                    : "rerun with --kill to stop the listeners, or pick another port with --random"), fields)
    }

    static func killOutcome(_ report: PortClearer.Report, grace: Duration) -> ToolOutcome {
        var fields = portFields(report.after)
        fields["listeners"] = .array(report.before.listeners.map(\.json))
        fields["remaining"] = .array(report.after.listeners.map(\.json))
        fields["signalled"] = .array(
            report.signalled.map { ["pid": .int(Int64($0.pid)), "signal": .string($0.signal)] })
        fields["skipped"] = .array(report.skipped.map(skipJSON))
        fields["grace_ms"] = .int(grace.milliseconds)
        let status = report.after
        if status.free { return .success(fields) }
        if let error = bindError(status) { return .failure(error, fields) }
        var reasons: [String] = []
        for skip in report.skipped {
            reasons.append(
                "\(skip.pid.map { "pid \($0)" } ?? "unseen owner (uid \(skip.uid.map(String.init) ?? "?"))") skipped: \(skip.reason.rawValue)"
            )
        }
        let holders =
            status.listeners.isEmpty
            ? "no listener, but bind fails (\(bindFailures(status)))" : status.holdersDescription
        let message =
            "port \(status.port) is still held after --kill by \(holders)"
            + (reasons.isEmpty ? "" : "; " + reasons.joined(separator: ", "))
        let hint: String? =
            if report.skipped.contains(where: { $0.reason == .otherUser }) {
                "another user's process holds it: rerun with --force to signal it"
            } else if report.skipped.contains(where: { $0.reason == .ownerUnknown }) {
                "the owning process is not visible to this user: run as its owner or as root"
            } else {
                nil
            }
        return .failure(SmokeError(.portInUse, message, hint: hint), fields)
    }

    static func skipJSON(_ skip: SkipRecord) -> JSONValue {
        var object: [String: JSONValue] = [
            "pid": skip.pid.map { .int(Int64($0)) } ?? .null,
            "reason": .string(skip.reason.rawValue),
        ]
        if let uid = skip.uid { object["uid"] = .int(Int64(uid)) }
        if let detail = skip.detail { object["detail"] = .string(detail) }
        return .object(object)
    }

    static func portFields(_ status: PortStatus) -> [String: JSONValue] {
        [
            "port": .int(Int64(status.port)),
            "free": .bool(status.free),
            "listeners": .array(status.listeners.map(\.json)),
            // A busy server can have thousands of connections on its port: show a bounded sample.
            "other_sockets": .array(status.otherSockets.prefix(otherSocketsShown).map(\.json)),
            "other_socket_count": .int(Int64(status.otherSockets.count)),
            "bind_checks": .array(status.bindChecks.map(\.json)),
        ]
    }

    /// A bind refused for a reason other than "in use", with nobody listening, is the
    /// environment's fault (exit 3), not a held port.
    static func bindError(_ status: PortStatus) -> SmokeError? {
        guard status.listeners.isEmpty, !status.bindChecks.contains(where: { $0.status == .inUse }) else { return nil }
        if let denied = status.bindChecks.first(where: { $0.status == .denied }) {
            return SmokeError(
                .bindDenied, "cannot bind \(denied.address): \(denied.detail ?? "permission denied")",
                hint: "ports below 1024 need root or CAP_NET_BIND_SERVICE")
        }
        if let failed = status.bindChecks.first(where: { $0.status == .error }) {
            return SmokeError(.bindFailed, "cannot bind \(failed.address): \(failed.detail ?? "unknown error")")
        }
        return nil
    }

    static func bindFailures(_ status: PortStatus) -> String {
        status.failedBinds.map { "\($0.address): \($0.detail ?? $0.status.rawValue)" }.joined(separator: "; ")
    }

    // MARK: - --random

    static func pickRandom(_ picker: RandomPortPicker, discovery: ListenerDiscovery, log: Log?) -> ToolOutcome {
        let range = picker.range
        let excluded = picker.excluded
        let seed = picker.seed
        let pick = picker.pick { PortStatus.inspect(port: $0, discovery: discovery) }
        var fields: [String: JSONValue] = [
            "range": ["low": .int(Int64(range.lowerBound)), "high": .int(Int64(range.upperBound))],
            "excluded": .array(excluded.map { .int(Int64($0)) }),
            "seed": .int(Int64(seed)),
            "attempts": .int(Int64(pick.attempts)),
            "busy": .array(pick.busy.map { .int(Int64($0)) }),
        ]
        guard let status = pick.status else {
            fields["port"] = .null
            fields["free"] = false
            return .failure(
                SmokeError(
                    .noFreePort,
                    "no free port in \(range.lowerBound)-\(range.upperBound) after \(pick.attempts) attempts",
                    hint: "widen --range or stop the listeners occupying it"), fields)
        }
        log?.info("chose port \(status.port) after \(pick.attempts) attempt(s)")
        fields.merge(portFields(status)) { _, new in new }
        return .success(fields)
    }
}
