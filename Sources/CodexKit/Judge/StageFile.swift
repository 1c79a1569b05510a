import Foundation
import SmokeCore

/// One expected MCP call of a stage. `arguments` matches as a subset (see `ArgumentMatch`).
public struct ToolExpectation: Sendable, Equatable {
    public var tool: String
    public var server: String?
    public var arguments: JSONValue?
    public var minCalls: Int
    /// At most this many counting calls (nil: no limit).
    public var maxCalls: Int?
    public var allowFailed: Bool
    /// The tool must not be called (with matching arguments, when given).
    public var forbid: Bool
    /// The tool must be called and the call must fail: only failed calls count.
    public var expectError: Bool

    public init(
        tool: String, server: String? = nil, arguments: JSONValue? = nil, minCalls: Int = 1, maxCalls: Int? = nil,
        allowFailed: Bool = false, forbid: Bool = false, expectError: Bool = false
    ) {
        self.tool = tool
        self.server = server
        self.arguments = arguments
        self.minCalls = minCalls
        self.maxCalls = maxCalls
        self.allowFailed = allowFailed
        self.forbid = forbid
        self.expectError = expectError
    }
}

public struct StageDefinition: Sendable, Equatable {
    public var name: String
    public var prompt: String
    public var expectations: [ToolExpectation]

    /// Refuses a stage that expects a tool the stack's curated manifest does not hold, before
    /// Codex starts: otherwise the stage runs a minute and ends in `tool_missing`, which reads
    /// as a stack fault when the stage itself is stale (a tool the stack removed).
    public func checkTools(against manifest: [String], source: String) throws(SmokeError) {
        let known = Set(manifest)
        // A forbidden tool may well be absent: that is one way of never being called.
        let unknown = expectations.filter { !$0.forbid }.map(\.tool).filter { !known.contains($0) }
        guard !unknown.isEmpty else { return }
        let names = Array(Set(unknown)).sorted()
        throw SmokeError(
            .unknownTool,
            "stage '\(name)' expects \(names.joined(separator: ", ")), which the manifest \(source) does not hold "
                + "(it holds: \(manifest.sorted().joined(separator: ", ")))",
            fields: [
                "stage": .string(name), "unknown_tools": .array(names.map { .string($0) }), "manifest": .string(source),
            ])
    }

    public init(name: String, prompt: String, expectations: [ToolExpectation]) {
        self.name = name
        self.prompt = prompt
        self.expectations = expectations
    }
}

/// The stages file: `{"stages": [{name, prompt, expectations: [{tool, server?, arguments?, min_calls?,
/// max_calls?, allow_failed?, forbid?, expect_error?}]}]}`.
public enum StageFile {
    public static func load(path: String) throws(SmokeError) -> [StageDefinition] {
        try parse(try JSONValue.load(path: path), source: path)
    }

    public static func stage(named name: String, path: String) throws(SmokeError) -> StageDefinition {
        let stages = try load(path: path)
        guard let stage = stages.first(where: { $0.name == name }) else {
            let known = stages.map(\.name).joined(separator: ", ")
            throw SmokeError(.stageNotFound, "\(path): no stage named '\(name)' (stages: \(known))")
        }
        return stage
    }

    public static func parse(_ document: JSONValue, source: String) throws(SmokeError) -> [StageDefinition] {
        guard let stages = document["stages"]?.arrayValue else {
            throw SmokeError(.invalidStages, "\(source): expected an object with a \"stages\" array")
        }
        var result: [StageDefinition] = []
        var seen = Set<String>()
        for (index, entry) in stages.enumerated() {
            let at = "\(source): stages[\(index)]"
            guard let name = entry["name"]?.stringValue, !name.isEmpty else {
                throw SmokeError(.invalidStages, "\(at).name: expected a non-empty string")
            }
            // The name becomes file names (<name>.jsonl, codex-home-<name>): no separator, no "..".
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), name != ".",
                name != ".."
            else {
                throw SmokeError(
                    .invalidStages,
                    "\(at).name: '\(name)': use letters, digits, '.', '-' and '_' only (it names the transcript files)")
            }
            guard seen.insert(name).inserted else {
                throw SmokeError(.invalidStages, "\(at).name: duplicate stage name '\(name)'")
            }
            guard let prompt = entry["prompt"]?.stringValue else {
                throw SmokeError(.invalidStages, "\(at).prompt: expected a string")
            }
            guard let rawExpectations = entry["expectations"]?.arrayValue else {
                throw SmokeError(.invalidStages, "\(at).expectations: expected an array")
            }
            var expectations: [ToolExpectation] = []
            for (position, raw) in rawExpectations.enumerated() {
                expectations.append(try expectation(raw, at: "\(at).expectations[\(position)]"))
            }
            result.append(StageDefinition(name: name, prompt: prompt, expectations: expectations))
        }
        return result
    }

    private static func expectation(_ raw: JSONValue, at: String) throws(SmokeError) -> ToolExpectation {
        guard raw.objectValue != nil else { throw SmokeError(.invalidStages, "\(at): expected an object") }
        guard let tool = raw["tool"]?.stringValue, !tool.isEmpty else {
            throw SmokeError(.invalidStages, "\(at).tool: expected a non-empty string")
        }
        var server: String?
        if let value = raw["server"], !value.isNull {
            guard let text = value.stringValue else {
                throw SmokeError(.invalidStages, "\(at).server: expected a string")
            }
            server = text
        }
        var arguments: JSONValue?
        if let value = raw["arguments"], !value.isNull {
            guard value.objectValue != nil else {
                throw SmokeError(.invalidStages, "\(at).arguments: expected an object, found \(value.typeName)")
            }
            arguments = value
        }
        var minCalls = 1
        if let value = raw["min_calls"], !value.isNull {
            guard let count = value.intValue, count >= 1, count <= 1000 else {
                throw SmokeError(.invalidStages, "\(at).min_calls: expected an integer from 1 to 1000")
            }
            minCalls = Int(count)
        }
        var maxCalls: Int?
        if let value = raw["max_calls"], !value.isNull {
            guard let count = value.intValue, count >= 0, count <= 1000 else {
                throw SmokeError(.invalidStages, "\(at).max_calls: expected an integer from 0 to 1000")
            }
            maxCalls = Int(count)
        }
        let allowFailed = try flag(raw, "allow_failed", at: at)
        let forbid = try flag(raw, "forbid", at: at)
        let expectError = try flag(raw, "expect_error", at: at)
        if forbid, raw["min_calls"] != nil || maxCalls != nil || allowFailed || expectError {
            throw SmokeError(
                .invalidStages,
                "\(at).forbid: a forbidden tool takes no min_calls, max_calls, allow_failed or expect_error")
        }
        if expectError, allowFailed {
            throw SmokeError(.invalidStages, "\(at).expect_error: already counts failed calls only; drop allow_failed")
        }
        if let maxCalls, maxCalls < minCalls {
            throw SmokeError(.invalidStages, "\(at).max_calls: \(maxCalls) is below min_calls \(minCalls)")
        }
        return ToolExpectation(
            tool: tool, server: server, arguments: arguments, minCalls: minCalls, maxCalls: maxCalls,
            allowFailed: allowFailed, forbid: forbid, expectError: expectError)
    }

    private static func flag(_ raw: JSONValue, _ key: String, at: String) throws(SmokeError) -> Bool {
        guard let value = raw[key], !value.isNull else { return false }
        guard let flag = value.boolValue else { throw SmokeError(.invalidStages, "\(at).\(key): expected a boolean") }
        return flag
    }
}
