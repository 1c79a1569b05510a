import Foundation
import SmokeCore

/// Reads a Codex JSONL transcript one line at a time and keeps only what judging needs (calls,
/// turn outcome, counters), so memory stays flat however long the transcript is.
public struct TranscriptParser: Sendable {
    /// Failure texts are cut to this many characters; the transcript on disk keeps them whole.
    public static let maxErrorText = 4000
    static let maxSamples = 5

    public private(set) var lines = 0
    public private(set) var nonJSONLines = 0
    public private(set) var nonJSONSamples: [String] = []
    public private(set) var threadStarted = false
    public private(set) var turnStarted = false
    public private(set) var turnCompleted = false
    public private(set) var turnFailure: String?
    /// Top-level `error` events ("Reconnecting... 1/5") and `error` items (non-fatal warnings).
    public private(set) var errorEvents = 0
    public private(set) var lastErrorEvent: String?
    public private(set) var lastAgentMessage: String?
    public private(set) var lastEventType: String?
    private var callOrder: [String] = []
    private var callsByID: [String: ToolCall] = [:]

    public init() {}

    public var calls: [ToolCall] { callOrder.compactMap { callsByID[$0] } }
    /// A turn ended either way: anything else means Codex stopped (or was stopped) mid-turn.
    public var turnEnded: Bool { turnCompleted || turnFailure != nil }

    public mutating func consume(line: Data) {
        // Trailing CR or blank lines from wrappers are not events and not garbage either.
        var slice = line[...]
        while let last = slice.last, last == 0x0D || last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        guard !slice.isEmpty else { return }
        lines += 1
        let first = slice.first { $0 != 0x20 && $0 != 0x09 }
        guard first == UInt8(ascii: "{"), let event = try? JSONDecoder().decode(TranscriptEvent.self, from: Data(slice)) else {
            if first == UInt8(ascii: "[") || first == UInt8(ascii: "\""), (try? JSONDecoder().decode(JSONValue.self, from: Data(slice))) != nil {
                return  // valid JSON of an unexpected shape: tolerated, not counted as garbage
            }
            nonJSONLines += 1
            if nonJSONSamples.count < Self.maxSamples {
                nonJSONSamples.append(String(String(decoding: slice.prefix(200), as: UTF8.self)))
            }
            return
        }
        apply(event)
    }

    public mutating func consume(line: String) {
        consume(line: Data(line.utf8))
    }

    mutating func apply(_ event: TranscriptEvent) {
        lastEventType = event.type ?? lastEventType
        switch event.type {
        case "thread.started": threadStarted = true
        case "turn.started": turnStarted = true
        case "turn.completed": turnCompleted = true
        case "turn.failed": turnFailure = event.error?.message ?? event.message ?? "turn.failed without a message"
        case "error":
            errorEvents += 1
            lastErrorEvent = event.message ?? event.error?.message
        case "item.started", "item.updated", "item.completed":
            if let item = event.item { apply(item) }
        default:
            break  // unknown event types appear between Codex versions
        }
    }

    mutating func apply(_ item: TranscriptEvent.Item) {
        switch item.type {
        case "mcp_tool_call":
            guard let id = item.id else { return }
            if callsByID[id] == nil { callOrder.append(id) }
            callsByID[id] = ToolCall(
                id: id, server: item.server, tool: item.tool, status: item.status,
                arguments: item.arguments ?? .null, error: Self.failureText(item))
        case "agent_message":
            lastAgentMessage = item.text.map { String($0.prefix(Self.maxErrorText)) }
        case "error":
            errorEvents += 1
            lastErrorEvent = item.message ?? item.text
        default:
            break
        }
    }

    /// `error.message` when Codex set it; otherwise, for a failed call, the text the server put
    /// in `result.content` (an MCP `isError` result carries its reason there).
    static func failureText(_ item: TranscriptEvent.Item) -> String? {
        if let message = item.error?.message { return String(message.prefix(maxErrorText)) }
        guard item.status == "failed" else { return nil }
        let texts = (item.result?.content ?? []).compactMap(\.text)
        let joined = texts.joined(separator: "\n")
        return joined.isEmpty ? "call failed without an error text" : String(joined.prefix(maxErrorText))
    }
}
