import Glibc
import SmokeCore

/// The `--kill` sequence: SIGTERM the holders the policy allows, poll (bounded by the grace
/// period) until each has let go of the port or exited, SIGKILL whoever still holds it, wait for
/// those to die (bounded), then inspect the port again.
public struct PortClearer: Sendable {
    public var policy: KillPolicy
    public var grace: Duration
    public var signals: any SignalSender
    public var discovery: ListenerDiscovery
    /// How long to wait for SIGKILLed processes to disappear; SIGKILL cannot be caught, so this
    /// only bounds a process stuck in uninterruptible sleep.
    public var killSettle: Duration
    public var pollInterval: Duration
    public var log: Log?

    public init(
        policy: KillPolicy, grace: Duration, signals: any SignalSender = KernelSignals(),
        discovery: ListenerDiscovery = ListenerDiscovery(), killSettle: Duration = .seconds(5),
        pollInterval: Duration = .milliseconds(20), log: Log? = nil
    ) {
        self.policy = policy
        self.grace = grace
        self.signals = signals
        self.discovery = discovery
        self.killSettle = killSettle
        self.pollInterval = pollInterval
        self.log = log
    }

    public struct Report: Sendable {
        public var before: PortStatus
        public var after: PortStatus
        public var signalled: [SignalRecord]
        public var skipped: [SkipRecord]
    }

    public func clear(port: Int) async -> Report {
        let before = PortStatus.inspect(port: port, discovery: discovery)
        var signalled: [SignalRecord] = []
        var skipped: [SkipRecord] = []
        var targets: [ProcessRecord] = []
        var decided: Set<Int32> = []
        var unknownOwnerInodes: Set<UInt64> = []

        for listener in before.listeners {
            if let pid = listener.pid {
                guard decided.insert(pid).inserted else { continue }
            } else {
                guard unknownOwnerInodes.insert(listener.inode).inserted else { continue }
            }
            switch policy.decide(pid: listener.pid, process: listener.process) {
            case .signal(let process):
                targets.append(process)
            case .skip(let reason):
                skipped.append(
                    SkipRecord(pid: listener.pid, reason: reason, uid: listener.process?.uid ?? listener.uid))
            }
        }

        // SIGTERM first: a server gets the chance to close its sockets and finish cleanly.
        var terminated: [ProcessRecord] = []
        for process in targets {
            switch deliver(SIGTERM, to: process) {
            case .delivered:
                signalled.append(SignalRecord(pid: process.pid, signal: "SIGTERM"))
                terminated.append(process)
            case .gone:
                skipped.append(SkipRecord(pid: process.pid, reason: .exited, uid: process.uid))
            case .failed(let reason, let detail):
                skipped.append(SkipRecord(pid: process.pid, reason: reason, uid: process.uid, detail: detail))
            }
        }

        let graceDeadline = ContinuousClock.now + grace
        var holding = terminated
        while true {
            holding = stillHolding(holding, port: port)
            if holding.isEmpty || ContinuousClock.now >= graceDeadline { break }
            try? await Task.sleep(for: pollInterval)
        }

        var killed: [ProcessRecord] = []
        for process in holding {
            switch deliver(SIGKILL, to: process) {
            case .delivered:
                signalled.append(SignalRecord(pid: process.pid, signal: "SIGKILL"))
                killed.append(process)
            case .gone:
                continue
            case .failed(let reason, let detail):
                skipped.append(SkipRecord(pid: process.pid, reason: reason, uid: process.uid, detail: detail))
            }
        }
        let settleDeadline = ContinuousClock.now + killSettle
        while killed.contains(where: { $0.isStillRunning(procRoot: discovery.procRoot) }),
            ContinuousClock.now < settleDeadline
        {
            try? await Task.sleep(for: pollInterval)
        }

        let after = PortStatus.inspect(port: port, discovery: discovery)
        return Report(before: before, after: after, signalled: signalled, skipped: skipped)
    }

    enum Delivery {
        case delivered
        case gone
        case failed(KillPolicy.SkipReason, String)
    }

    /// Signals `process` only if the pid still names the process discovery saw (same start
    /// time): a pid reused by an unrelated process in the meantime is never hit.
    func deliver(_ signal: Int32, to process: ProcessRecord) -> Delivery {
        guard process.isStillRunning(procRoot: discovery.procRoot) else { return .gone }
        let error = signals.send(signal, to: process.pid)
        let name = SignalName.of(signal)
        switch error {
        case 0:
            log?.info("\(name) pid \(process.pid) (\(process.command ?? "?"))")
            return .delivered
        case ESRCH:
            return .gone
        case EPERM:
            log?.info("\(name) pid \(process.pid) refused: \(String(cString: strerror(error)))")
            return .failed(.permissionDenied, "\(name): \(String(cString: strerror(error)))")
        default:
            return .failed(.signalFailed, "\(name): \(String(cString: strerror(error)))")
        }
    }

    /// The processes that are still alive AND still own a LISTEN socket on the port.
    func stillHolding(_ processes: [ProcessRecord], port: Int) -> [ProcessRecord] {
        guard !processes.isEmpty else { return [] }
        let listening = Set(
            TCPSocketTable.read(procRoot: discovery.procRoot)
                .filter { $0.localPort == port && $0.isListening }.map(\.inode))
        return processes.filter { process in
            guard process.isStillRunning(procRoot: discovery.procRoot), !listening.isEmpty else { return false }
            return !SocketOwners.socketInodes(pid: process.pid, procRoot: discovery.procRoot).isDisjoint(
                with: listening)
        }
    }
}
