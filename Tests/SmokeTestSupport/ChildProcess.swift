import Foundation

/// The result of running a command to completion in a test.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// True when the process died from a signal rather than exiting.
    public var signalled: Bool
}

/// Test-side process helpers. Tests may use the git CLI, python and the built binaries; the
/// tools themselves never shell out.
public enum ChildProcess {
    /// Runs `executable` with `arguments` to completion, capturing both streams. stdin is /dev/null.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], cwd: String? = nil,
        environment: [String: String]? = nil, stdin: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let environment { process.environment = ChildProcess.withSanitizerOptions(environment) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try SignalMask.withUnblockedSignals { try process.run() }
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            signalled: process.terminationReason == .uncaughtSignal)
    }

    /// A test that gives a child a minimal environment still passes on the sanitizer settings
    /// `make sanitize` exports (suppressions, leak detection), so sanitized tools behave alike.
    public static func withSanitizerOptions(_ environment: [String: String]) -> [String: String] {
        var result = environment
        for name in ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"] where result[name] == nil {
            if let value = ProcessInfo.processInfo.environment[name] { result[name] = value }
        }
        return result
    }

    /// `pid` and every process under it, one `ps` line each (pid, parent, state, elapsed time,
    /// command): what a test prints when a process it stopped is still running.
    public static func processTree(of pid: Int32) -> String {
        guard let listing = try? run("ps", ["-e", "-o", "pid=,ppid=,stat=,etime=,args="]) else { return "(ps failed)" }
        var parents: [Int32: Int32] = [:]
        var lines: [Int32: Substring] = [:]
        for line in listing.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count >= 2, let child = Int32(fields[0]), let parent = Int32(fields[1]) else { continue }
            parents[child] = parent
            lines[child] = line
        }
        func isUnder(_ candidate: Int32) -> Bool {
            var current: Int32? = candidate
            while let process = current, process > 1 {
                if process == pid { return true }
                current = parents[process]
            }
            return false
        }
        let tree = lines.keys.filter(isUnder).sorted().compactMap { lines[$0] }
        return tree.isEmpty ? "(no process under \(pid))" : tree.joined(separator: "\n")
    }

    /// Finds `name` on PATH unless it is already a path.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NSError(
            domain: "ChildProcess", code: 127, userInfo: [NSLocalizedDescriptionKey: "\(name) not found on PATH"])
    }
}
