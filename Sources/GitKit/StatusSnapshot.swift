import SmokeCore

/// What `snapshot` reports and `verify --baseline` compares against: the repository, its HEAD
/// and every status entry, ignored files excluded.
public struct StatusSnapshot: Sendable, Equatable {
    public var repo: String
    /// Full commit id of HEAD; nil in a repository with no commits.
    public var head: String?
    /// The branch HEAD names; nil when HEAD is detached.
    public var branch: String?
    public var entries: [StatusEntry]

    public init(repo: String, head: String?, branch: String?, entries: [StatusEntry]) {
        self.repo = repo
        self.head = head
        self.branch = branch
        self.entries = entries.sorted(by: StatusEntry.gitOrder)
    }

    /// Clean as git means it: no entries (ignored files never are entries).
    public var clean: Bool { entries.isEmpty }

    /// The snapshot keys, as printed by `snapshot` and written by `--out`.
    public var fields: [String: JSONValue] {
        [
            "repo": .string(repo),
            "head": head.map(JSONValue.string) ?? .null,
            "branch": branch.map(JSONValue.string) ?? .null,
            "clean": .bool(clean),
            "entries": .array(entries.map(\.json)),
        ]
    }
}

extension StatusSnapshot {
    /// Loads a baseline written by `snapshot --out` (or the captured stdout of `snapshot`).
    /// Anything that is not such a document is `invalid_baseline` naming the file.
    public static func loadBaseline(path: String) throws(SmokeError) -> StatusSnapshot {
        let document: JSONValue
        do {
            document = try JSONValue.load(path: path)
        } catch let error where error.code == .invalidJSON {
            throw SmokeError(
                .invalidBaseline, error.message, hint: "write a baseline with `git-clean-check snapshot DIR --out FILE`"
            )
        }
        return try baseline(from: document, source: path)
    }

    static func baseline(from document: JSONValue, source: String) throws(SmokeError) -> StatusSnapshot {
        guard let object = document.objectValue else {
            throw SmokeError(.invalidBaseline, "\(source): expected a snapshot object, found \(document.typeName)")
        }
        if object["ok"]?.boolValue == false {
            throw SmokeError(.invalidBaseline, "\(source): holds a failed run (ok: false), not a snapshot")
        }
        guard let entries = object["entries"]?.arrayValue else {
            throw SmokeError(.invalidBaseline, "\(source): missing \"entries\" array")
        }
        var parsed: [StatusEntry] = []
        parsed.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() {
            parsed.append(try StatusEntry(json: entry, where: "\(source): entries[\(position)]"))
        }
        func optionalString(_ key: String) throws(SmokeError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.stringValue else {
                throw SmokeError(
                    .invalidBaseline, "\(source): \"\(key)\" must be a string or null, found \(value.typeName)")
            }
            return text
        }
        return StatusSnapshot(
            repo: try optionalString("repo") ?? "", head: try optionalString("head"),
            branch: try optionalString("branch"), entries: parsed)
    }
}
