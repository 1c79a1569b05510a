/// Known failures a run accepts: `{"known_failures": [{step?, stage?, tool?, code?, reason}]}`.
/// A failure an entry matches is reported as expected instead of failing; a new failure still
/// fails; an entry that matches nothing any more is stale (the fault it excused is gone). One
/// file serves both levels: `codex-stage --baseline` matches a stage's unmet expectations (by
/// `stage`, `tool`, `code`), the smoke summary matches failed steps (by `step`, `code`).
public struct Baseline: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var step: String?
        public var stage: String?
        public var tool: String?
        public var code: String?
        public var reason: String
        /// Where it sits in the file, for messages: `known_failures[2]`.
        public var index: Int

        public init(
            step: String? = nil, stage: String? = nil, tool: String? = nil, code: String? = nil, reason: String,
            index: Int
        ) {
            self.step = step
            self.stage = stage
            self.tool = tool
            self.code = code
            self.reason = reason
            self.index = index
        }

        public var json: JSONValue {
            var object: [String: JSONValue] = ["reason": .string(reason)]
            if let step { object["step"] = .string(step) }
            if let stage { object["stage"] = .string(stage) }
            if let tool { object["tool"] = .string(tool) }
            if let code { object["code"] = .string(code) }
            return .object(object)
        }

        /// Matches a failure when every field it names agrees.
        public func matches(step: String? = nil, stage: String? = nil, tool: String? = nil, code: String?) -> Bool {
            (self.step == nil || self.step == step) && (self.stage == nil || self.stage == stage)
                && (self.tool == nil || self.tool == tool) && (self.code == nil || self.code == code)
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public static func load(path: String) throws(SmokeError) -> Baseline {
        try parse(try JSONValue.load(path: path), source: path)
    }

    public static func parse(_ document: JSONValue, source: String) throws(SmokeError) -> Baseline {
        guard let list = document["known_failures"]?.arrayValue, document.objectValue?.count == 1 else {
            throw SmokeError(.invalidBaseline, "\(source): expected {\"known_failures\": [...]}")
        }
        var entries: [Entry] = []
        for (index, raw) in list.enumerated() {
            let at = "\(source): known_failures[\(index)]"
            guard let object = raw.objectValue else { throw SmokeError(.invalidBaseline, "\(at): expected an object") }
            let keys: Set<String> = ["step", "stage", "tool", "code", "reason"]
            if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
                throw SmokeError(
                    .invalidBaseline, "\(at).\(unknown): unknown key (allowed: code, reason, stage, step, tool)")
            }
            func text(_ key: String) throws(SmokeError) -> String? {
                guard let value = object[key], !value.isNull else { return nil }
                guard let string = value.stringValue, !string.isEmpty else {
                    throw SmokeError(.invalidBaseline, "\(at).\(key): expected a non-empty string")
                }
                return string
            }
            guard let reason = try text("reason") else {
                throw SmokeError(.invalidBaseline, "\(at).reason: a known failure needs a reason")
            }
            let entry = Entry(
                step: try text("step"), stage: try text("stage"), tool: try text("tool"), code: try text("code"),
                reason: reason, index: index)
            guard entry.step != nil || entry.stage != nil else {
                throw SmokeError(.invalidBaseline, "\(at): name the step or the stage it excuses")
            }
            entries.append(entry)
        }
        return Baseline(entries: entries)
    }
}
