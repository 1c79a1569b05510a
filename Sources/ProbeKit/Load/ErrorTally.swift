import SmokeCore

/// One failed request (or session open) of a load run, as the tally keeps it.
public struct LoadFailure: Sendable, Equatable {
    /// The probe's stable code: `timeout`, `http_status`, `tool_error`, …
    public var code: ErrorCode
    public var message: String
    /// The first bytes of the answer's body, when one came.
    public var body: String?
    public var status: Int?
    /// Milliseconds from the start of the load window.
    public var atMs: Int64

    public init(code: ErrorCode, message: String, body: String? = nil, status: Int? = nil, atMs: Int64) {
        self.code = code
        self.message = message
        self.body = body
        self.status = status
        self.atMs = atMs
    }
}

/// Failures by code: how many, and the earliest of each code with its message and body, cut
/// to `textLimit` characters (a load may fail thousands of times; the report stays small).
public struct ErrorTally: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var count: Int
        public var first: LoadFailure
    }

    public private(set) var entries: [String: Entry] = [:]

    public static let textLimit = 512

    public init() {}

    public var total: Int { entries.values.reduce(0) { $0 + $1.count } }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func add(_ failure: LoadFailure) {
        add(Entry(count: 1, first: failure), code: failure.code.rawValue)
    }

    /// Counts add up; the first of a code is the earliest in the window, whichever session saw it.
    public mutating func merge(_ other: ErrorTally) {
        for (code, entry) in other.entries { add(entry, code: code) }
    }

    private mutating func add(_ entry: Entry, code: String) {
        guard var known = entries[code] else {
            entries[code] = entry
            return
        }
        known.count += entry.count
        if entry.first.atMs < known.first.atMs { known.first = entry.first }
        entries[code] = known
    }

    /// `"3 timeout, 1 http_status"`: the most frequent first.
    public var summary: String {
        entries.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            .map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
    }

    /// `{code: {count, first_message, first_at_ms, first_status?, first_body?}}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        for (code, entry) in entries {
            var fields: [String: JSONValue] = [
                "count": .int(Int64(entry.count)),
                "first_message": .string(Self.cut(entry.first.message)),
                "first_at_ms": .int(entry.first.atMs),
            ]
            if let status = entry.first.status { fields["first_status"] = .int(Int64(status)) }
            if let body = entry.first.body { fields["first_body"] = .string(Self.cut(body)) }
            object[code] = .object(fields)
        }
        return .object(object)
    }

    static func cut(_ text: String) -> String {
        text.count <= textLimit ? text : String(text.prefix(textLimit)) + "…"
    }
}
