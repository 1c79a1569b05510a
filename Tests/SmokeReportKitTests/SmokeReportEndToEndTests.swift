import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The built `smoke-report` on a run directory, making the calls the chain makes (record x3, then
/// summary, headline and get). Its compatibility with the Python script it replaced was shown
/// field by field before the script was removed (commit 482e949); this pins the outcome.
enum ReportTools {
    static let binary = ProjectPaths.binary("smoke-report")
}

@Suite
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
        try parent.write(
            "run/02-probe.json",
            """
            {"tool":"probe-initialize","ok":false,"elapsed_ms":4785,"stderr_log":"\(run)/logs/02-probe.stderr.log",
             "error":{"code":"tools_not_ready","message":"tools not ready: missing grep (key sk-e2e-3f9b2c7d1a)"}}
            """)
        try parent.write("run/logs/01-clone.stderr.log", "")
        try parent.write("run/logs/02-probe.stderr.log", "waiting for tools\n")
        try parent.write(
            "run/logs/03-drift.stderr.log", "Traceback (most recent call last):\n  boom with sk-e2e-3f9b2c7d1a\n")
        try parent.write(
            "run/stack.log",
            (1...30).map { "INFO: line \($0)" }.joined(separator: "\n") + "\nERROR: \u{1}gone sk-e2e-3f9b2c7d1a\n")
        return run
    }

    /// The chain's calls, `command` being either tool.
    static func runChain(_ command: [String], in parent: TempDirectory) throws -> Outcome {
        let run = try makeRun(in: parent)
        func call(_ arguments: [String]) throws -> ProcessResult {
            try ChildProcess.run(
                command[0], Array(command.dropFirst()) + arguments, cwd: parent.path, environment: environment)
        }
        func record(_ n: Int, _ step: String, exit: Int, ms: Int, artifacts: [String] = []) throws -> ProcessResult {
            let number = n < 10 ? "0\(n)" : "\(n)"
            let file = "\(number)-\(step).json"
            let log = "logs/\(number)-\(step).stderr.log"
            return try call(
                [
                    "record", "--run", run, "--n", String(n), "--step", step, "--stage", "", "--tool", "t-\(step)",
                    "--file", file, "--exit", String(exit), "--elapsed-ms", String(ms), "--stderr", "\(run)/\(log)",
                    "--artifact", log,
                ] + artifacts.flatMap { ["--artifact", $0] })
        }
        var calls = [
            try record(1, "clone", exit: 0, ms: 422, artifacts: ["workspace"]),
            try record(2, "probe", exit: 1, ms: 4785, artifacts: ["tools.json", "stack.log"]),
            try record(3, "drift", exit: 137, ms: 16),
        ]
        calls.append(
            try call([
                "summary", "--run", run, "--planned=clone", "--planned=probe", "--planned=drift",
                "--planned=stage-install", "--field", "source=/src", "--field", "port:=18555",
                "--field", "stages:=[\"install\"]", "--field", "started_at=2026-11-25T09:00:01Z",
                "--field", "wall_ms:=5802",
            ]))
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
        let neutral = (text ?? "").replacingOccurrences(of: resolved, with: "RUN").replacingOccurrences(
            of: run, with: "RUN")
        return try JSONValue.parse(Data(neutral.utf8), source: "answer")
    }

    @Test func recordThreeStepsThenSummary() throws {
        let parent = try TempDirectory(prefix: "smoke-report-e2e")
        let swift = try Self.runChain([ReportTools.binary], in: parent)
        #expect(swift.calls.map(\.status) == [0, 0, 0, 1, 0, 0])
        #expect(swift.calls[0].stderr == "[smoke] 01 clone                        ok      422 ms\n")
        #expect(
            swift.calls[2].stderr
                == "[smoke] 03 drift                        FAIL     16 ms  no_json_answer: step 'drift' exited 137 without a JSON answer on stdout\n"
        )
        #expect(swift.calls[5].stdout == "tools_not_ready\n")

        // The ledger, line by line; the answer written for the silent drift tool.
        let ledger = try swift.files["steps.jsonl", default: ""].split(separator: "\n").map {
            try Self.json(String($0), run: swift.runDirectory)
        }
        #expect(ledger.count == 3)
        #expect(ledger.map { $0["step"] } == ["clone", "probe", "drift"])
        #expect(ledger.map { $0["ok"] } == [true, false, false])
        #expect(ledger[1]["error_code"] == "tools_not_ready")
        #expect(
            ledger[1]["artifacts"] == ["logs/02-probe.stderr.log", "tools.json", "stack.log"],
            "the answer's stderr_log made relative and not repeated")
        let drift = try Self.json(swift.files["03-drift.json"], run: swift.runDirectory)
        #expect(drift["error"]?["code"] == "no_json_answer")
        #expect(drift["wrapped_tool"] == "t-drift")
        #expect(drift["error"]?["hint"]?.stringValue?.contains("boom with [REDACTED]") == true)

        // summary.json.
        let summary = try Self.json(swift.files["summary.json"], run: swift.runDirectory)
        #expect(summary["run_dir"] == "RUN")
        #expect(summary["ok"] == false)
        #expect(summary["passed"] == 1 && summary["failed"] == 2 && summary["skipped"] == 1)
        #expect(summary["first_failure"]?["step"] == "probe")
        #expect(summary["first_failure"]?["message"] == "tools not ready: missing grep (key [REDACTED])")
        #expect(summary["stack_log_tail"]?.arrayValue?.last == "ERROR: \u{1}gone [REDACTED]")
        #expect(summary["source"] == "/src" && summary["port"] == 18555 && summary["stages"] == ["install"])
        #expect(summary["steps"]?.arrayValue?.last?["status"] == "skipped")

        // junit.xml: one testcase per step, the control character XML 1.0 cannot hold replaced.
        let junit = try #require(swift.files["junit.xml"])
        #expect(junit.components(separatedBy: "<testcase ").count == 5)
        #expect(junit.contains("<failure type=\"tools_not_ready\""))
        #expect(!junit.contains("\u{1}") && junit.contains("\u{FFFD}"))
        #expect(!junit.contains("sk-e2e-3f9b2c7d1a"))
    }
}
