import SmokeCore

/// Everything known about one port at one moment: who listens, what else sits on it, and
/// whether a server could bind it right now.
public struct PortStatus: Sendable {
    public var port: Int
    public var listeners: [Listener]
    public var otherSockets: [OtherSocket]
    public var bindChecks: [BindCheck]

    public init(port: Int, listeners: [Listener], otherSockets: [OtherSocket], bindChecks: [BindCheck]) {
        self.port = port
        self.listeners = listeners
        self.otherSockets = otherSockets
        self.bindChecks = bindChecks
    }

    /// Free means: no LISTEN socket on the port AND every bind check succeeded.
    public var free: Bool { listeners.isEmpty && !bindChecks.contains(where: \.blocksPort) }

    public static func inspect(port: Int, discovery: ListenerDiscovery = ListenerDiscovery()) -> PortStatus {
        let found = discovery.discover(port: port)
        return PortStatus(
            port: port, listeners: found.listeners, otherSockets: found.otherSockets,
            bindChecks: BindCheck.run(port: port))
    }

    /// "pid 42 (python3 server.py) on 127.0.0.1:8080, pid ? (uid 65534) on [::]:8080".
    public var holdersDescription: String {
        listeners.map { listener in
            let who = listener.pid.map { "pid \($0)" } ?? "an unseen process of uid \(listener.uid)"
            let what = listener.command.map { " (\($0.count > 60 ? String($0.prefix(57)) + "..." : $0))" } ?? ""
            return "\(who)\(what) on \(listener.address)"
        }.joined(separator: ", ")
    }

    public var failedBinds: [BindCheck] { bindChecks.filter(\.blocksPort) }
}
