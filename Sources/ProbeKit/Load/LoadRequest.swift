import SmokeCore

/// What every load session repeats: `tools/list` (first page), or the `--call`.
enum LoadRequest: Sendable {
    case toolsList
    case toolsCall(ToolCall)

    init(call: ToolCall?) {
        self = call.map(LoadRequest.toolsCall) ?? .toolsList
    }

    var method: String {
        switch self {
        case .toolsList: "tools/list"
        case .toolsCall: "tools/call"
        }
    }
}

/// How one repeated request ended.
enum LoadSample {
    case ok
    case failed(LoadFailure, sessionExpired: Bool)
    /// The window closed before it could be sent (not a request: nothing is counted).
    case notSent
}

extension Probe {
    /// Sends `request` once (no retry: a load counts what the server does with each request)
    /// and judges the answer as the probe's own tools/list and `--call` do.
    func send(_ request: LoadRequest, windowStart: ContinuousClock.Instant) async -> LoadSample {
        let atMs = (clock.now - windowStart).milliseconds
        switch request {
        case .toolsList:
            switch await self.request(
                phase: .toolsList, method: "tools/list", params: nil, stamp: currentStamp, retry: .once)
            {
            case .answered(let verdict):
                guard verdict.message?["result"]?["tools"]?.arrayValue != nil else {
                    let attempt = markLast(.invalidBody, "the tools/list result has no tools array")
                    return failed(attempt, failure(from: attempt, exhausted: false), atMs: atMs)
                }
                return .ok
            case .failed(let attempt, let exhausted):
                if attempt.n == 0 { return .notSent }
                return failed(attempt, failure(from: attempt, exhausted: exhausted), atMs: atMs)
            }
        case .toolsCall(let call):
            switch await sendCall(call) {
            case .judged(let verdict):
                guard let failure = verdict.failure else { return .ok }
                let text = verdict.fields["text"]?.stringValue
                let body = text?.isEmpty == false ? text : nil
                return .failed(
                    LoadFailure(code: failure.code.errorCode, message: failure.message, body: body, atMs: atMs),
                    sessionExpired: false)
            case .failed(let error, let attempt):
                if attempt.n == 0 { return .notSent }
                return failed(attempt, error, atMs: atMs)
            }
        }
    }

    private func failed(_ attempt: Attempt, _ error: SmokeError, atMs: Int64) -> LoadSample {
        let failure = LoadFailure(
            code: error.code, message: error.message, body: attempt.bodyPreview, status: attempt.status, atMs: atMs)
        return .failed(failure, sessionExpired: attempt.outcome == .sessionExpired)
    }
}
