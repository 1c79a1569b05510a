import SmokeCore

/// The subcommands whose answer is plain text on stdout, read by the chain (`$(…)`, `mapfile`) or
/// shown to a person: one value, one line per name, the headline. No JSON envelope here.
public enum ChainQueries {
    /// One value of a JSON file by dotted path (`outputs.manifest`): a string raw, anything else as
    /// compact JSON. Exit 1, naming the key on stderr, when the file or the key is missing.
    public static func get(file: String, key: String) -> ReportOutput {
        var value = RunFiles.load(file)
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let members)? = value, let next = members[String(part)] else {
                return ReportOutput(exit: 1, stderr: "\(file): no '\(key)'\n")
            }
            value = next
        }
        guard let value else { return ReportOutput(exit: 1, stderr: "\(file): no '\(key)'\n") }
        return ReportOutput(stdout: (value.stringValue ?? value.encodedString()) + "\n")
    }

    /// The run's verdict in one line; on failure, the first failure and the last lines of the stack log.
    public static func headline(summaryPath: String) -> ReportOutput {
        guard let summary = RunFiles.loadObject(summaryPath) else {
            return ReportOutput(exit: 1, stdout: "smoke: no summary at \(summaryPath)\n")
        }
        let total = summary["steps"]?.arrayValue?.count ?? 0
        let passed = ChainText.show(summary["passed"])
        guard !(summary["ok"]?.isTruthy ?? false) else {
            let steps = (summary["elapsed_ms"]?.numberValue ?? 0) / 1000
            // The run's wall time when the chain recorded it: the steps' own times leave out the
            // bookkeeping between them, and a reader takes "in N s" for the time the run took.
            guard let wall = summary["wall_ms"]?.numberValue.map({ $0 / 1000 }) else {
                return ReportOutput(
                    stdout: "smoke: PASSED \(passed)/\(total) steps in \(ChainText.fixed(steps, digits: 1)) s\n")
            }
            return ReportOutput(
                stdout: "smoke: PASSED \(passed)/\(total) steps in \(ChainText.fixed(wall, digits: 1)) s "
                    + "(\(ChainText.fixed(steps, digits: 1)) s in the steps)\n")
        }
        let first = summary["first_failure"]?.objectValue ?? [:]
        var text =
            "smoke: FAILED at \(ChainText.show(first["step"])) (\(ChainText.show(first["code"]))): "
            + "\(ChainText.show(first["message"]))  [\(passed)/\(total) passed]\n"
        for line in (summary["stack_log_tail"]?.arrayValue ?? []).suffix(8) {
            text += "  stack.log| \(ChainText.show(line))\n"
        }
        return ReportOutput(stdout: text)
    }

    /// The tools the probe must see, one per line, sorted: the manifest's, every tool a selected
    /// stage expects, and `extra` (CURATED_TOOLS). A catalog that hides a tool a stage needs then
    /// fails at the probe, naming it.
    public static func require(manifest: String?, stages: String?, selected: [String], extra: [String]) -> ReportOutput
    {
        var names = Set(extra)
        if let manifest, !manifest.isEmpty, case .object(let document)? = RunFiles.load(manifest) {
            for tool in document["tools"]?.arrayValue ?? [] {
                if let name = tool["name"]?.stringValue { names.insert(name) }
            }
        }
        if let stages, !stages.isEmpty, case .object(let document)? = RunFiles.load(stages) {
            let wanted = Set(selected)
            for stage in document["stages"]?.arrayValue ?? [] {
                guard let name = stage["name"]?.stringValue, wanted.contains(name) else { continue }
                for expectation in stage["expectations"]?.arrayValue ?? [] {
                    if let tool = expectation["tool"]?.stringValue { names.insert(tool) }
                }
            }
        }
        return ReportOutput(stdout: ChainText.sorted(names.filter { !$0.isEmpty }).joined(separator: "\n") + "\n")
    }

    /// Each curated tool of a manifest as `server::tool` (or `tool` when it names no server), in
    /// manifest order: the `--require-tool` list of the per-server diagnosis.
    public static func curated(manifest: String) -> ReportOutput {
        var text = ""
        for tool in RunFiles.load(manifest)?["tools"]?.arrayValue ?? [] {
            guard let name = tool["name"], name.isTruthy else { continue }
            if let server = tool["server"], server.isTruthy {
                text += "\(ChainText.show(server))::\(ChainText.show(name))\n"
            } else {
                text += "\(ChainText.show(name))\n"
            }
        }
        return ReportOutput(stdout: text)
    }

    /// The names of every stage of a stages file, in order, on one line. Exit 2 when the file is
    /// not an object with a `stages` array.
    public static func stageNames(stages: String) -> ReportOutput {
        guard case .array(let list)? = RunFiles.load(stages)?["stages"] else {
            return ReportOutput(exit: 2, stderr: "\(stages): expected an object with a \"stages\" array\n")
        }
        let names = list.compactMap { stage -> String? in
            guard let name = stage["name"], name.isTruthy else { return nil }
            return ChainText.show(name)
        }
        return ReportOutput(stdout: names.joined(separator: " ") + "\n")
    }
}
