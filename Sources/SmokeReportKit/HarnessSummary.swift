import SmokeCore

/// What the harness steps (test steps, restarts) add to summary.json and junit.xml. Kept apart
/// from RunSummary and JUnitReport, which call it once each.
public enum HarnessSummary {
    /// Top-level summary keys derived from the harness steps of a run (none when it had none):
    /// `tests` (the test steps' cases added up, every failing id with its step) and `restart_ms`
    /// (the slowest restart, stop to ready) with `restarts` (how many ran).
    public static func fields(steps: [[String: JSONValue]]) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        let testSteps = steps.filter { $0["tests"] != nil }
        if !testSteps.isEmpty {
            var totals: [String: Int64] = ["total": 0, "passed": 0, "failed": 0, "errors": 0, "skipped": 0]
            var failing: [JSONValue] = []
            for step in testSteps {
                guard let tests = step["tests"]?.objectValue else { continue }
                for key in totals.keys { totals[key]! += tests[key]?.intValue ?? 0 }
                for id in tests["failing"]?.arrayValue ?? [] {
                    failing.append(["step": step["step"] ?? .null, "id": id])
                }
            }
            var object = totals.mapValues(JSONValue.int)
            object["steps"] = .array(testSteps.map { $0["step"] ?? .null })
            object["failing"] = .array(failing)
            fields["tests"] = .object(object)
        }
        let restarts = steps.compactMap { step -> Int64? in
            guard step["status"] != "skipped", step["restart_ms"] != nil else { return nil }
            return step["restart_ms"]?.intValue ?? -1
        }
        if !restarts.isEmpty {
            let measured = restarts.filter { $0 >= 0 }
            fields["restart_ms"] = measured.max().map(JSONValue.int) ?? .null
            fields["restarts"] = .int(Int64(restarts.count))
        }
        return fields
    }

    /// junit.xml with the test cases of the run's test steps merged in: one `<testsuite>` per test
    /// step that left a JUnit report, named after the step, its cases as the runner reported
    /// them; the root's counts include them.
    public static func mergeJUnit(_ document: String, summary: JSONValue, run: String, redactor: Redactor = .shared)
        -> String
    {
        var suites: [String] = []
        var added = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for step in summary["steps"]?.arrayValue ?? [] {
            guard step["tests"] != nil, case .string(let file)? = step["file"],
                let answer = RunFiles.loadObject(RunFiles.join(run, file)),
                case .string(let junit)? = answer["junit"],
                let cases = try? JUnitReader.cases(atPath: RunFiles.join(run, junit))
            else { continue }
            let name = ChainText.show(step["step"])
            let failures = cases.count { $0.outcome == .failed }
            let errors = cases.count { $0.outcome == .error }
            let skipped = cases.count { $0.outcome == .skipped }
            added.tests += cases.count
            added.failures += failures
            added.errors += errors
            added.skipped += skipped
            let time = cases.reduce(0.0) { $0 + ($1.time ?? 0) }
            var lines = [
                "  <testsuite name=\(JUnitReport.quoteAttribute(name)) tests=\"\(cases.count)\" failures=\"\(failures)\" "
                    + "errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(ChainText.fixed(time, digits: 3))\">"
            ]
            for test in cases {
                var attributes =
                    "classname=\(JUnitReport.quoteAttribute(test.classname)) name=\(JUnitReport.quoteAttribute(test.name))"
                if let file = test.file { attributes += " file=\(JUnitReport.quoteAttribute(file))" }
                attributes += " time=\"\(ChainText.fixed(test.time ?? 0, digits: 3))\""
                let element: String? =
                    switch test.outcome {
                    case .passed: nil
                    case .failed: "failure"
                    case .error: "error"
                    case .skipped: "skipped"
                    }
                guard let element else {
                    lines.append("    <testcase \(attributes)/>")
                    continue
                }
                let message = JUnitReport.quoteAttribute(redactor.redact(test.message))
                let type = test.type.isEmpty ? "" : " type=\(JUnitReport.quoteAttribute(test.type))"
                lines.append(
                    "    <testcase \(attributes)><\(element)\(type) message=\(message)>"
                        + JUnitReport.escape(redactor.redact(test.text)) + "</\(element)></testcase>")
            }
            lines.append("  </testsuite>")
            suites.append(lines.joined(separator: "\n"))
        }
        guard !suites.isEmpty, let close = document.range(of: "</testsuites>", options: .backwards) else {
            return document
        }
        var merged = document
        merged.replaceSubrange(close, with: suites.joined(separator: "\n") + "\n</testsuites>")
        // The root's counts.
        guard let rootStart = merged.range(of: "<testsuites"),
            let rootEnd = merged[rootStart.upperBound...].firstIndex(of: ">")
        else { return merged }
        var root = String(merged[rootStart.lowerBound..<rootEnd])
        for (attribute, count) in [
            ("tests", added.tests), ("failures", added.failures), ("errors", added.errors), ("skipped", added.skipped),
        ]
        where count > 0 || attribute == "tests" {
            root = bump(root, attribute: attribute, by: count)
        }
        merged.replaceSubrange(rootStart.lowerBound..<rootEnd, with: root)
        return merged
    }

    /// `attribute="N"` in a start tag raised by `count` (added when missing).
    static func bump(_ tag: String, attribute: String, by count: Int) -> String {
        let key = " \(attribute)=\""
        guard let start = tag.range(of: key), let end = tag[start.upperBound...].firstIndex(of: "\"") else {
            return tag + "\(key)\(count)\""
        }
        let value = (Int(tag[start.upperBound..<end]) ?? 0) + count
        return tag.replacingCharacters(in: start.upperBound..<end, with: String(value))
    }
}
