import SmokeCore

/// What one load session did.
struct LoadSessionResult: Sendable {
    var opened = false
    var requests = 0
    var ok = 0
    var latency = LatencySummary()
    var errors = ErrorTally()
    /// Why the session could not open (or reopen after its handshake session expired).
    var openError: LoadFailure?

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "requests": .int(Int64(requests)), "ok": .int(Int64(ok)), "opened": .bool(opened),
        ]
        if let openError {
            object["open_error"] = .string("\(openError.code.rawValue): \(ErrorTally.cut(openError.message))")
        }
        return .object(object)
    }
}

extension Probe {
    /// One session of a load: opens in the era the readiness probe settled on (server/discover,
    /// or initialize with its session), then repeats `request` until `windowEnd`, one request
    /// at a time. After a failure it waits one backoff step (so a refusing server is not spun
    /// on), never past the window. Call once, on a fresh probe whose deadline is the window's
    /// end plus the request timeout; it shuts the client down.
    func runLoadSession(
        _ request: LoadRequest, tool: JSONValue?, windowStart: ContinuousClock.Instant,
        windowEnd: ContinuousClock.Instant
    ) async -> LoadSessionResult {
        startBy = windowEnd
        if case .toolsCall(let call) = request, let tool { listedTools[call.name] = tool }
        var result = LoadSessionResult()
        if let failure = await connect() {
            result.openError = openFailure(failure, windowStart: windowStart, windowEnd: windowEnd)
        } else {
            result.opened = true
            await repeatRequests(request, windowStart: windowStart, windowEnd: windowEnd, into: &result)
        }
        attempts.removeAll()
        await closeSession()
        await transport.shutdown()
        return result
    }

    private func repeatRequests(
        _ request: LoadRequest, windowStart: ContinuousClock.Instant, windowEnd: ContinuousClock.Instant,
        into result: inout LoadSessionResult
    ) async {
        backoff.reset()
        while clock.now < windowEnd {
            let began = clock.now
            let sample = await send(request, windowStart: windowStart)
            let latency = clock.now - began
            attempts.removeAll(keepingCapacity: true)  // a load keeps counts, not every attempt
            switch sample {
            case .notSent:
                return
            case .ok:
                result.requests += 1
                result.ok += 1
                result.latency.add(latency)
                backoff.reset()
            case .failed(let failure, let sessionExpired):
                result.requests += 1
                result.latency.add(latency)
                result.errors.add(failure)
                if sessionExpired, let failure = await reinitialize() {
                    result.openError = openFailure(failure, windowStart: windowStart, windowEnd: windowEnd)
                    return
                }
                let pause = backoff.nextDelay()
                guard clock.now + pause < windowEnd else { return }
                try? await Task.sleep(for: pause)
            }
        }
    }

    /// A session that could not open is an error, unless the window closed before it could try.
    private func openFailure(
        _ failure: SmokeError, windowStart: ContinuousClock.Instant, windowEnd: ContinuousClock.Instant
    ) -> LoadFailure? {
        if failure.code == .deadlineExceeded, clock.now >= windowEnd { return nil }
        return LoadFailure(
            code: failure.code, message: failure.message, body: attempts.last?.bodyPreview,
            status: attempts.last?.status,
            atMs: (clock.now - windowStart).milliseconds)
    }
}
