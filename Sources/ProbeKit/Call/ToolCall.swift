import Foundation
import SmokeCore

/// `--call NAME [--args JSON|@file] [--expect-error]`: one `tools/call` once the server is ready.
public struct ToolCall: Sendable, Equatable {
    public var name: String
    /// Always an object (`{}` without `--args`).
    public var arguments: JSONValue
    /// The call must fail (`isError: true` or a JSON-RPC error): the verdict is inverted.
    public var expectError: Bool

    public init(name: String, arguments: JSONValue = [:], expectError: Bool = false) {
        self.name = name
        self.arguments = arguments
        self.expectError = expectError
    }

    /// Reads `--args`: a JSON object given inline, or `@PATH` to read it from a file.
    public static func parseArguments(_ text: String?) throws(SmokeError) -> JSONValue {
        guard let text else { return [:] }
        let json: JSONValue
        if text.hasPrefix("@") {
            json = try JSONValue.load(path: String(text.dropFirst()))
        } else {
            json = try JSONValue.parse(Data(text.utf8), source: "--args")
        }
        guard json.objectValue != nil else {
            throw SmokeError(
                .invalidArgument, "--args: tools/call arguments must be a JSON object, found \(json.typeName)",
                hint: "e.g. --args '{\"query\": \"x\"}' or --args @args.json")
        }
        return json
    }
}
