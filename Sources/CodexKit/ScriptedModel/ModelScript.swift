import Foundation
import SmokeCore

/// What the scripted model answers, one step per request Codex sends. Requests past the last
/// step get the final assistant message, so retries end the turn instead of looping.
///
/// File form: `{"steps": [{"calls": [{"tool", "server"?, "arguments"?, "namespace"?}]},
/// {"message": "done"}, {"fault": "hang_before_headers" | "hang_after_headers" | "http_error",
/// "status"?: 500, "body"?: "..."}]}`.
public struct ModelScript: Sendable, Equatable {
    public struct Call: Sendable, Equatable {
        public var tool: String
        /// The Responses-API namespace; MCP tools live in `mcp__<server>`.
        public var namespace: String
        public var arguments: JSONValue

        public init(tool: String, namespace: String, arguments: JSONValue = [:]) {
            self.tool = tool
            self.namespace = namespace
            self.arguments = arguments
        }
    }

    public enum Step: Sendable, Equatable {
        case calls([Call])
        case message(String)
        /// Accepts the request and never answers, not even headers: Codex then waits silently.
        case hangBeforeHeaders
        /// Sends `200` headers and then nothing: Codex's idle timeout and retries take over.
        case hangAfterHeaders
        case httpError(status: Int, body: String)
    }

    public static let finalMessage = "done"
    public var steps: [Step]

    public init(steps: [Step]) { self.steps = steps }

    /// The default script: call every expected tool of the stage (`min_calls` times, with the
    /// expectation's arguments) in one response, then end with a message. A forbidden tool is
    /// not called (a script file can call it, to show the judge catching it).
    public static func calling(_ stage: StageDefinition, defaultServer: String) -> ModelScript {
        var calls: [Call] = []
        for expectation in stage.expectations where !expectation.forbid {
            let call = Call(
                tool: expectation.tool, namespace: "mcp__\(expectation.server ?? defaultServer)",
                arguments: expectation.arguments ?? [:])
            calls += Array(repeating: call, count: expectation.minCalls)
        }
        return ModelScript(steps: [.calls(calls), .message(finalMessage)])
    }

    public func step(at index: Int) -> Step {
        index < steps.count ? steps[index] : .message(Self.finalMessage)
    }

    public static func load(path: String, defaultServer: String) throws(SmokeError) -> ModelScript {
        try parse(try JSONValue.load(path: path), source: path, defaultServer: defaultServer)
    }

    public static func parse(_ document: JSONValue, source: String, defaultServer: String) throws(SmokeError)
        -> ModelScript
    {
        guard let rawSteps = document["steps"]?.arrayValue else {
            throw SmokeError(.invalidScript, "\(source): expected an object with a \"steps\" array")
        }
        var steps: [Step] = []
        for (index, raw) in rawSteps.enumerated() {
            let at = "\(source): steps[\(index)]"
            if let calls = raw["calls"]?.arrayValue {
                var parsed: [Call] = []
                for (position, call) in calls.enumerated() {
                    guard let tool = call["tool"]?.stringValue else {
                        throw SmokeError(.invalidScript, "\(at).calls[\(position)].tool: expected a string")
                    }
                    let server = call["server"]?.stringValue ?? defaultServer
                    let arguments = call["arguments"] ?? [:]
                    parsed.append(
                        Call(
                            tool: tool, namespace: call["namespace"]?.stringValue ?? "mcp__\(server)",
                            arguments: arguments))
                }
                steps.append(.calls(parsed))
            } else if let message = raw["message"]?.stringValue {
                steps.append(.message(message))
            } else if let fault = raw["fault"]?.stringValue {
                switch fault {
                case "hang_before_headers": steps.append(.hangBeforeHeaders)
                case "hang_after_headers": steps.append(.hangAfterHeaders)
                case "http_error":
                    let status = Int(raw["status"]?.intValue ?? 500)
                    guard (400...599).contains(status) else {
                        throw SmokeError(.invalidScript, "\(at).status: expected an HTTP error status (400-599)")
                    }
                    steps.append(
                        .httpError(
                            status: status,
                            body: raw["body"]?.stringValue ?? "{\"error\":{\"message\":\"scripted failure\"}}"))
                default:
                    throw SmokeError(
                        .invalidScript,
                        "\(at).fault: unknown fault '\(fault)' (hang_before_headers, hang_after_headers, http_error)")
                }
            } else {
                throw SmokeError(.invalidScript, "\(at): expected \"calls\", \"message\" or \"fault\"")
            }
        }
        return ModelScript(steps: steps)
    }

    /// The SSE body of a successful response for `step` (`response.output_item.done` items, then
    /// `response.completed`). `requestIndex` keeps call ids unique across requests.
    static func eventStream(calls: [Call], message: String?, requestIndex: Int) -> Data {
        var events: [(String, JSONValue)] = []
        for (index, call) in calls.enumerated() {
            let item: JSONValue = [
                "type": "function_call", "call_id": .string("call_\(requestIndex)_\(index)"),
                "name": .string(call.tool),
                "namespace": .string(call.namespace), "arguments": .string(call.arguments.encodedString()),
            ]
            events.append(("response.output_item.done", ["type": "response.output_item.done", "item": item]))
        }
        if let message {
            let item: JSONValue = [
                "type": "message", "role": "assistant", "content": [["type": "output_text", "text": .string(message)]],
            ]
            events.append(("response.output_item.done", ["type": "response.output_item.done", "item": item]))
        }
        events.append(
            ("response.completed", ["type": "response.completed", "response": ["id": .string("resp_\(requestIndex)")]]))
        var body = Data()
        for (type, data) in events {
            body.append(Data("event: \(type)\ndata: ".utf8))
            body.append(data.encoded())
            body.append(Data("\n\n".utf8))
        }
        return body
    }
}
