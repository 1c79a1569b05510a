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

    /// Reads one line with the package's strict reader: what `JSONValue.parse` rejects is not
    /// JSON here either.
    static func scan(_ bytes: UnsafeRawBufferPointer) -> Line {
        var reader = JSONReader(bytes)
        do throws(JSONReader.Failure) {
            guard try reader.peek() == UInt8(ascii: "{") else {
                try reader.skipValue()
                try reader.finish()
                return .otherJSON
            }
            var event = TranscriptEvent()
            try reader.forEachMember { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
                switch key {
                case "type": event.type = try reader.parseOptionalString()
                case "message": event.message = try reader.parseOptionalString()
                case "error": event.errorMessage = try reader.parseErrorMessage()
                case "item":
                    if try reader.peek() == UInt8(ascii: "{") {
                        event.item = try scanItem(&reader)
                    } else {
                        try reader.skipValue()
                    }
                default: try reader.skipValue()
                }
            }
            try reader.finish()
            return .event(event)
        } catch {
            return .notJSON
        }
    }

    private static func scanItem(_ reader: inout JSONReader) throws(JSONReader.Failure) -> Item {
        var item = Item()
        var resultRange: Range<Int>?
        try reader.forEachMember { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "id": item.id = try reader.parseOptionalString()
            case "type": item.type = try reader.parseOptionalString()
            case "server": item.server = try reader.parseOptionalString()
            case "tool": item.tool = try reader.parseOptionalString()
            case "status": item.status = try reader.parseOptionalString()
            case "text": item.text = try reader.parseOptionalString()
            case "message": item.message = try reader.parseOptionalString()
            case "arguments": item.arguments = try reader.parseValue()
            case "error": item.errorMessage = try reader.parseErrorMessage()
            case "result":
                reader.skipWhitespace()
                let start = reader.position
                try reader.skipValue()
                resultRange = start..<reader.position
            default: try reader.skipValue()
            }
        }
        // `status` follows `result` in Codex's output, so the texts are read after the fact.
        if item.status == "failed", item.errorMessage == nil, let resultRange {
            var result = JSONReader(UnsafeRawBufferPointer(rebasing: reader.bytes[resultRange]))
            item.resultTexts = try? result.parseContentTexts()
        }
        return item
    }
}

extension JSONReader {
    /// A string value, or nil for any other type (which is skipped).
    mutating func parseOptionalString() throws(Failure) -> String? {
        if try peek() == UInt8(ascii: "\"") { return try parseString() }
        try skipValue()
        return nil
    }

    /// `{"message": "..."}` → the message; a bare string → itself; null or other shapes → nil.
    mutating func parseErrorMessage() throws(Failure) -> String? {
        switch try peek() {
        case UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "{"):
            var message: String?
            try forEachMember { (reader: inout JSONReader, key: String) throws(Failure) in
                if key == "message" { message = try reader.parseOptionalString() } else { try reader.skipValue() }
            }
            return message
        default:
            try skipValue()
            return nil
        }
    }

    /// The `text` of every part of `result.content`; each text is cut (failure texts are cut
    /// anyway), the rest of it only checked.
    mutating func parseContentTexts() throws(Failure) -> [String] {
        var texts: [String] = []
        guard try peek() == UInt8(ascii: "{") else { return texts }
        try forEachMember { (reader: inout JSONReader, key: String) throws(Failure) in
            guard key == "content", try reader.peek() == UInt8(ascii: "[") else {
                try reader.skipValue()
                return
            }
            try reader.forEachElement { (reader: inout JSONReader) throws(Failure) in
                guard try reader.peek() == UInt8(ascii: "{") else {
                    try reader.skipValue()
                    return
                }
                try reader.forEachMember { (reader: inout JSONReader, key: String) throws(Failure) in
                    if key == "text", try reader.peek() == UInt8(ascii: "\"") {
                        texts.append(try reader.parseString(limit: 4 * TranscriptParser.maxErrorText))
                    } else {
                        try reader.skipValue()
                    }
                }
            }
        }
        return texts
    }
}
