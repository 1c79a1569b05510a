import SmokeCore

/// `smoke-report playbook`: playbook.md of a run directory — for every step the exact command
/// line it ran (tool, flags, environment, working directory; secrets redacted), so a person can
/// re-run one step by hand or resume the run with `make smoke-STEP`; the steps not run yet, with
/// the target that runs them.
public enum Playbook {
    public static let fileName = "playbook.md"

    /// The switches of the chain (docs/smoke.md), shown when set in its environment.
    public static let switches = [
        "SMOKE_SOURCE", "SMOKE_REV", "SMOKE_DIR", "STELAE_CONFIG_HOME", "PROXY_PORT", "PROXY_CMD", "PROBE_URL",
        "CODEX_MODEL", "CODEX_BIN", "STAGES", "STAGES_FILE", "CURATED_TOOLS", "PROBE_DEADLINE", "STAGE_TIMEOUT",
        "HEARTBEAT_TIMEOUT", "DIAGNOSE_DEADLINE", "KEEP", "BIN_DIR", "VENV", "STELAE_VENV", "MCP_SERVER_NAME",
        "SMOKE_TESTS", "SMOKE_TESTS_PRE", "SMOKE_TESTS_POST", "TESTS_TIMEOUT", "SMOKE_TEST_REQUIREMENTS",
        "SMOKE_TEST_PINS", "SMOKE_TEST_ENVS", "SMOKE_RESTART", "RESTART_TIMEOUT", "REPEAT", "MANUAL",
        "SMOKE_TEMPLATE", "SMOKE_ENV_EXAMPLE", "SMOKE_CATALOGS", "SMOKE_BUNDLES", "SMOKE_ENV_FILE", "SMOKE_SCOPE",
    ]

    /// The make target that runs a step again on this run directory (`make smoke-<target>`).
    public static func target(step: String, stage: String?) -> String {
        switch step {
        case "clone", "snapshot": return "smoke-clone"
        case "port-preflight": return "smoke-preflight"
        case "render", "ports": return "smoke-render"
        case "test-env", "tests-pre", "verify-tests-pre": return "smoke-tests-pre"
        case "start-stack": return "smoke-start"
        case "probe": return "smoke-probe"
        case "drift": return "smoke-drift"
        case "diagnose": return "smoke-diagnose"
        case "tests-post", "verify-clean": return "smoke-tests-post"
        case "stop-stack", "port-free": return "smoke-stop"
        default: break
        }
        if step.hasPrefix("restart") { return "smoke-restart" }
        for prefix in ["stage-", "verify-", "offered-"] where step.hasPrefix(prefix) {
            let name = stage.flatMap { $0.isEmpty ? nil : $0 } ?? String(step.dropFirst(prefix.count))
            return "smoke-stages STAGES=\(shellQuote(name))"
        }
        return "smoke-summary"
    }

    public static func document(
        run: String, planned: [String], environment: [String: String], manual: Bool = false,
        redactor: Redactor = .shared
    ) -> String {
        let steps = Ledger.read(run: run)
        let runDir = PathResolver.resolve(run)
        let resume = "SMOKE_DIR=\(shellQuote(runDir)) make"
        var text = "# Playbook of the smoke run \(runDir)\n\n"
        text +=
            "Each step below is the exact command the chain ran, in the directory it ran in. Run one by hand to\n"
            + "see it again, or resume this run from a step with the `make` line under it (single steps work on\n"
            + "the run directory `SMOKE_DIR` names; `smoke-clone` starts a new one). Secret values are shown as\n"
            + "`\(Redactor.placeholder)`: export them before running a line. Every step also sees the chain's\n"
            + "environment: the switches below, and the variables docs/smoke.md lists per step.\n\n"
        if manual {
            text +=
                "**MANUAL=1: the chain stopped once the stack was ready; the stack is still running.** Go on with\n"
                + "the steps under \"Not run yet\", then `\(resume) smoke-stop smoke-summary`.\n\n"
        }
        let set = switches.filter { environment[$0].map { !$0.isEmpty } ?? false }
        text += "## Switches\n\n"
        if set.isEmpty {
            text += "None: every switch at its default.\n\n"
        } else {
            text +=
                "```sh\n"
                + set.map {
                    "export \($0)=\(shellQuote(redactSecrets(environment[$0]!, name: $0, redactor: redactor)))"
                }
                .joined(separator: "\n") + "\n```\n\n"
        }
        text += "## Steps\n"
        var done = Set<String>()
        for step in steps {
            let name = ChainText.show(step["step"])
            done.insert(name)
            let n = step["n"]?.intValue.map { ChainText.zeroPadded(Int($0), 2) + " " } ?? ""
            let status = (step["ok"]?.isTruthy ?? false) ? "passed" : "FAILED (\(ChainText.show(step["error_code"])))"
            text += "\n### \(n)\(name) — \(status), \(ChainText.show(step["elapsed_ms"])) ms\n\n"
            if case .string(let command)? = step["command"], !command.isEmpty {
                var block = ""
                if case .string(let cwd)? = step["cwd"], !cwd.isEmpty { block += "cd \(shellQuote(cwd))\n" }
                block += redactSecrets(command, redactor: redactor)
                text += "```sh\n\(block)\n```\n\n"
            } else {
                text += "(no command recorded)\n\n"
            }
            if case .string(let file)? = step["file"] { text += "Answer: `\(file)`. " }
            let again = target(step: name, stage: step["stage"]?.stringValue)
            text +=
                again == "smoke-clone"
                ? "Again: `make smoke-clone` (a new run directory)\n" : "Again: `\(resume) \(again)`\n"
        }
        let pending = planned.filter { !$0.isEmpty && !done.contains($0) }
        if !pending.isEmpty {
            text += "\n## Not run yet\n\n"
            var targets: [String] = []
            for name in pending {
                let target = target(step: name, stage: nil)
                if !targets.contains(target) { targets.append(target) }
                text += "- `\(name)`: `\(resume) \(target)`\n"
            }
            if !targets.contains("smoke-summary") { targets.append("smoke-summary") }
            text +=
                "\nIn order: `\(resume) \(targets.map { $0.split(separator: " ").first.map(String.init) ?? $0 }.joined(separator: " "))`\n"
        }
        return text
    }

    public static func write(
        run: String, planned: [String], environment: [String: String], manual: Bool, redactor: Redactor = .shared
    ) throws(SmokeError) -> ReportOutput {
        let text = document(run: run, planned: planned, environment: environment, manual: manual, redactor: redactor)
        let path = RunFiles.join(run, fileName)
        try FileIO.writeAtomically(text, to: path, durable: false)
        return ReportOutput(stdout: PathResolver.resolve(path) + "\n")
    }

    /// The redactor's known values, then the value of every `NAME=value` whose name is a secret's
    /// (`--set OPENAI_API_KEY=…`, `env GH_TOKEN=…`) and of an `Authorization:` header.
    public static func redactSecrets(_ text: String, name: String? = nil, redactor: Redactor = .shared) -> String {
        if let name, Redactor.isSecretName(name), !text.isEmpty { return Redactor.placeholder }
        var result = redactor.redact(text)
        var output = ""
        var rest = Substring(result)
        // NAME=value: the value runs to the next blank or quote.
        while let equals = rest.firstIndex(of: "=") {
            let head = rest[..<equals]
            let nameStart =
                head.lastIndex { !($0.isLetter || $0.isNumber || $0 == "_") }.map { head.index(after: $0) }
                ?? head.startIndex
            let variable = String(head[nameStart...])
            output += rest[...equals]
            rest = rest[rest.index(after: equals)...]
            guard !variable.isEmpty, Redactor.isSecretName(variable) else { continue }
            let end = rest.firstIndex { $0 == " " || $0 == "\n" || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            if end > rest.startIndex {
                output += Redactor.placeholder
                rest = rest[end...]
            }
        }
        output += rest
        result = output
        if let header = result.range(of: "Authorization: ", options: .caseInsensitive) {
            let end =
                result[header.upperBound...].firstIndex { $0 == "'" || $0 == "\"" || $0 == "\n" } ?? result.endIndex
            result.replaceSubrange(header.upperBound..<end, with: Redactor.placeholder)
        }
        return result
    }

    /// A word as bash reads it back: bare when it is safe, else in single quotes.
    public static func shellQuote(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "@%+=:,./_-".contains($0)) }
        if safe, !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
