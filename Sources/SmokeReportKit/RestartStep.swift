import SmokeCore

/// What `smoke-report restart` is told about a restart the chain just did: the folder holding the
/// answers of its phases, and the clock.
public struct RestartRequest: Sendable {
    public var run: String
    public var step: String
    /// The stage it followed ('' when asked for on its own).
    public var stage: String?
    /// The phases' answers, relative to the run directory: render.json, stop.json, port.json,
    /// start.json, probe.json, port-after.json, drift.json (a phase not reached has none).
    public var directory: String
    public var port: Int
    public var timeoutSeconds: Int
    /// Stop to ready, when the restarted stack became ready.
    public var restartMs: Int?
    /// The restarted stack exited while the probe waited for it.
    public var stackExited: Bool
    public var elapsedMs: Int
    public var out: String

    public init(
        run: String, step: String, stage: String? = nil, directory: String, port: Int, timeoutSeconds: Int,
        restartMs: Int? = nil, stackExited: Bool = false, elapsedMs: Int = 0, out: String
    ) {
        self.run = run
        self.step = step
        self.stage = stage
        self.directory = directory
        self.port = port
        self.timeoutSeconds = timeoutSeconds
        self.restartMs = restartMs
        self.stackExited = stackExited
        self.elapsedMs = elapsedMs
        self.out = out
    }
}

/// A restart between stages, as Stelae's restart helper does one: re-render, stop the stack,
/// prove the port free, start it on the same port, probe it (initialize and the curated tools),
/// check drift. The verdict names the phase that broke.
public enum RestartStep {
    public static let phases = ["render", "stop", "port", "start", "probe", "drift"]

    public static func document(_ request: RestartRequest, redactor: Redactor = .shared) -> [String: JSONValue] {
        var document: [String: JSONValue] = ["step": .string(request.step)]
        document["stage"] = request.stage.flatMap { $0.isEmpty ? nil : .string($0) } ?? .null
        document["port"] = .int(Int64(request.port))
        document["timeout_s"] = .int(Int64(request.timeoutSeconds))
        document["restart_ms"] = request.restartMs.map { .int(Int64($0)) } ?? .null
        document["directory"] = .string(request.directory)

        var answers: [String: [String: JSONValue]] = [:]
        var phaseList: [JSONValue] = []
        for phase in phases {
            let file = "\(request.directory)/\(phase).json"
            guard let answer = RunFiles.loadObject(RunFiles.join(request.run, file)) else { continue }
            answers[phase] = answer
            var entry: [String: JSONValue] = [
                "phase": .string(phase), "ok": .bool(answer["ok"]?.isTruthy ?? false), "file": .string(file),
            ]
            if let code = answer["error"]?["code"] { entry["code"] = code }
            if let elapsed = answer["elapsed_ms"] { entry["elapsed_ms"] = elapsed }
            phaseList.append(.object(entry))
        }
        document["phases"] = .array(phaseList)
        let after = RunFiles.loadObject(RunFiles.join(request.run, "\(request.directory)/port-after.json"))

        let failure = verdict(request, answers: answers, portAfter: after)
        let elapsedMs = Int64(request.elapsedMs)
        guard let failure else { return ChainSteps.answer(elapsedMs: elapsedMs, error: nil, fields: document) }
        let error = Envelope.error(code: failure.code, message: redactor.redact(failure.message), hint: failure.hint)
        if failure.listeners != nil { document["listeners"] = failure.listeners }
        let log = RunFiles.join(request.run, "stack.log")
        if let text = RunFiles.readText(log) {
            document["stack_log_tail"] = .array(
                ChainText.lines(text).suffix(RunSummary.stackLogTailLines).map { .string(redactor.redact($0)) })
        }
        return ChainSteps.answer(elapsedMs: elapsedMs, error: error, fields: document)
    }

    public static func write(_ request: RestartRequest, redactor: Redactor = .shared) throws(SmokeError) -> ReportOutput
    {
        let document = document(request, redactor: redactor)
        try RunFiles.write(.object(document), to: request.out)
        return ReportOutput(exit: document["ok"] == true ? 0 : 1)
    }

    struct Failure {
        var code: String
        var message: String
        var hint: String?
        var listeners: JSONValue?
    }

    static func verdict(
        _ request: RestartRequest, answers: [String: [String: JSONValue]], portAfter: [String: JSONValue]?
    ) -> Failure? {
        func message(_ phase: String) -> String {
            ChainText.show(answers[phase]?["error"]?["message"] ?? .string("no answer"))
        }
        func failed(_ phase: String) -> Bool { answers[phase].map { !($0["ok"]?.isTruthy ?? false) } ?? false }
        guard let render = answers["render"] else {
            return Failure(code: "restart_incomplete", message: "the restart left no re-render answer")
        }
        if failed("render") {
            return Failure(
                code: ChainText.show(render["error"]?["code"] ?? "render_failed"),
                message: "re-render: \(message("render"))")
        }
        if failed("stop") {
            return Failure(
                code: ChainText.show(answers["stop"]?["error"]?["code"] ?? "stack_not_stopped"),
                message: "stopping the stack for the restart: \(message("stop"))")
        }
        if let port = answers["port"], !(port["free"]?.isTruthy ?? false) {
            return taken(request, by: port, when: "after the stack stopped, before it started again")
        }
        if failed("start") {
            return Failure(
                code: "stack_not_started", message: "the restarted stack: \(message("start"))",
                hint: "see stack.log (stack_log_tail)")
        }
        if answers["probe"] == nil || failed("probe") {
            // A stack that cannot bind exits: was the port taken in the meantime?
            if let after = portAfter, !(after["free"]?.isTruthy ?? true),
                after["listeners"]?.arrayValue?.isEmpty == false
            {
                if request.stackExited || failed("probe") {
                    return taken(request, by: after, when: "while the stack started again")
                }
            }
            if request.stackExited {
                return Failure(
                    code: "stack_exited",
                    message: "the restarted stack exited before it was ready on port \(request.port)",
                    hint: "see stack.log (stack_log_tail)")
            }
            return Failure(
                code: "restart_timeout",
                message: "the stack did not come back on port \(request.port) within \(request.timeoutSeconds) s "
                    + "(RESTART_TIMEOUT): \(message("probe"))",
                hint: "see stack.log (stack_log_tail) and \(request.directory)/probe.json")
        }
        if failed("drift") {
            return Failure(
                code: ChainText.show(answers["drift"]?["error"]?["code"] ?? "drift"),
                message: "after the restart: \(message("drift"))")
        }
        return nil
    }

    /// `port_in_use`, naming who holds the port (pid and command line, from port-preflight).
    static func taken(_ request: RestartRequest, by answer: [String: JSONValue], when: String) -> Failure {
        let listeners = answer["listeners"]?.arrayValue ?? []
        let named = listeners.map { listener in
            "pid \(ChainText.show(listener["pid"])) (\(ChainText.show(listener["command"])))"
        }
        let who =
            named.isEmpty
            ? ChainText.show(answer["error"]?["message"] ?? "an unknown process") : named.joined(separator: ", ")
        return Failure(
            code: "port_in_use", message: "port \(request.port) was taken \(when): \(who) listens on it",
            hint: "another process took the stack's port during the restart; stop it, or run with another PROXY_PORT",
            listeners: .array(listeners))
    }
}
