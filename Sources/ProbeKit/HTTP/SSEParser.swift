import Foundation

/// One server-sent event as the WHATWG event-stream rules define it.
public struct SSEEvent: Sendable, Equatable {
    public var type: String
    public var data: String
    public var id: String?

    public init(type: String, data: String, id: String?) {
        self.type = type
        self.data = data
        self.id = id
    }
}

/// Incremental text/event-stream parser: feed bytes as they arrive, get the completed events.
/// Lines end in CRLF, LF or CR (a CR at the end of one chunk and LF at the start of the next is
/// one line end); `:` lines are comments; data lines join with "\n"; an event is dispatched only
/// at a blank line, so a stream that ends mid-event leaves it in `pendingEvent`.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var skipNextLF = false
    private var atStreamStart = true
    private var eventType = ""
    private var dataLines: [String] = []
    private var hasData = false
    private var lastEventID: String?
    /// Fields seen since the last dispatch (for diagnostics of a truncated stream).
    public private(set) var pendingEvent = false
    public private(set) var commentCount = 0

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if skipNextLF {
                skipNextLF = false
                if byte == 0x0A { continue }
            }
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0D { skipNextLF = true }
                if let event = processLine() { events.append(event) }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func processLine() -> SSEEvent? {
        var text = String(decoding: line, as: UTF8.self)
        if atStreamStart {
            atStreamStart = false
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        }
        if text.isEmpty { return dispatch() }
        if text.hasPrefix(":") {
            commentCount += 1
            return nil
        }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        pendingEvent = true
        switch field {
        case "event": eventType = String(value)
        case "data":
            dataLines.append(String(value))
            hasData = true
        case "id" where !value.contains("\u{0}"): lastEventID = String(value)
        default: break  // `retry` and unknown fields do not matter to a one-shot reader.
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventType = ""
            dataLines = []
            hasData = false
            pendingEvent = false
        }
        guard hasData else { return nil }
        return SSEEvent(
            type: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"), id: lastEventID)
    }
}
