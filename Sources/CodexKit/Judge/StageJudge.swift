import SmokeCore

/// The result of one expectation against the collapsed calls.
public struct ExpectationResult: Sendable, Equatable {
    public var expectation: ToolExpectation
    public var met: Bool
    /// Calls that count for the expectation (right tool, server and arguments, and succeeded
    /// unless failures are allowed).
    public var matched: Int
    public var reason: String?
    /// Error code this unmet expectation stands for (`tool_failed`, `tool_missing`,
    /// `arguments_mismatch`, `too_few_calls`, `too_many_calls`, `forbidden_call`, `expected_error_missing`).
    public var code: ErrorCode?
    public var hint: String?

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "tool": .string(expectation.tool), "met": .bool(met), "matched": .int(Int64(matched)),
            "min_calls": .int(Int64(expectation.minCalls)),
        ]
        if let server = expectation.server { object["server"] = .string(server) }
        if let most = expectation.maxCalls { object["max_calls"] = .int(Int64(most)) }
        if expectation.forbid { object["forbid"] = true }
        if expectation.expectError { object["expect_error"] = true }
        if let code { object["code"] = .string(code.rawValue) }
        if let reason { object["reason"] = .string(reason) }
        return .object(object)
    }
}

/// Applies a stage's expectations to what a run left behind. `run` and `check` both call this,
/// which is why `check` on the saved files reaches the same verdict.
public struct StageJudge: Sendable {
    public var stage: StageDefinition
    public var transcript: TranscriptParser
    public var stderr: StderrDigest
    public var offered: OfferedTools?
    public var end: RunEnd?

    public init(
        stage: StageDefinition, transcript: TranscriptParser, stderr: StderrDigest, offered: OfferedTools?, end: RunEnd?
    ) {
        self.stage = stage
        self.transcript = transcript
        self.stderr = stderr
        self.offered = offered
        self.end = end ?? stderr.recordedEnd
    }

    public var expectations: [ExpectationResult] { stage.expectations.map(evaluate) }

    /// The stage's error, or nil when it passed. Order: what stopped the run beats what the
    /// transcript shows, and a turn that never ended beats expectations judged on half a turn.
    public var error: SmokeError? {
        let results = expectations
        switch end {
        case .timeout(let seconds):
            return SmokeError(
                .timeout, "stage '\(stage.name)' exceeded --timeout \(format(seconds)) s; \(progress)",
                hint: "the transcript and stderr log on disk hold everything Codex printed before it was stopped")
        case .heartbeatTimeout(let seconds):
            return SmokeError(
                .heartbeatTimeout,
                "stage '\(stage.name)': no new stdout or stderr line for \(format(seconds)) s; \(progress)",
                hint: "Codex waits silently when the model server never answers; the lines before the stall are on disk"
            )
        default:
            break
        }
        if let failure = stderr.mcpStartupFailure, !transcript.turnEnded {
            return SmokeError(
                .mcpStartupFailed, failure,
                hint:
                    "a required MCP server did not answer initialize; check that the stack under test is up at the configured URL"
            )
        }
        if let failure = transcript.turnFailure {
            return SmokeError(.turnFailed, "stage '\(stage.name)': turn failed: \(failure)")
        }
        if !transcript.turnCompleted {
            var how = "Codex stopped before turn.completed or turn.failed"
            switch end {
            case .signalled(let signal): how += " (killed by signal \(signal))"
            case .exited(let code): how += " (exit \(code))"
            default: break
            }
            return SmokeError(
                .incompleteTranscript, "stage '\(stage.name)': \(how); \(progress)",
                hint: "the partial transcript is kept on disk")
        }
        if let unmet = results.first(where: { !$0.met }) {
            return SmokeError(
                unmet.code ?? .toolMissing, "stage '\(stage.name)': \(unmet.reason ?? "expectation not met")",
                hint: unmet.hint)
        }
        return nil
    }

    private var progress: String {
        "\(transcript.lines) transcript lines, \(transcript.calls.count) tool calls, last event \(transcript.lastEventType ?? "none")"
    }

    private func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }

    func evaluate(_ expectation: ToolExpectation) -> ExpectationResult {
        let sameTool = transcript.calls.filter { call in
            call.tool == expectation.tool && (expectation.server == nil || call.server == expectation.server)
        }
        let argumentsMatch = sameTool.filter { call in
            expectation.arguments.map { ArgumentMatch.matches(expected: $0, actual: call.arguments) } ?? true
        }
        let label = expectation.server.map { "\($0)/\(expectation.tool)" } ?? expectation.tool
        if expectation.forbid {
            var result = ExpectationResult(
                expectation: expectation, met: argumentsMatch.isEmpty, matched: argumentsMatch.count)
            if !result.met {
                result.code = .forbiddenCall
                result.reason = "\(label) was called \(argumentsMatch.count) time(s); the stage forbids it"
            }
            return result
        }
        let counted = argumentsMatch.filter { call in
            if expectation.expectError { return call.failed }
            return expectation.allowFailed ? call.status != "in_progress" || call.error != nil : call.succeeded
        }
        var result = ExpectationResult(
            expectation: expectation, met: counted.count >= expectation.minCalls, matched: counted.count)
        if result.met, let most = expectation.maxCalls, counted.count > most {
            result.met = false
            result.code = .tooManyCalls
            result.reason = "\(label) was called \(counted.count) time(s); the stage allows at most \(most)"
            return result
        }
        guard !result.met else { return result }
        if expectation.expectError, let succeeded = argumentsMatch.first(where: \.succeeded) {
            result.code = .expectedErrorMissing
            result.reason =
                "\(label) succeeded; the stage expects it to fail (result: \(succeeded.json.encodedString().prefix(200)))"
            return result
        }
        let need = expectation.minCalls == 1 ? "" : " (\(counted.count) of \(expectation.minCalls) calls counted)"
        if let failed = argumentsMatch.first(where: \.failed) ?? sameTool.first(where: \.failed) {
            result.code = .toolFailed
            result.reason = "\(label) failed\(need): \(failed.error ?? "status \(failed.status ?? "unknown")")"
        } else if !counted.isEmpty {
            result.code = .tooFewCalls
            result.reason =
                "\(label) was called \(counted.count) time(s); the stage needs at least \(expectation.minCalls)"
        } else if !argumentsMatch.isEmpty {
            result.code = .toolFailed
            result.reason = "\(label) did not complete\(need): status \(argumentsMatch.last?.status ?? "unknown")"
        } else if !sameTool.isEmpty {
            result.code = .argumentsMismatch
            let seen = sameTool.prefix(3).map { $0.arguments.encodedString() }.joined(separator: "; ")
            result.reason =
                "\(label) was called, but never with arguments matching \(expectation.arguments?.encodedString() ?? "{}"); seen: \(seen)"
        } else {
            result.code = .toolMissing
            var reason = "\(label) was never called"
            if let offered {
                let isOffered = offered.offers(tool: expectation.tool, server: expectation.server)
                reason +=
                    isOffered
                    ? "; Codex offered it to the model"
                    : "; Codex did not offer it to the model (offered: \(offered.allTools.joined(separator: ", ")))"
            }
            let unsupported = stderr.unsupportedCalls(naming: expectation.tool)
            if !unsupported.isEmpty {
                reason += "; stderr: unsupported call: \(unsupported.joined(separator: ", "))"
                result.hint =
                    "Codex could not route the call: the MCP server does not publish \(expectation.tool) (catalog drift, server dropped, wrong namespace)"
            } else if !stderr.unsupportedCalls.isEmpty {
                result.hint = "stderr has unsupported calls: \(stderr.unsupportedCalls.joined(separator: ", "))"
            }
            result.reason = reason
        }
        return result
    }
}
