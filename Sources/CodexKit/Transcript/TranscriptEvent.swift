import SmokeCore

/// The parts of a Codex `exec --json` event this tool reads. Unknown fields are skipped without
/// being built (tool results can be megabytes), unknown types pass through, and a field of an
/// unexpected type reads as absent, so new Codex versions still decode.
struct TranscriptEvent {
    var type: String?
    var item: Item?
    /// `error.message` (turn.failed) — or `error` itself when a version prints a bare string.
    var errorMessage: String?
    var message: String?

    struct Item {
        var id: String?
        var type: String?
        var server: String?
        var tool: String?
        var arguments: JSONValue?
        var status: String?
        var errorMessage: String?
        /// Texts of `result.content`, read only for a failed call without `error.message`.
        var resultTexts: [String]?
        var text: String?
        var message: String?
    }

    enum Line {
        case event(TranscriptEvent)
        /// Valid JSON that is not an object (tolerated, not an event).
        case otherJSON
        case notJSON
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) -> Line {
        var scanner = JSONScanner(bytes)
        do {
            guard try scanner.peek() == UInt8(ascii: "{") else {
                try scanner.skipValue()
                scanner.skipWhitespace()
                return scanner.atEnd ? .otherJSON : .notJSON
            }
            var event = TranscriptEvent()
            try scanner.forEachMember { (scanner: inout JSONScanner, key: String) throws(JSONScanner.Malformed) in
                switch key {
                case "type": event.type = try scanner.parseOptionalString()
                case "message": event.message = try scanner.parseOptionalString()
                case "error": event.errorMessage = try scanner.parseErrorMessage()
                case "item":
                    if try scanner.peek() == UInt8(ascii: "{") { event.item = try scanItem(&scanner) } else { try scanner.skipValue() }
                default: try scanner.skipValue()
                }
            }
            scanner.skipWhitespace()
            return scanner.atEnd ? .event(event) : .notJSON
        } catch {
            return .notJSON
        }
    }

    private static func scanItem(_ scanner: inout JSONScanner) throws(JSONScanner.Malformed) -> Item {
        var item = Item()
        var resultRange: Range<Int>?
        try scanner.forEachMember(depth: 1) { (scanner: inout JSONScanner, key: String) throws(JSONScanner.Malformed) in
            switch key {
            case "id": item.id = try scanner.parseOptionalString()
            case "type": item.type = try scanner.parseOptionalString()
            case "server": item.server = try scanner.parseOptionalString()
            case "tool": item.tool = try scanner.parseOptionalString()
            case "status": item.status = try scanner.parseOptionalString()
            case "text": item.text = try scanner.parseOptionalString()
            case "message": item.message = try scanner.parseOptionalString()
            case "arguments": item.arguments = try scanner.parseValue(depth: 2)
            case "error": item.errorMessage = try scanner.parseErrorMessage()
            case "result":
                scanner.skipWhitespace()
                let start = scanner.position
                try scanner.skipValue(depth: 2)
                resultRange = start..<scanner.position
            default: try scanner.skipValue(depth: 2)
            }
        }
        // `status` follows `result` in Codex's output, so the texts are read after the fact.
        if item.status == "failed", item.errorMessage == nil, let resultRange {
            var result = JSONScanner(UnsafeRawBufferPointer(rebasing: scanner.bytes[resultRange]))
            item.resultTexts = try? result.parseContentTexts()
        }
        return item
    }
}

extension JSONScanner {
    /// `{"message": "..."}` → the message; a bare string → itself; null or other shapes → nil.
    mutating func parseErrorMessage() throws(Malformed) -> String? {
        switch try peek() {
        case UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "{"):
            var message: String?
            try forEachMember(depth: 2) { (scanner: inout JSONScanner, key: String) throws(Malformed) in
                if key == "message" { message = try scanner.parseOptionalString() } else { try scanner.skipValue(depth: 3) }
            }
            return message
        default:
            try skipValue(depth: 2)
            return nil
        }
    }

    /// The `text` of every part of `result.content`.
    mutating func parseContentTexts() throws(Malformed) -> [String] {
        var texts: [String] = []
        guard try peek() == UInt8(ascii: "{") else { return texts }
        try forEachMember(depth: 2) { (scanner: inout JSONScanner, key: String) throws(Malformed) in
            guard key == "content", try scanner.peek() == UInt8(ascii: "[") else { try scanner.skipValue(depth: 3); return }
            try scanner.forEachElement(depth: 3) { (scanner: inout JSONScanner) throws(Malformed) in
                guard try scanner.peek() == UInt8(ascii: "{") else { try scanner.skipValue(depth: 4); return }
                try scanner.forEachMember(depth: 4) { (scanner: inout JSONScanner, key: String) throws(Malformed) in
                    if key == "text", try scanner.peek() == UInt8(ascii: "\"") {
                        texts.append(try scanner.parseString(limit: 4 * TranscriptParser.maxErrorText))
                    } else {
                        try scanner.skipValue(depth: 5)
                    }
                }
            }
        }
        return texts
    }
}
