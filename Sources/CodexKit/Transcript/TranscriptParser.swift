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
        line.withUnsafeBytes { consume(bytes: $0) }
    }

    public mutating func consume(bytes line: UnsafeRawBufferPointer) {
        // Trailing CR or blank lines from wrappers are not events and not garbage either.
        var end = line.count
        while end > 0, line[end - 1] == 0x0D || line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        guard end > 0 else { return }
        let slice = UnsafeRawBufferPointer(rebasing: line[0..<end])
        lines += 1
        switch TranscriptEvent.scan(slice) {
        case .event(let event): apply(event)
        case .otherJSON: break  // valid JSON of an unexpected shape: tolerated, not garbage
        case .notJSON:
            nonJSONLines += 1
            if nonJSONSamples.count < Self.maxSamples {
                nonJSONSamples.append(
                    String(decoding: UnsafeRawBufferPointer(rebasing: slice[0..<min(200, slice.count)]), as: UTF8.self))
            }
        }
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
        case "turn.failed": turnFailure = event.errorMessage ?? event.message ?? "turn.failed without a message"
        case "error":
            errorEvents += 1
            lastErrorEvent = event.message ?? event.errorMessage
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
        if let message = item.errorMessage { return String(message.prefix(maxErrorText)) }
        guard item.status == "failed" else { return nil }
        let texts = item.resultTexts ?? []
        let joined = texts.joined(separator: "\n")
        return joined.isEmpty ? "call failed without an error text" : String(joined.prefix(maxErrorText))
    }
}
