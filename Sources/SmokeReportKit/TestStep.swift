import Foundation
import SmokeCore

/// What `smoke-report tests` is told about a test step that just ran (SMOKE_TESTS_PRE/POST).
public struct TestStepRequest: Sendable {
    public var run: String
    public var step: String
    /// The command as the user gave it, and the line that ran (with `--junitxml` for pytest).
    public var command: String
    public var ran: String
    public var exit: Int
    public var elapsedMs: Int
    /// The command's output (stdout and stderr), relative to the run directory.
    public var log: String
    /// The JUnit report the command was asked to write, relative to the run directory.
    public var junit: String?
    public var timeoutSeconds: Int
    /// Where the command ran (the clone): pytest's dotted class names become node ids there.
    public var cwd: String
    public var out: String

    public init(
        run: String, step: String, command: String, ran: String? = nil, exit: Int, elapsedMs: Int, log: String,
        junit: String? = nil, timeoutSeconds: Int, cwd: String, out: String
    ) {
        self.run = run
        self.step = step
        self.command = command
        self.ran = ran ?? command
        self.exit = exit
        self.elapsedMs = elapsedMs
        self.log = log
        self.junit = junit
        self.timeoutSeconds = timeoutSeconds
        self.cwd = cwd
        self.out = out
    }
}

/// The verdict of a test step: the exit status, the JUnit cases (counted, failing ids named) and
/// the output, turned into one error code a person can act on.
public enum TestStep {
    /// Failing tests listed by id in the answer (the counts are always whole).
    static let maxListed = 200
    static let logTailCharacters = 1500

    public static func document(_ request: TestStepRequest, redactor: Redactor = .shared) -> [String: JSONValue] {
        let logText = RunFiles.readText(RunFiles.join(request.run, request.log)) ?? ""
        var document: [String: JSONValue] = ["step": .string(request.step)]
        document["command"] = .string(redactor.redact(request.command))
        document["ran"] = .string(redactor.redact(request.ran))
        document["cwd"] = .string(request.cwd)
        document["exit_status"] = .int(Int64(request.exit))
        document["timeout_s"] = .int(Int64(request.timeoutSeconds))
        document["log"] = .string(request.log)
        document["junit"] = .null

        var cases: [JUnitCase]?
        if let junit = request.junit, !junit.isEmpty, RunFiles.isRegularFile(RunFiles.join(request.run, junit)) {
            do {
                cases = try JUnitReader.cases(atPath: RunFiles.join(request.run, junit))
                document["junit"] = .string(junit)
            } catch {
                document["junit_error"] = .string(error.message)
            }
        }
        let ids = cases.map { list in list.map { nodeID($0, cwd: request.cwd) } } ?? []
        if let cases {
            document["tests"] = counts(cases, ids: ids)
            let failing = zip(cases, ids).filter { $0.0.outcome == .failed || $0.0.outcome == .error }
            document["failures"] = .array(
                failing.prefix(maxListed).map { test, id in
                    [
                        "id": .string(id), "outcome": .string(test.outcome.rawValue),
                        "message": .string(redactor.redact(reason(test))),
                    ]
                })
        } else {
            document["tests"] = .null
        }

        var error: JSONValue?
        if let failure = verdict(request, cases: cases, ids: ids, log: logText) {
            let tail = ChainText.stripped(ChainText.suffix(logText, logTailCharacters))
            error = Envelope.error(
                code: failure.code, message: redactor.redact(failure.message),
                hint: tail.isEmpty ? nil : redactor.redact(tail))
        }
        return ChainSteps.answer(elapsedMs: Int64(request.elapsedMs), error: error, fields: document)
    }

    public static func write(_ request: TestStepRequest, redactor: Redactor = .shared) throws(SmokeError)
        -> ReportOutput
    {
        let document = document(request, redactor: redactor)
        try RunFiles.write(.object(document), to: request.out)
        return ReportOutput(exit: document["ok"] == true ? 0 : 1)
    }

    // MARK: the verdict

    /// The worst thing the step shows, first match wins: the timeout, a command that does not
    /// exist, a module the environment lacks, a test module that did not collect, failing tests,
    /// no tests at all, then any other non-zero exit.
    static func verdict(_ request: TestStepRequest, cases: [JUnitCase]?, ids: [String], log: String) -> (
        code: String, message: String
    )? {
        let command = "`\(ChainText.prefix(request.command, 200))`"
        if request.exit == 124 || request.exit == 137 {
            return (
                "tests_timeout",
                "\(command) did not finish within \(request.timeoutSeconds) s and was stopped"
                    + (cases.map { " (\($0.count) test(s) reported before)" } ?? "") + "; see \(request.log)"
            )
        }
        if request.exit == 130 || request.exit == 143 {
            return ("interrupted", "the smoke run was interrupted (signal \(request.exit - 128)) while \(command) ran")
        }
        if request.exit == 127 {
            let name = firstMatch(log, after: ": ", before: ": command not found") ?? firstWord(request.command)
            return ("command_not_found", "\(command): command not found: \(name)")
        }
        if request.exit == 126 {
            return ("command_not_executable", "\(command): cannot execute (exit status 126); see \(request.log)")
        }
        let collection = (cases ?? []).enumerated().filter { $0.element.isCollectionError }
        let missing = collection.compactMap { index, test in
            missingModule(test.text + "\n" + test.message).map { (ids[index], $0) }
        }
        if !missing.isEmpty {
            let named = missing.map { "\($0.0): No module named '\($0.1)'" }
            return (
                "missing_dependency",
                "\(command): the test environment lacks "
                    + Set(missing.map(\.1)).sorted().map { "'\($0)'" }.joined(separator: ", ") + " ("
                    + named.joined(separator: "; ") + ")"
            )
        }
        if cases == nil, request.exit != 0, let module = missingModule(log) {
            return (
                "missing_dependency",
                "\(command): No module named '\(module)' (exit status \(request.exit)); see \(request.log)"
            )
        }
        if !collection.isEmpty {
            let named = collection.map { index, test in "\(ids[index]) (\(ChainText.prefix(reason(test), 200)))" }
            return (
                "collection_error",
                "\(command): \(collection.count) test module(s) did not collect: "
                    + named.joined(separator: "; ")
            )
        }
        if let cases {
            let failing = zip(cases, ids).filter { $0.0.outcome == .failed || $0.0.outcome == .error }
            if !failing.isEmpty {
                let listed = failing.prefix(10).map(\.1).joined(separator: ", ")
                return (
                    "tests_failed",
                    "\(failing.count) of \(cases.count) test(s) failed in \(command): \(listed)"
                        + (failing.count > 10 ? ", …" : "")
                )
            }
            if cases.isEmpty || request.exit == 5 {
                return ("no_tests", "\(command) ran no test (exit status \(request.exit))")
            }
        }
        if request.exit == 5 {
            return ("no_tests", "\(command) collected no test (pytest exit status 5)")
        }
        if request.exit != 0 {
            return (
                "tests_failed",
                "\(command) exited with status \(request.exit)"
                    + (cases == nil ? " (no JUnit report)" : "") + "; see \(request.log)"
            )
        }
        return nil
    }

    static func counts(_ cases: [JUnitCase], ids: [String]) -> JSONValue {
        var passed = 0
        var failed = 0
        var errors = 0
        var skipped = 0
        var failing: [String] = []
        for (test, id) in zip(cases, ids) {
            switch test.outcome {
            case .passed: passed += 1
            case .skipped: skipped += 1
            case .failed:
                failed += 1
                failing.append(id)
            case .error:
                errors += 1
                failing.append(id)
            }
        }
        return [
            "total": .int(Int64(cases.count)), "passed": .int(Int64(passed)), "failed": .int(Int64(failed)),
            "errors": .int(Int64(errors)), "skipped": .int(Int64(skipped)),
            "failing": .array(failing.prefix(maxListed).map(JSONValue.string)),
        ]
    }

    /// pytest's node id (`tests/test_x.py::TestC::test_y[1]`) from a JUnit case: the `file`
    /// attribute when there is one, else the longest dotted prefix of the class name that is a
    /// module file under `cwd`; `classname::name` when neither says.
    public static func nodeID(_ test: JUnitCase, cwd: String) -> String {
        // A collection error names the module in `name`.
        if test.isCollectionError, test.classname.isEmpty {
            return modulePath(test.name.split(separator: ".").map(String.init), cwd: cwd).map { $0.path } ?? test.name
        }
        let parts = test.classname.split(separator: ".").map(String.init)
        if let file = test.file, !file.isEmpty, file.hasSuffix(".py") {
            let module = file.dropLast(3).replacingOccurrences(of: "/", with: ".")
            let classes =
                test.classname.hasPrefix(module + ".") ? String(test.classname.dropFirst(module.count + 1)) : ""
            return ([file] + classes.split(separator: ".").map(String.init) + [test.name]).joined(separator: "::")
        }
        if let (path, used) = modulePath(parts, cwd: cwd) {
            return ([path] + parts.dropFirst(used) + [test.name]).joined(separator: "::")
        }
        return test.classname.isEmpty ? test.name : "\(test.classname)::\(test.name)"
    }

    private static func modulePath(_ parts: [String], cwd: String) -> (path: String, used: Int)? {
        guard !parts.isEmpty, !cwd.isEmpty else { return nil }
        for used in stride(from: parts.count, through: 1, by: -1) {
            let path = parts.prefix(used).joined(separator: "/") + ".py"
            if RunFiles.isRegularFile(RunFiles.join(cwd, path)) { return (path, used) }
        }
        return nil
    }

    /// One line saying why a test failed: the first `E   Name: message` line of pytest's report
    /// (the exception), else its first `E` line, else the message attribute, else the last line.
    static func reason(_ test: JUnitCase) -> String {
        let lines = ChainText.lines(test.text)
        let explained = lines.filter { $0.hasPrefix("E ") }.map { ChainText.stripped(String($0.dropFirst(1))) }
        let exception = explained.first { line in
            guard let colon = line.firstIndex(of: ":") else { return false }
            let name = line[..<colon]
            return !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        }
        if let line = exception ?? explained.first {
            return ChainText.prefix(line, 300)
        }
        if !test.message.isEmpty, test.message != "collection failure" {
            return ChainText.prefix(ChainText.lines(test.message).first ?? test.message, 300)
        }
        return ChainText.prefix(ChainText.stripped(lines.last { !ChainText.stripped($0).isEmpty } ?? test.message), 300)
    }

    /// `No module named 'x'` (ModuleNotFoundError) or `No module named x` (python -m x) in a text.
    static func missingModule(_ text: String) -> String? {
        guard let range = text.range(of: "No module named ") else { return nil }
        var rest = text[range.upperBound...]
        if rest.first == "'" || rest.first == "\"" { rest = rest.dropFirst() }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        return name.isEmpty ? nil : String(name)
    }

    /// bash's `bash: line 1: NAME: command not found`.
    private static func firstMatch(_ text: String, after: String, before: String) -> String? {
        for line in ChainText.lines(text) {
            guard let end = line.range(of: before) else { continue }
            let head = line[..<end.lowerBound]
            let start = head.range(of: after, options: .backwards)?.upperBound ?? head.startIndex
            let name = String(head[start...])
            if !name.isEmpty { return name }
        }
        return nil
    }

    private static func firstWord(_ command: String) -> String {
        String(command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? Substring(command))
    }
}
