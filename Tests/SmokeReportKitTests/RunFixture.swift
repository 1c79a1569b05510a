import Foundation
import SmokeCore
import SmokeReportKit
import SmokeTestSupport

/// A run directory of a test's making: step answers written as tools would, steps recorded
/// through the ledger as the chain records them.
final class RunFixture: @unchecked Sendable {
    let directory: TempDirectory
    var run: String { directory.path }
    /// No secret in the process environment leaks into these tests' redaction.
    let redactor: Redactor
    private(set) var count = 0

    init(secrets: [String: String] = [:]) throws {
        directory = try TempDirectory(prefix: "smoke-report")
        redactor = Redactor(environment: secrets)
    }

    func path(_ relative: String) -> String { directory.file(relative) }

    @discardableResult
    func write(_ relative: String, _ value: JSONValue) throws -> String {
        try directory.write(relative, value.encodedString(pretty: true))
    }

    @discardableResult
    func write(_ relative: String, text: String) throws -> String {
        try directory.write(relative, text)
    }

    func read(_ relative: String) throws -> JSONValue {
        try JSONValue.load(path: path(relative))
    }

    /// Writes the step's answer (when given) and records the step; returns the progress line.
    @discardableResult
    func record(
        _ step: String, answer: JSONValue?, exit: Int = 0, elapsedMs: Int = 100, stage: String? = nil,
        stderr: String? = nil, overrideCode: String? = nil, overrideMessage: String? = nil, artifacts: [String] = []
    ) throws -> ReportOutput {
        count += 1
        let file = "\(count < 10 ? "0" : "")\(count)-\(step).json"
        if let answer { try write(file, answer) }
        var stderrPath: String?
        if let stderr { stderrPath = try write("logs/\(count)-\(step).stderr.log", text: stderr) }
        return try StepRecorder.record(
            RecordRequest(
                run: run, n: count, step: step, stage: stage, tool: "tool-\(step)", file: file, exit: exit,
                elapsedMs: elapsedMs, stderrPath: stderrPath, artifacts: artifacts, overrideCode: overrideCode,
                overrideMessage: overrideMessage),
            redactor: redactor)
    }

    func summary(
        planned: [String] = [], fields: [String: JSONValue] = [:], interrupted: Bool = false,
        environment: [String: String] = [:]
    ) throws -> (output: ReportOutput, summary: JSONValue) {
        let output = try RunSummary.write(
            SummaryRequest(run: run, planned: planned, fields: fields, interrupted: interrupted),
            environment: environment, redactor: redactor)
        return (output, try read("summary.json"))
    }
}

extension JSONValue {
    var steps: [JSONValue] { self["steps"]?.arrayValue ?? [] }
    func step(_ name: String) -> JSONValue? { steps.first { $0["step"]?.stringValue == name } }
    func has(_ key: String) -> Bool { objectValue?[key] != nil }
}

/// Answers as the tools write them.
enum Answers {
    static func passed(_ extra: [String: JSONValue] = [:]) -> JSONValue {
        .object(["tool": "t", "version": "0.1.0", "ok": true, "elapsed_ms": 5].merging(extra) { _, new in new })
    }

    static func failed(_ code: String, _ message: String) -> JSONValue {
        [
            "tool": "t", "version": "0.1.0", "ok": false, "elapsed_ms": 5,
            "error": ["code": .string(code), "message": .string(message)],
        ]
    }
}
