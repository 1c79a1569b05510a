import Glibc

/// Who may be signalled. Never pid 1, this process or its parent (not even with --force: that
/// would take down the init, the tool or the shell running it); another user's process only
/// with --force; a socket with no visible owner cannot be signalled at all.
public struct KillPolicy: Sendable {
    public var selfPid: Int32
    public var parentPid: Int32
    public var selfUid: UInt32
    public var force: Bool

    public init(force: Bool, selfPid: Int32 = getpid(), parentPid: Int32 = getppid(), selfUid: UInt32 = getuid()) {
        self.force = force
        self.selfPid = selfPid
        self.parentPid = parentPid
        self.selfUid = selfUid
    }

    public enum Decision: Sendable, Equatable {
        case signal(ProcessRecord)
        case skip(SkipReason)
    }

    public enum SkipReason: String, Sendable {
        case ownerUnknown = "owner_unknown"
        case pid1 = "pid_1"
        case isSelf = "self"
        case parent
        case otherUser = "other_user"
        case exited
        case permissionDenied = "permission_denied"
        case signalFailed = "signal_failed"
    }

    public func decide(pid: Int32?, process: ProcessRecord?) -> Decision {
        guard let pid else { return .skip(.ownerUnknown) }
        if pid == 1 { return .skip(.pid1) }
        if pid == selfPid { return .skip(.isSelf) }
        if pid == parentPid { return .skip(.parent) }
        guard let process else { return .skip(.exited) }
        if process.uid != selfUid && !force { return .skip(.otherUser) }
        return .signal(process)
    }
}

/// A signal that was delivered.
public struct SignalRecord: Sendable, Hashable {
    public var pid: Int32
    public var signal: String

    public init(pid: Int32, signal: String) {
        self.pid = pid
        self.signal = signal
    }
}

/// A holder that was not signalled (or whose signal failed), and why.
public struct SkipRecord: Sendable, Hashable {
    public var pid: Int32?
    public var reason: KillPolicy.SkipReason
    /// The process's (or, for an unseen owner, the socket's) uid: says whose it is.
    public var uid: UInt32?
    public var detail: String?

    public init(pid: Int32?, reason: KillPolicy.SkipReason, uid: UInt32?, detail: String? = nil) {
        self.pid = pid
        self.reason = reason
        self.uid = uid
        self.detail = detail
    }
}
