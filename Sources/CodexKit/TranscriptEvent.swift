import SmokeCore

/// The parts of a Codex `exec --json` event this tool reads. Every field is optional and unknown
/// fields are ignored, so new Codex versions decode; a line that does not even fit this loose
/// shape is still JSON and is only skipped.
struct TranscriptEvent: Decodable {
    var type: String?
    var item: Item?
    var error: Message?
    var message: String?

    struct Message: Decodable {
        var message: String?
    }

    struct Item: Decodable {
        var id: String?
        var type: String?
        var server: String?
        var tool: String?
        var arguments: JSONValue?
        var status: String?
        var error: Message?
        var result: ToolResult?
        var text: String?
        var message: String?
    }

    struct ToolResult: Decodable {
        var content: [ContentPart]?
    }

    struct ContentPart: Decodable {
        var type: String?
        var text: String?
    }
}

extension TranscriptEvent.Message {
    init(from decoder: any Decoder) throws {
        // `error` is an object in 0.163.0; accept a bare string from other versions too.
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            message = text
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }

    private enum CodingKeys: String, CodingKey { case message }
}
