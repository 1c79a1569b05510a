import Foundation
import SmokeCore

/// The catalog wait over HTTP: tools/list (and resources/list, prompts/list where advertised or
/// required), every page, polled with backoff until what was asked for is there.
extension Probe {
    enum Listing {
        case items([JSONValue])
        case failed(Attempt, exhausted: Bool)
    }

    /// The stamp of every request after negotiation.
    var currentStamp: Stamp {
        if let envelope { return .modern(envelope) }
        return .handshake
    }

    var serverCapabilities: JSONValue? {
        discoverResult?.capabilities ?? initializeResult?["capabilities"]
    }

    func waitForCatalog() async -> SmokeError? {
        backoff.reset()
        var wait = CatalogWait(requirements: configuration.catalogRequirements, capabilities: serverCapabilities)
        var lastFailure: Attempt?
        polling: while true {
            for kind in wait.pending {
                switch await list(kind) {
                case .items(let items):
                    wait.record(kind, items)
                    if kind == .tools { noteTools(items) }
                    if !wait.satisfied(kind) {
                        log?.info("\(kind.method): \(items.count) \(kind.rawValue), waiting for \(wait.wanted(kind))")
                    }
                case .failed(let attempt, let exhausted):
                    if attempt.outcome == .sessionExpired {
                        if let failure = await reinitialize() { return failure }
                        continue polling
                    }
                    if !wait.isRequired(kind) {
                        // Nothing was asked of this list: its failure costs its count, not readiness.
                        wait.recordError(kind, attempt.error ?? attempt.outcome.rawValue)
                        continue
                    }
                    lastFailure = attempt
                    if exhausted { break polling }
                    catalogFields = wait.fields(failed: true)
                    return failure(from: attempt, exhausted: false)
                }
            }
            if wait.done {
                toolsReadyMs = (clock.now - start).milliseconds
                let names = wait.names(.tools)
                toolsFields = ["tools": .array(names.map(JSONValue.string))]
                catalogFields = wait.fields(failed: false)
                if configuration.stableFor != nil {
                    return await waitForStableTools(initial: wait.listings[.tools] ?? [])
                }
                return writeToolsOut(wait.listings[.tools] ?? [])
            }
            guard let pause = nextWait() else { break polling }
            try? await Task.sleep(for: pause)
        }
        catalogFields = wait.fields(failed: true)
        return catalogNotReady(wait, lastFailure: lastFailure)
    }

    func noteTools(_ tools: [JSONValue]) {
        lastListing = Self.toolNames(tools)
        for tool in tools { if let name = tool["name"]?.stringValue { listedTools[name] = tool } }
    }

    /// One complete listing of `kind`, following `nextCursor` to the last page.
    func list(_ kind: CatalogKind) async -> Listing {
        var pager = CatalogPager(kind: kind)
        while true {
            let verdict: AnswerVerdict
            switch await request(phase: .list(kind), method: kind.method, params: pager.params, stamp: currentStamp) {
            case .answered(let answer): verdict = answer
            case .failed(let attempt, let exhausted): return .failed(attempt, exhausted: exhausted)
            }
            switch pager.absorb(verdict.message?["result"]) {
            case .more: continue
            case .done(let items): return .items(items)
            case .failed(let message): return .failed(markLast(.invalidBody, message), exhausted: false)
            }
        }
    }

    static func toolNames(_ tools: [JSONValue]) -> [String] {
        tools.compactMap { $0["name"]?.stringValue }
    }
}
