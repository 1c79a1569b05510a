import Foundation
import SmokeCore

/// `probe-initialize --load`: the ordinary readiness probe first (era negotiation, and for
/// `--call` a catalog wait so the tool and its inputSchema are known), then `sessions`
/// concurrent sessions in the era it settled on, each repeating the request until the window
/// closes. The probe's request, era and session machinery does every exchange; this only
/// shapes and counts them. Nothing outlives window + `grace`: each session's probe has that
/// as its deadline, starts no request after the window, and shuts its client down.
public enum LoadRunner {
    public static func run(_ configuration: LoadConfiguration, log: Log? = nil) async -> ProbeReport {
        var readiness = configuration.probe
        readiness.call = nil
        if let call = configuration.probe.call, !readiness.requiredTools.contains(call.name) {
            readiness.requiredTools.append(call.name)
        }
        let probe = Probe(configuration: readiness, log: log)
        var report = await probe.run()
        report.fields["load"] = .null
        guard report.ok, let era = probe.era else { return unreachable(report, probe) ?? report }

        let request = LoadRequest(call: configuration.probe.call)
        let tool = configuration.probe.call.flatMap { probe.listedTools[$0.name] }
        let session = sessionConfiguration(
            configuration, endpoint: probe.endpoint, era: era, version: probe.negotiatedVersion)
        log?.info(
            "load: \(configuration.sessions) sessions × \(Double(configuration.duration.milliseconds) / 1000) s of \(request.method), era \(era.rawValue)"
        )

        let clock = ContinuousClock()
        let windowStart = clock.now
        let windowEnd = windowStart + configuration.duration
        let timeout = configuration.probe.attemptTimeout
        let results = await withTaskGroup(of: (Int, LoadSessionResult).self) { group in
            for index in 0..<configuration.sessions {
                group.addTask {
                    var own = session
                    own.deadline = windowEnd + timeout - clock.now
                    let result = await Probe(configuration: own).runLoadSession(
                        request, tool: tool, windowStart: windowStart, windowEnd: windowEnd)
                    return (index, result)
                }
            }
            var results = [LoadSessionResult](repeating: LoadSessionResult(), count: configuration.sessions)
            for await (index, result) in group { results[index] = result }
            return results
        }
        let load = LoadReport(
            configuration: configuration, era: era, protocolVersion: probe.negotiatedVersion, request: request,
            sessions: results, elapsed: clock.now - windowStart)
        report.fields["load"] = load.json
        report.error = load.error
        log?.info(
            "load: \(load.requests) requests, \(load.ok) ok" + (load.errors.isEmpty ? "" : ": \(load.errors.summary)"))
        return report
    }

    /// What every session speaks: the era and version the readiness probe settled on, at the
    /// endpoint it ended on, with the same headers and limits; nothing of its catalog wait.
    static func sessionConfiguration(
        _ configuration: LoadConfiguration, endpoint: URL, era: MCPEra, version: String?
    ) -> ProbeConfiguration {
        let probe = configuration.probe
        var session = ProbeConfiguration(
            url: endpoint, attemptTimeout: probe.attemptTimeout, initialDelay: probe.initialDelay,
            maxDelay: probe.maxDelay,
            era: EraSettings(choice: era == .modern ? .modern : .legacy, protocolVersion: version),
            headers: probe.headers, maxBodyBytes: probe.maxBodyBytes, clientVersion: probe.clientVersion)
        session.stayOnOrigin = true
        return session
    }

    /// The readiness probe's failure as `server_unreachable` (exit 3) when not one attempt got
    /// a connection accepted; nil when the server was reached (its own verdict stands).
    static func unreachable(_ report: ProbeReport, _ probe: Probe) -> ProbeReport? {
        let refusals: Set<AttemptOutcome> = [.refused, .portRefused, .portTimeout]
        guard let error = report.error, !probe.attempts.isEmpty,
            probe.attempts.allSatisfy({ refusals.contains($0.outcome) })
        else { return nil }
        var unreached = report
        unreached.error = SmokeError(
            LoadErrorCode.serverUnreachable.errorCode,
            "\(probe.configuration.url.absoluteString): nothing accepted a connection (\(probe.attempts.count) attempts; \(error.code.rawValue)); the load did not start",
            hint: LoadErrorCode.serverUnreachable.hint)
        return unreached
    }
}
