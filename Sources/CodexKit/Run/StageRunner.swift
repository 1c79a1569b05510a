import Foundation
import SmokeCore
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs one Codex child and keeps its evidence: stdout line by line into the transcript, stderr
/// into the stderr log, both as they arrive; a wall-clock timeout and a no-output (heartbeat)
/// timeout that stop the child's whole process group (TERM, grace, KILL).
public struct StageRunner: Sendable {
    public var executable: String
    public var arguments: [String]
    public var workingDirectory: String?
    /// Set (or, with nil, removed) on top of the inherited environment.
    public var environment: [String: String?]
    public var transcriptPath: String
    public var stderrPath: String
    public var timeout: Double
    public var heartbeatTimeout: Double
    public var grace: Double

    public init(
        executable: String, arguments: [String], workingDirectory: String? = nil, environment: [String: String?] = [:],
        transcriptPath: String, stderrPath: String, timeout: Double, heartbeatTimeout: Double, grace: Double = 3
    ) {
        self.executable = executable
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.transcriptPath = transcriptPath
        self.stderrPath = stderrPath
        self.timeout = timeout
        self.heartbeatTimeout = heartbeatTimeout
        self.grace = grace
    }

    public struct Result: Sendable {
        public var end: RunEnd
        public var transcript: TranscriptParser
        public var stderr: StderrDigest
        public var duration: Duration
        public var processID: Int32
    }

    /// When the last line arrived, and whether (and which) timeout fired.
    private final class Watch: Sendable {
        private struct State {
            var lastActivity: ContinuousClock.Instant
            var fired: RunEnd?
            var streamsOpen = 2
        }

        private let state: Mutex<State>
        /// Signalled when a stream closes, so the watchdog notices the end of the run at once
        /// instead of at its next poll.
        let streamClosedSignal = DispatchSemaphore(value: 0)
        init() { state = Mutex(State(lastActivity: .now)) }
        func touch() { state.withLock { $0.lastActivity = .now } }
        var lastActivity: ContinuousClock.Instant { state.withLock { $0.lastActivity } }
        func fire(_ end: RunEnd) { state.withLock { if $0.fired == nil { $0.fired = end } } }
        var fired: RunEnd? { state.withLock { $0.fired } }
        func streamClosed() {
            state.withLock { $0.streamsOpen -= 1 }
            streamClosedSignal.signal()
        }
        var streamsDone: Bool { state.withLock { $0.streamsOpen <= 0 } }
    }

    /// The spawn failed with ETXTBSY: another thread of this process was writing an executable
    /// when a concurrent fork inherited its descriptor; the file becomes executable a moment later.
    private struct TextFileBusy: Error {
        var error: SubprocessError
    }

    public func run() async throws(SmokeError) -> Result {
        var attempt = 0
        while true {
            do {
                return try await runOnce()
            } catch let busy as TextFileBusy {
                guard attempt < 5 else {
                    throw SmokeError(.codexSpawnFailed, "\(executable): cannot start: \(busy.error)")
                }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(50 * attempt))
            } catch let error as SmokeError {
                throw error
            } catch {
                throw SmokeError(.codexSpawnFailed, "\(executable): cannot start: \(error)")
            }
        }
    }

    private func runOnce() async throws -> Result {
        let transcriptFile = try LineFile(path: transcriptPath)
        let stderrFile = try LineFile(path: stderrPath)
        let watch = Watch()
        let started = ContinuousClock.now
        var options = PlatformOptions()
        // posix_spawn puts the child in a new process group whose id is its pid, so one kill(-pid)
        // reaches Codex and everything it started (MCP stdio servers, shells).
        options.processGroupID = 0
        var overrides: [Environment.Key: String?] = ["RUST_BACKTRACE": nil]
        for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
        let timeout = self.timeout
        let heartbeat = self.heartbeatTimeout
        let grace = self.grace

        let stdoutPipe = try PipeDrain()
        let stderrPipe: PipeDrain
        do { stderrPipe = try PipeDrain() } catch {
            close(stdoutPipe.readEnd)
            close(stdoutPipe.writeEnd)
            throw error
        }
        // Once the child runs, the readers own (and close) the read ends; before that, this does.
        var readersStarted = false
        func closeUnreadEnds() {
            if !readersStarted {
                close(stdoutPipe.readEnd)
                close(stderrPipe.readEnd)
            }
        }

        let outcome:
            ExecutionResult<(TranscriptParser, StderrDigest, Int32), FileDescriptorOutput, FileDescriptorOutput>
        do {
            outcome = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments),
                environment: .inherit.updating(overrides),
                workingDirectory: workingDirectory.map { FilePath($0) },
                platformOptions: options, input: .none,
                output: .fileDescriptor(FileDescriptor(rawValue: stdoutPipe.writeEnd), closeAfterSpawningProcess: true),
                error: .fileDescriptor(FileDescriptor(rawValue: stderrPipe.writeEnd), closeAfterSpawningProcess: true)
            ) { execution in
                let pid = execution.processIdentifier.value
                readersStarted = true
                async let transcript = stdoutPipe.drain(
                    into: transcriptFile, TranscriptParser(), name: "codex-stage stdout", activity: watch.touch,
                    ended: watch.streamClosed
                ) { parser, line in parser.consume(line: line) }
                async let digest = stderrPipe.drain(
                    into: stderrFile, StderrDigest(), name: "codex-stage stderr", activity: watch.touch,
                    ended: watch.streamClosed
                ) { digest, line in digest.consume(line: line) }
                // A thread of its own: timeouts must fire even when the cooperative pool is busy.
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread {
                        Self.watchdog(
                            pid: pid, watch: watch, started: started, timeout: timeout, heartbeat: heartbeat,
                            grace: grace)
                        done.resume()
                    }
                    thread.name = "codex-stage watchdog"
                    thread.start()
                }
                return (await transcript, await digest, pid)
            }
        } catch let error as SubprocessError where error.underlyingError == Errno.textFileBusy {
            closeUnreadEnds()
            throw TextFileBusy(error: error)
        } catch {
            closeUnreadEnds()
            throw SmokeError(.codexSpawnFailed, "\(executable): cannot start: \(error)")
        }
        let (transcript, digest, pid) = outcome.closureResult
        let end: RunEnd
        if let fired = watch.fired {
            end = fired
        } else {
            switch outcome.terminationStatus {
            case .exited(let code): end = .exited(Int32(code))
            case .signaled(let signal): end = .signalled(Int32(signal))
            }
        }
        var childEnd = ""
        switch outcome.terminationStatus {
        case .exited(let code): childEnd = "exit \(code)"
        case .signaled(let signal): childEnd = "signal \(signal)"
        }
        // The marker lets `check` on the saved files know how the run ended (see RunEnd).
        stderrFile.write(line: "\(StderrDigest.marker)child \(childEnd)")
        stderrFile.write(line: StderrDigest.marker + end.marker)
        return Result(end: end, transcript: transcript, stderr: digest, duration: .now - started, processID: pid)
    }

    /// Polls the clocks until both streams closed and the child exited; on a timeout sends
    /// SIGTERM to the group, waits `grace`, then SIGKILL. It keeps watching after the pipes close,
    /// so a child that closes its output but never exits still meets `--timeout`.
    private static func watchdog(
        pid: Int32, watch: Watch, started: ContinuousClock.Instant, timeout: Double, heartbeat: Double, grace: Double
    ) {
        while true {
            let streamsDone = watch.streamsDone
            if streamsDone, childExited(pid) { return }
            let now = ContinuousClock.now
            if timeout > 0, now - started >= .seconds(timeout) {
                watch.fire(.timeout(seconds: timeout))
            } else if heartbeat > 0, !streamsDone, now - watch.lastActivity >= .seconds(heartbeat) {
                watch.fire(.heartbeatTimeout(seconds: heartbeat))
            }
            if watch.fired != nil { break }
            // Once the pipes closed the exit is imminent: look often so the stage ends promptly.
            _ = watch.streamClosedSignal.wait(timeout: .now() + .milliseconds(streamsDone ? 1 : 20))
        }
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(grace)
        while !(watch.streamsDone && childExited(pid)), ContinuousClock.now < deadline {
            usleep(10_000)
        }
        if !(watch.streamsDone && childExited(pid)) { kill(-pid, SIGKILL) }
    }

    /// Whether the child has exited, without reaping it (WNOWAIT): swift-subprocess collects the
    /// status itself. An error (already reaped) counts as exited.
    private static func childExited(_ pid: Int32) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return true }
        return info.si_signo == SIGCHLD
    }
}
