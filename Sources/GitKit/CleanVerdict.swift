import SmokeCore

/// One difference found by `verify`: the entry as it is now (a path that is clean now reads
/// `"  "`) and, with a baseline, the entry the baseline recorded for that path (nil when the
/// baseline did not list it).
public struct ChangedEntry: Sendable, Equatable {
    public var current: StatusEntry
    public var baseline: StatusEntry?
    /// True when a baseline was given: only then is `baseline` meaningful in the JSON.
    public var comparedWithBaseline: Bool

    public var json: JSONValue {
        guard case .object(var object) = current.json else { return current.json }
        if comparedWithBaseline { object["baseline"] = baseline?.json ?? .null }
        return .object(object)
    }
}

/// Decides whether a working tree passes `verify`: clean, or identical to a baseline snapshot.
public struct CleanVerdict: Sendable {
    public var current: StatusSnapshot
    public var baseline: StatusSnapshot?
    public var changed: [ChangedEntry]
    /// With a baseline: HEAD differs from the baseline's (a commit was made or checked out).
    public var headMoved: Bool

    public init(current: StatusSnapshot, baseline: StatusSnapshot?) {
        self.current = current
        self.baseline = baseline
        guard let baseline else {
            changed = current.entries.map { ChangedEntry(current: $0, baseline: nil, comparedWithBaseline: false) }
            headMoved = false
            return
        }
        headMoved = baseline.head != current.head
        changed = Self.differences(current: current.entries, baseline: baseline.entries)
    }

    public var passed: Bool { changed.isEmpty && !headMoved }

    /// Entries are compared per path (a path may carry two entries, `D ` and `??`); every path
    /// whose entries differ is reported once per entry it has now, or once as clean when it
    /// has none now.
    static func differences(current: [StatusEntry], baseline: [StatusEntry]) -> [ChangedEntry] {
        // Both lists are in git's order (StatusSnapshot sorts them): equal lists, the usual
        // answer, need no grouping by path.
        if current == baseline { return [] }
        let now = Dictionary(grouping: current, by: \.path)
        let before = Dictionary(grouping: baseline, by: \.path)
        var result: [ChangedEntry] = []
        for path in Set(now.keys).union(before.keys) {
            let nowEntries = now[path] ?? []
            let beforeEntries = before[path] ?? []
            guard Set(nowEntries) != Set(beforeEntries) else { continue }
            if nowEntries.isEmpty {
                let clean = StatusEntry(path: path, index: " ", worktree: " ")
                for old in beforeEntries {
                    result.append(ChangedEntry(current: clean, baseline: old, comparedWithBaseline: true))
                }
                continue
            }
            for entry in nowEntries {
                let match = beforeEntries.first { ($0.index == "?") == (entry.index == "?") } ?? beforeEntries.first
                result.append(ChangedEntry(current: entry, baseline: match, comparedWithBaseline: true))
            }
        }
        return result.sorted { StatusEntry.gitOrder($0.current, $1.current) }
    }

    /// The failure `verify` reports, or nil when it passes.
    public var failure: SmokeError? {
        guard !passed else { return nil }
        var fields: [String: JSONValue] = ["changed": .array(changed.map(\.json))]
        if headMoved, let baseline {
            fields["head_moved"] = [
                "baseline": baseline.head.map(JSONValue.string) ?? .null,
                "current": current.head.map(JSONValue.string) ?? .null,
            ]
        }
        if changed.isEmpty {
            return SmokeError(
                .headMoved,
                "\(current.repo): HEAD is \(current.head ?? "unborn"), the baseline recorded \(baseline?.head ?? "unborn")",
                fields: fields)
        }
        let names = changed.prefix(3).map { change in
            change.current.code == "  "
                ? "\(change.current.path) [now clean]" : "\(change.current.path) [\(change.current.code)]"
        }
        let more = changed.count > 3 ? " and \(changed.count - 3) more" : ""
        let against = baseline == nil ? "not clean" : "differs from the baseline"
        return SmokeError(
            .dirtyWorktree,
            "\(current.repo): \(against): \(changed.count) changed path\(changed.count == 1 ? "" : "s"): \(names.joined(separator: ", "))\(more)",
            fields: fields)
    }
}
