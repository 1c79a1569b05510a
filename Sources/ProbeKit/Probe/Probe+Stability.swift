import Foundation
import SmokeCore

/// `--stable-for`: after the catalog wait, tools/list is read again every poll interval until
/// one listing completes `stableFor` after the last change; a list still changing when the
/// deadline leaves no room for that is `tools_unstable`.
extension Probe {
    func waitForStableTools(initial: [JSONValue]) async -> SmokeError? {
        guard let window = configuration.stableFor, window > .zero else { return nil }
        var stability = CatalogStability(tools: initial, atMs: (clock.now - start).milliseconds)
        let interval = CatalogStability.pollInterval(window)
        var latest = initial
        defer { stabilityFields = ["catalog_changes": .array(stability.events.map(\.json))] }
        while true {
            let nowMs = (clock.now - start).milliseconds
            if nowMs - stability.lastChangeMs >= window.milliseconds {
                stableMs = nowMs
                toolsFields = ["tools": .array(Self.toolNames(latest).map(JSONValue.string))]
                return writeToolsOut(latest)
            }
            let stableAt = start + .milliseconds(stability.lastChangeMs) + window
            let wake = min(stableAt, clock.now + interval)
            if wake > deadlineAt - Self.lastAttemptWindow {
                return toolsUnstable(stability, latest: latest, window: window)
            }
            try? await Task.sleep(until: wake, clock: clock)
            switch await list(.tools) {
            case .items(let items):
                noteTools(items)
                latest = items
                for event in stability.observe(items, atMs: (clock.now - start).milliseconds) {
                    log?.info("tools/list: \(event.tool) \(event.change.rawValue) at \(event.atMs) ms")
                }
            case .failed(let attempt, let exhausted):
                if attempt.outcome == .sessionExpired {
                    if let failure = await reinitialize() { return failure }
                    continue
                }
                toolsFields = ["tools": .array(Self.toolNames(latest).map(JSONValue.string))]
                return failure(from: attempt, exhausted: exhausted)
            }
        }
    }

    private func toolsUnstable(_ stability: CatalogStability, latest: [JSONValue], window: Duration) -> SmokeError {
        toolsFields = ["tools": .array(Self.toolNames(latest).map(JSONValue.string))]
        if let failure = writeToolsOut(latest) { return failure }
        let last =
            stability.events.last.map { "; last change: \($0.tool) \($0.change.rawValue) at \($0.atMs) ms" } ?? ""
        return SmokeError(
            .toolsUnstable,
            "\(configuration.url.absoluteString): the tool list did not stay unchanged for \(seconds(window)) s "
                + "within the --deadline of \(seconds(configuration.deadline)) s (\(stability.events.count) changes seen\(last))",
            hint: hint(for: .toolsUnstable))
    }
}
