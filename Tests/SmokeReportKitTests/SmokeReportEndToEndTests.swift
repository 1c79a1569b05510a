import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The built `smoke-report` against `scripts/smoke_report.py` on the same run directory: the same
/// calls the chain makes (record ×3, then summary and headline) must leave the same ledger, the
/// same step files, the same summary.json content, the same junit.xml bytes, the same lines on
/// stdout and stderr and the same exit statuses. This is what lets the chain switch over.
enum ReportTools {
    static let binary = ProjectPaths.binary("smoke-report")
    static let script = "\(ProjectPaths.root)/scripts/smoke_report.py"
    static let python: String = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : ProjectPaths.python
    static let ready = FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.isExecutableFile(atPath: python)
        && FileManager.default.fileExists(atPath: script)
}

@Suite(.enabled(if: ReportTools.ready, "needs the built smoke-report and python3"))
struct SmokeReportEndToEndTests {

    /// The environment of both: a secret the redaction must hide (named the way both know).
    static let environment: [String: String] = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "OPENAI_API_KEY": "sk-e2e-3f9b2c7d1a",
    ]

    struct Outcome {
        var runDirectory: String
        var calls: [ProcessResult]
        var files: [String: String]
    }

    /// A run directory as the chain leaves it before `record` runs: a passing clone, a probe that
    /// failed (its message holds the secret), a drift step whose tool died without an answer.
    static func makeRun(in parent: TempDirectory) throws -> String {
        let run = "\(parent.path)/run"
        try parent.write("run/01-clone.json", #"{"tool":"git-clean-check","ok":true,"elapsed_ms":12,"head":"abc"}"#)
        try parent.write("run/02-probe.json", """
            {"tool":"probe-initialize","ok":false,"elapsed_ms":4785,"stderr_log":"\(run)/logs/02-probe.stderr.log",
             "error":{"code":"tools_not_ready","message":"tools not ready: missing grep (key sk-e2e-3f9b2c7d1a)"}}
            """)
        try parent.write("run/logs/01-clone.stderr.log", "")
        try parent.write("run/logs/02-probe.stderr.log", "waiting for tools\n")
        try parent.write("run/logs/03-drift.stderr.log", "Traceback (most recent call last):\n  boom with sk-e2e-3f9b2c7d1a\n")
        try parent.write("run/stack.log", (1...30).map { "INFO: line \($0)" }.joined(separator: "\n") + "\nERROR: \u{1}gone sk-e2e-3f9b2c7d1a\n")
        return run
    }

    /// The chain's calls, `command` being either tool.
    static func runChain(_ command: [String], in parent: TempDirectory) throws -> Outcome {
        let run = try makeRun(in: parent)
        func call(_ arguments: [String]) throws -> ProcessResult {
            try ChildProcess.run(command[0], Array(command.dropFirst()) + arguments, cwd: parent.path, environment: environment)
        }
        func record(_ n: Int, _ step: String, exit: Int, ms: Int, artifacts: [String] = []) throws -> ProcessResult {
            let number = n < 10 ? "0\(n)" : "\(n)"
            let file = "\(number)-\(step).json"
            let log = "logs/\(number)-\(step).stderr.log"
            return try call(["record", "--run", run, "--n", String(n), "--step", step, "--stage", "", "--tool", "t-\(step)",
                             "--file", file, "--exit", String(exit), "--elapsed-ms", String(ms), "--stderr", "\(run)/\(log)",
                             "--artifact", log] + artifacts.flatMap { ["--artifact", $0] })
        }
        var calls = [
            try record(1, "clone", exit: 0, ms: 422, artifacts: ["workspace"]),
            try record(2, "probe", exit: 1, ms: 4785, artifacts: ["tools.json", "stack.log"]),
            try record(3, "drift", exit: 137, ms: 16),
        ]
        calls.append(try call(["summary", "--run", run, "--planned=clone", "--planned=probe", "--planned=drift",
                               "--planned=stage-install", "--field", "source=/src", "--field", "port:=18555",
                               "--field", "stages:=[\"install\"]", "--field", "started_at=2026-11-25T09:00:01Z",
                               "--field", "wall_ms:=5802"]))
        calls.append(try call(["headline", "\(run)/summary.json"]))
        calls.append(try call(["get", "\(run)/summary.json", "first_failure.code"]))
        var files: [String: String] = [:]
        for name in ["steps.jsonl", "summary.json", "junit.xml", "03-drift.json"] {
            files[name] = try String(contentsOfFile: "\(run)/\(name)", encoding: .utf8)
        }
        return Outcome(runDirectory: run, calls: calls, files: files)
    }

    /// A JSON text with the run directory spelled alike, parsed by SmokeCore's reader.
    static func json(_ text: String?, run: String) throws -> JSONValue {
        let resolved = URL(fileURLWithPath: run).resolvingSymlinksInPath().path
        let neutral = (text ?? "").replacingOccurrences(of: resolved, with: "RUN").replacingOccurrences(of: run, with: "RUN")
        return try JSONValue.parse(Data(neutral.utf8), source: "answer")
    }

    @Test func recordThreeStepsThenSummaryAgreesWithThePythonScript() throws {
        let pythonParent = try TempDirectory(prefix: "smoke-report-py")
        let swiftParent = try TempDirectory(prefix: "smoke-report-swift")
        let python = try Self.runChain([ReportTools.python, ReportTools.script], in: pythonParent)
        let swift = try Self.runChain([ReportTools.binary], in: swiftParent)

        // Exit statuses and what the chain reads or shows from stdout and stderr.
        for (index, (expected, actual)) in zip(python.calls, swift.calls).enumerated() {
            #expect(actual.status == expected.status, "call \(index): \(actual.stderr)")
            #expect(actual.stdout.replacingOccurrences(of: swift.runDirectory, with: "RUN")
                == expected.stdout.replacingOccurrences(of: python.runDirectory, with: "RUN"), "call \(index)")
            #expect(actual.stderr == expected.stderr, "call \(index)")
        }
        #expect(swift.calls.map(\.status) == [0, 0, 0, 1, 0, 0])
        #expect(swift.calls[2].stderr == "[smoke] 03 drift                        FAIL     16 ms  no_json_answer: step 'drift' exited 137 without a JSON answer on stdout\n")

        // The ledger, line by line; the answer written for the silent drift tool.
        let pythonLedger = try python.files["steps.jsonl", default: ""].split(separator: "\n").map { try Self.json(String($0), run: python.runDirectory) }
        let swiftLedger = try swift.files["steps.jsonl", default: ""].split(separator: "\n").map { try Self.json(String($0), run: swift.runDirectory) }
        #expect(swiftLedger.count == 3)
        #expect(swiftLedger == pythonLedger)
        #expect(swiftLedger[1]["artifacts"] == ["logs/02-probe.stderr.log", "tools.json", "stack.log"], "the answer's stderr_log made relative and not repeated")
        #expect(try Self.json(swift.files["03-drift.json"], run: swift.runDirectory) == Self.json(python.files["03-drift.json"], run: python.runDirectory))

        // summary.json: every field, the run directory aside (it names where each ran).
        let pythonSummary = try Self.json(python.files["summary.json"], run: python.runDirectory)
        let swiftSummary = try Self.json(swift.files["summary.json"], run: swift.runDirectory)
        let keys = Set(pythonSummary.objectValue?.keys.map { $0 } ?? [])
        #expect(Set(swiftSummary.objectValue?.keys.map { $0 } ?? []) == keys)
        for key in keys.sorted() {
            #expect(swiftSummary[key] == pythonSummary[key], "summary.json \(key)")
        }
        #expect(swiftSummary["run_dir"] == "RUN")
        #expect(swiftSummary["passed"] == 1 && swiftSummary["failed"] == 2 && swiftSummary["skipped"] == 1)
        #expect(swiftSummary["first_failure"]?["message"] == "tools not ready: missing grep (key [REDACTED])")
        #expect(swiftSummary["stack_log_tail"]?.arrayValue?.last == "ERROR: \u{1}gone [REDACTED]")

        // junit.xml: the same bytes, but for the control character XML 1.0 cannot hold (the script
        // wrote it raw, which left its junit.xml ill-formed).
        let pythonJUnit = python.files["junit.xml", default: ""].replacingOccurrences(of: "\u{1}", with: "\u{FFFD}")
        #expect(swift.files["junit.xml"] == pythonJUnit)
        #expect(swift.files["junit.xml"]?.components(separatedBy: "<testcase ").count == 5)
    }
}
