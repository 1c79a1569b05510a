import SmokeCore

/// `smoke-report flakes`: the summaries of several runs of the same chain (REPEAT=N) put side by
/// side, per step: in how many runs it was planned, passed, failed or was skipped, each failure
/// with its error code and run directory. A step that passed in some runs and failed in others is
/// flaky; one that failed in every run it ran in is broken.
public enum Flakes {
    public static let fileName = "flakes.json"

    public static func document(runs: [String]) -> [String: JSONValue] {
        struct Tally {
            var runs = 0, passed = 0, failed = 0, skipped = 0
            var codes: [String: Int64] = [:]
            var failures: [JSONValue] = []
        }
        var order: [String] = []
        var tallies: [String: Tally] = [:]
        var passedRuns = 0
        var missing: [String] = []
        for run in runs {
            guard let summary = RunFiles.loadObject(RunFiles.join(run, RunSummary.fileName)) else {
                missing.append(run)
                continue
            }
            if summary["ok"]?.isTruthy ?? false { passedRuns += 1 }
            for step in summary["steps"]?.arrayValue ?? [] {
                guard let name = step["step"]?.stringValue else { continue }
                if tallies[name] == nil {
                    order.append(name)
                    tallies[name] = Tally()
                }
                tallies[name]!.runs += 1
                switch step["status"]?.stringValue {
                case "passed": tallies[name]!.passed += 1
                case "skipped": tallies[name]!.skipped += 1
                default:
                    let code = step["error_code"]?.stringValue ?? "failed"
                    tallies[name]!.failed += 1
                    tallies[name]!.codes[code, default: 0] += 1
                    tallies[name]!.failures.append([
                        "run_dir": .string(PathResolver.resolve(run)), "code": .string(code),
                        "message": step["error_message"] ?? .null, "file": step["file"] ?? .null,
                    ])
                }
            }
        }
        let steps: [JSONValue] = order.map { name in
            let tally = tallies[name]!
            return [
                "step": .string(name), "runs": .int(Int64(tally.runs)), "passed": .int(Int64(tally.passed)),
                "failed": .int(Int64(tally.failed)), "skipped": .int(Int64(tally.skipped)),
                "codes": .object(tally.codes.mapValues(JSONValue.int)), "failures": .array(tally.failures),
            ]
        }
        let flaky = order.filter { tallies[$0]!.passed > 0 && tallies[$0]!.failed > 0 }
        let broken = order.filter { tallies[$0]!.passed == 0 && tallies[$0]!.failed > 0 }
        let summarised = runs.count - missing.count
        let ok = missing.isEmpty && flaky.isEmpty && broken.isEmpty && passedRuns == runs.count
        return Envelope.object(
            tool: RunFiles.chainTool, ok: ok, elapsedMs: nil,
            fields: [
                "kind": "flakes",
                "runs": .int(Int64(runs.count)), "runs_passed": .int(Int64(passedRuns)),
                "runs_failed": .int(Int64(summarised - passedRuns)),
                "run_dirs": .array(runs.map { .string(PathResolver.resolve($0)) }),
                "missing_summaries": .array(missing.map { .string(PathResolver.resolve($0)) }),
                "steps": .array(steps), "flaky": .array(flaky.map(JSONValue.string)),
                "broken": .array(broken.map(JSONValue.string)),
            ])
    }

    /// One line: the runs so far and the steps that failed in any of them.
    public static func tally(_ document: [String: JSONValue]) -> String {
        let runs = ChainText.show(document["runs"])
        var text =
            "\(runs) run(s): \(ChainText.show(document["runs_passed"])) passed, \(ChainText.show(document["runs_failed"])) failed"
        let missing = document["missing_summaries"]?.arrayValue?.count ?? 0
        if missing > 0 { text += ", \(missing) without a summary" }
        let failing = (document["steps"]?.arrayValue ?? []).filter { ($0["failed"]?.intValue ?? 0) > 0 }
        if !failing.isEmpty {
            text +=
                "; failing steps: "
                + failing.map { step in
                    let codes = (step["codes"]?.objectValue ?? [:]).keys.sorted().joined(separator: ",")
                    return
                        "\(ChainText.show(step["step"])) \(ChainText.show(step["passed"]))/\(ChainText.show(step["runs"])) (\(codes))"
                }.joined(separator: "; ")
        }
        return text
    }

    /// Writes flakes.json when `out` is given; prints the tally line, and with `out` one line per
    /// step that failed in some run. Exit 1 when any run failed or left no summary.
    public static func write(runs: [String], out: String?) throws(SmokeError) -> ReportOutput {
        let document = document(runs: runs)
        var text = "flakes: " + tally(document) + "\n"
        if let out {
            try RunFiles.write(.object(document), to: out)
            for step in document["steps"]?.arrayValue ?? [] where (step["failed"]?.intValue ?? 0) > 0 {
                for failure in step["failures"]?.arrayValue ?? [] {
                    text +=
                        "  \(ChainText.left(ChainText.show(step["step"]), 26)) "
                        + "\(ChainText.show(step["passed"]))/\(ChainText.show(step["runs"]))  "
                        + "\(ChainText.show(failure["code"]))  \(ChainText.show(failure["run_dir"]))\n"
                }
            }
            text += "  \(out)\n"
        }
        return ReportOutput(exit: document["ok"] == true ? 0 : 1, stdout: text)
    }
}
