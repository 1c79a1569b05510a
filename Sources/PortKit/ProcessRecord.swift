import Glibc

/// What procfs tells about one process: enough to describe it and to decide whether to signal it.
public struct ProcessRecord: Sendable, Hashable {
    public var pid: Int32
    public var parentPid: Int32
    /// Real uid (the `Uid:` line of /proc/<pid>/status): whose process this is.
    public var uid: UInt32
    /// One-letter state from /proc/<pid>/stat (`Z` zombie, `S` sleeping, …).
    public var state: Character
    /// Start time in clock ticks since boot; with the pid, it names a process across pid reuse.
    public var startTime: UInt64
    /// The command line, arguments joined by spaces; `[comm]` for kernel threads.
    public var command: String?

    public init(pid: Int32, parentPid: Int32, uid: UInt32, state: Character, startTime: UInt64, command: String?) {
        self.pid = pid
        self.parentPid = parentPid
        self.uid = uid
        self.state = state
        self.startTime = startTime
        self.command = command
    }

    /// Reads a process; nil when it does not exist (or has just exited).
    public static func read(pid: Int32, procRoot: String = "/proc") -> ProcessRecord? {
        guard let stat = ProcFile.readText("\(procRoot)/\(pid)/stat"),
            let status = ProcFile.readText("\(procRoot)/\(pid)/status"),
            let parsed = parseStat(stat)
        else { return nil }
        var uid: UInt32?
        for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
            uid = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) }
        }
        guard let uid else { return nil }
        return ProcessRecord(
            pid: pid, parentPid: parsed.parentPid, uid: uid, state: parsed.state, startTime: parsed.startTime,
            command: commandLine(pid: pid, procRoot: procRoot))
    }

    /// Parses `/proc/<pid>/stat`. The command name (field 2) may contain spaces and parentheses,
    /// so fields are counted from the LAST `)`.
    static func parseStat(_ text: String) -> (state: Character, parentPid: Int32, startTime: UInt64)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 4 is ppid, field 22 is starttime.
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
            let start = UInt64(fields[19])
        else { return nil }
        return (state, parent, start)
    }

    static func commandLine(pid: Int32, procRoot: String) -> String? {
        if let bytes = ProcFile.read("\(procRoot)/\(pid)/cmdline", limit: 16384), !bytes.isEmpty {
            let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            return arguments.reversed().drop(while: \.isEmpty).reversed().joined(separator: " ")
        }
        if let comm = ProcFile.readText("\(procRoot)/\(pid)/comm") {
            return "[\(comm.droppingTrailing("\n"))]"
        }
        return nil
    }

    public var isZombie: Bool { state == "Z" || state == "X" }

    /// True while this very process (same pid AND same start time) is alive and not a zombie.
    public func isStillRunning(procRoot: String = "/proc") -> Bool {
        guard let now = ProcessRecord.read(pid: pid, procRoot: procRoot) else { return false }
        return now.startTime == startTime && !now.isZombie
    }
}

extension String {
    fileprivate func droppingTrailing(_ set: Character) -> String {
        var text = Substring(self)
        while text.last == set { text = text.dropLast() }
        return String(text)
    }
}

/// User names for uids, through the thread-safe getpwuid_r.
public enum UserNames {
    public static func name(uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
