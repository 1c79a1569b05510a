import Foundation
import SmokeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A stdio MCP server as the probe starts it: the server's own command, in a process group of
/// its own (so one signal reaches everything it started), with three pipes. Blocking calls only:
/// one dedicated thread drives it (`StdioSession`).
final class StdioChild {
    let pid: pid_t
    /// Write end of the child's stdin (non-blocking); -1 once closed.
    private(set) var stdinFD: Int32
    /// Read ends of the child's stdout and stderr (non-blocking).
    let stdoutFD: Int32
    let stderrFD: Int32
    /// How the child ended, once reaped.
    private(set) var status: ExitStatus?
    private var stopped = false

    enum ExitStatus: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Why the command could not be started.
    struct SpawnFailure: Error {
        var notFound: Bool
        var message: String
    }

    private init(pid: pid_t, stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32) {
        self.pid = pid
        self.stdinFD = stdinFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
    }

    // MARK: - Start

    /// Finds `command` the way a shell would: a name without `/` is looked up on the PATH of the
    /// server's own environment. Returns the path, or why not.
    static func resolve(_ command: String, environment: [String: String]) -> Result<String, SpawnFailure> {
        guard !command.isEmpty else { return .failure(SpawnFailure(notFound: true, message: "the command is empty")) }
        if command.contains("/") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: command, isDirectory: &isDirectory) else {
                return .failure(SpawnFailure(notFound: true, message: "\(command): no such file"))
            }
            guard !isDirectory.boolValue, access(command, X_OK) == 0 else {
                return .failure(SpawnFailure(notFound: true, message: "\(command): not an executable file"))
            }
            return .success(command)
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        var nonExecutable: String?
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + command
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue
            else {
                continue
            }
            if access(candidate, X_OK) == 0 { return .success(candidate) }
            nonExecutable = nonExecutable ?? candidate
        }
        if let nonExecutable {
            return .failure(SpawnFailure(notFound: true, message: "\(command): \(nonExecutable) is not executable"))
        }
        return .failure(SpawnFailure(notFound: true, message: "\(command): not found on PATH"))
    }

    /// Starts `executable` (already resolved) with `arguments` and exactly `environment`.
    /// The child gets an empty signal mask and default signal actions (a parent thread's blocked
    /// SIGTERM must not make it unstoppable), and its own process group.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String?
    ) -> Result<StdioChild, SpawnFailure> {
        Self.ignoreSIGPIPE
        if let workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: workingDirectory, isDirectory: &isDirectory),
                isDirectory.boolValue
            else {
                return .failure(
                    SpawnFailure(notFound: false, message: "working directory \(workingDirectory): no such directory"))
            }
        }
        guard let stdinPipe = makePipe(), let stdoutPipe = makePipe(), let stderrPipe = makePipe() else {
            return .failure(
                SpawnFailure(notFound: false, message: "cannot create pipes: \(String(cString: strerror(errno)))"))
        }
        let allFDs = [stdinPipe.0, stdinPipe.1, stdoutPipe.0, stdoutPipe.1, stderrPipe.0, stderrPipe.1]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the target: the child keeps exactly 0, 1 and 2.
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.0, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.1, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.1, 2)
        if let workingDirectory {
            guard let addChdir = Self.addChdir, addChdir(&actions, workingDirectory) == 0 else {
                for fd in allFDs { close(fd) }
                return .failure(
                    SpawnFailure(notFound: false, message: "cannot set the working directory \(workingDirectory)"))
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, Int32(signal)) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(stdinPipe.0)
        close(stdoutPipe.1)
        close(stderrPipe.1)
        guard result == 0 else {
            for fd in [stdinPipe.1, stdoutPipe.0, stderrPipe.0] { close(fd) }
            let reason = String(cString: strerror(result))
            let notFound = result == ENOENT || result == EACCES || result == ENOEXEC || result == ENOTDIR
            return .failure(SpawnFailure(notFound: notFound, message: "\(executable): cannot execute: \(reason)"))
        }
        for fd in [stdinPipe.1, stdoutPipe.0, stderrPipe.0] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return .success(StdioChild(pid: pid, stdinFD: stdinPipe.1, stdoutFD: stdoutPipe.0, stderrFD: stderrPipe.0))
    }

    /// A pipe whose ends are close-on-exec from the start, so a server started at the same time
    /// by another thread never inherits them (a stray copy of a write end would hide EOF).
    private static func makePipe() -> (Int32, Int32)? {
        var fds: [Int32] = [-1, -1]
        guard let pipe2 = Self.pipe2, pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    // pipe2 and posix_spawn_file_actions_addchdir_np are GNU extensions the Glibc module does
    // not show; glibc has both (2.9 and 2.29).
    private nonisolated(unsafe) static let library = dlopen(nil, RTLD_NOW)
    private static let pipe2: Pipe2? = dlsym(library, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let addChdir: AddChdir? = dlsym(library, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: AddChdir.self)
    }

    /// A write to the stdin of a server that has gone must be EPIPE, not a signal that kills the tool.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    // MARK: - Talking

    /// Writes all of `bytes` to the child's stdin, waiting (poll) while the pipe is full, until
    /// `deadline`. Returns nil when written, else why not.
    func write(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) -> String? {
        guard stdinFD >= 0 else { return "stdin is closed" }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBufferPointer { buffer in
                Foundation.write(stdinFD, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written >= 0 {
                offset += written
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                let left = Self.milliseconds(until: deadline)
                guard left > 0 else { return "stdin full until the deadline (the server does not read)" }
                var pollFD = pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pollFD, 1, left)
            case EPIPE: return "the server closed its stdin"
            default: return "write to stdin: \(String(cString: strerror(errno)))"
            }
        }
        return nil
    }

    func closeStdin() {
        guard stdinFD >= 0 else { return }
        close(stdinFD)
        stdinFD = -1
    }

    /// Reaps the child if it has ended (never blocks).
    @discardableResult
    func reap() -> ExitStatus? {
        if let status { return status }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        guard result == pid else { return nil }
        // WIFEXITED / WTERMSIG are macros; the encoding is the portable one.
        let signal = raw & 0x7F
        status = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
        return status
    }

    /// How the stop went.
    enum Stop: String, Sendable {
        /// The server had ended on its own before the probe stopped it.
        case exited
        /// SIGTERM to the group was enough.
        case terminated
        /// Something in the group outlived the grace period and was killed.
        case killed
    }

    /// Closes stdin, SIGTERMs the whole process group, and SIGKILLs it after `grace` if the
    /// server or anything it started is still alive. Returns once the server is reaped (bounded).
    func stop(grace: Duration) -> Stop {
        closeStdin()
        defer {
            if !stopped {
                stopped = true
                close(stdoutFD)
                close(stderrFD)
            }
        }
        let endedBefore = reap() != nil
        // Nothing left to signal (and the pid may be reused once reaped): done.
        if endedBefore, !Self.groupHasLiveMembers(pid) { return .exited }
        kill(-pid, SIGTERM)
        let clock = ContinuousClock()
        let termDeadline = clock.now + grace
        var stop: Stop = endedBefore ? .exited : .terminated
        while true {
            reap()
            if status != nil, !Self.groupHasLiveMembers(pid) { break }
            if clock.now >= termDeadline {
                kill(-pid, SIGKILL)
                stop = .killed
                break
            }
            Self.nap(milliseconds: 5)
        }
        // After SIGKILL the end is immediate; the bound only guards against a process stuck in the kernel.
        let reapDeadline = clock.now + .seconds(2)
        while reap() == nil, clock.now < reapDeadline { Self.nap(milliseconds: 2) }
        return stop
    }

    /// Whether a process of the group is still alive. Zombies do not count: where PID 1 does not
    /// reap orphans (containers), a killed grandchild stays a zombie and `kill(-pgid, 0)` keeps
    /// succeeding. /proc tells them apart; without /proc the signal probe is all there is.
    static func groupHasLiveMembers(_ pgid: pid_t) -> Bool {
        guard kill(-pgid, 0) == 0 else { return false }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
        for entry in entries {
            guard let first = entry.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9"),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "(comm)": state ppid pgrp …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count >= 3, let group = Int32(fields[2]), group == pgid else { continue }
            if fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
    }

    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return 0 }
        return Int32(clamping: max(1, left.milliseconds))
    }

    static func nap(milliseconds: Int32) {
        _ = poll(nil, 0, milliseconds)
    }

    deinit {
        if !stopped { _ = stop(grace: .milliseconds(200)) }
    }
}
