import Foundation

/// A server or other long-running child started by a test and always stopped by it.
/// Readiness is awaited on a line the child prints (e.g. `READY 43121`), never by sleeping.
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    private let lock = NSLock()
    private var stdoutLines: [String] = []
    private var stdoutBuffer = Data()
    private var stderrData = Data()
    private let lineArrived = DispatchSemaphore(value: 0)
    /// The child's stdin when started with `input: true` (else /dev/null); nil once closed.
    private var input: FileHandle?
    /// A write to a child that has exited must fail with EPIPE, not kill the test process.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    public var pid: Int32 { process.processIdentifier }

    public init(
        _ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String]? = nil,
        input: Bool = false
    ) throws {
        process.executableURL = URL(fileURLWithPath: try ChildProcess.resolve(executable))
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let environment { process.environment = ChildProcess.withSanitizerOptions(environment) }
        if input {
            Self.ignoreSIGPIPE
            let pipe = Pipe()
            process.standardInput = pipe
            self.input = pipe.fileHandleForWriting
        } else {
            process.standardInput = FileHandle.nullDevice
            self.input = nil
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.lineArrived.signal()
                return
            }
            self.lock.lock()
            self.stdoutBuffer.append(data)
            var newLines = 0
            while let newline = self.stdoutBuffer.firstIndex(of: 0x0A) {
                let line = self.stdoutBuffer[self.stdoutBuffer.startIndex..<newline]
                self.stdoutLines.append(String(decoding: line, as: UTF8.self))
                self.stdoutBuffer.removeSubrange(self.stdoutBuffer.startIndex...newline)
                newLines += 1
            }
            self.lock.unlock()
            for _ in 0..<newLines { self.lineArrived.signal() }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            guard let self else { return }
            self.lock.lock()
            self.stderrData.append(data)
            self.lock.unlock()
        }
        try SignalMask.withUnblockedSignals { try process.run() }
    }

    /// Convenience: a Python script from the pinned venv.
    public static func python(
        _ script: String, _ arguments: [String] = [], environment: [String: String]? = nil, input: Bool = false
    ) throws -> BackgroundProcess {
        var env = environment ?? ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        return try BackgroundProcess(ProjectPaths.python, [script] + arguments, environment: env, input: input)
    }

    /// Writes `line` and a newline to the child's stdin (started with `input: true`).
    public func send(_ line: String) throws {
        lock.lock()
        let input = self.input
        lock.unlock()
        guard let input else {
            throw NSError(
                domain: "BackgroundProcess", code: 4, userInfo: [NSLocalizedDescriptionKey: "started without input"])
        }
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stdoutLines
    }

    public var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stderrData, as: UTF8.self)
    }

    /// Waits until a stdout line has `prefix`, and returns it. Bounded by `timeout` seconds; fails
    /// early if the child exits first.
    public func waitForLine(prefix: String, timeout: Double = 30) throws -> String {
        try waitForLine(described: "'\(prefix)'", timeout: timeout) { $0.hasPrefix(prefix) }
    }

    /// Waits until a stdout line satisfies `matches` (e.g. the log line of a server's last
    /// request, so every earlier line has been read too), and returns it.
    public func waitForLine(
        described description: String, timeout: Double = 30, _ matches: (String) -> Bool
    ) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = lines.first(where: matches) { return line }
            if !process.isRunning, lines.first(where: matches) == nil {
                throw NSError(
                    domain: "BackgroundProcess", code: 1,
                    userInfo: [
                        NSLocalizedDescriptionKey:
                            "child exited (\(process.terminationStatus)) before printing \(description); stderr: \(stderr.suffix(2000))"
                    ])
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                throw NSError(
                    domain: "BackgroundProcess", code: 2,
                    userInfo: [
                        NSLocalizedDescriptionKey:
                            "no line \(description) within \(timeout)s; stderr: \(stderr.suffix(2000))"
                    ])
            }
            _ = lineArrived.wait(timeout: .now() + min(remaining, 0.5))
        }
    }

    /// Waits for a `READY <port>` line and returns the port.
    public func waitForReadyPort(timeout: Double = 30) throws -> Int {
        let line = try waitForLine(prefix: "READY", timeout: timeout)
        guard let port = Int(line.split(separator: " ").last ?? "") else {
            throw NSError(
                domain: "BackgroundProcess", code: 3, userInfo: [NSLocalizedDescriptionKey: "bad ready line: \(line)"])
        }
        return port
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; waits for the exit.
    public func stop(grace: Double = 3) {
        lock.lock()
        let input = self.input
        self.input = nil
        lock.unlock()
        try? input?.close()  // end of input: a child that reads it may exit by itself
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop(grace: 1) }
}
