import SmokeCore

/// Per stage, what the model was offered, what it called and which calls failed and why: read
/// from the stage step's answer, attached to that step in summary.json and shown as JUnit
/// properties, so "tool missing" comes with what Codex actually had in front of it.
enum StageTools {
    static func of(answer: JSONValue?) -> JSONValue? {
        guard let answer, answer["calls"] != nil || answer["offered_tools"] != nil else { return nil }
        let calls = answer["calls"]?.arrayValue ?? []
        let called = ChainText.sorted(Set(calls.compactMap { $0["tool"]?.stringValue }))
        let failed: [JSONValue] = calls.compactMap { call in
            let status = call["status"]?.stringValue
            // Not `flatMap { $0.isNull ? nil : $0 }`: that nil becomes JSONValue.null, never nil.
            let error: JSONValue? = call["error"]?.isNull == false ? call["error"] : nil
            guard status == "failed" || error != nil else { return nil }
            return [
                "tool": call["tool"] ?? .null,
                "error": error.map { .string(ChainText.show($0)) } ?? .string("status \(status ?? "unknown")"),
            ]
        }
        return [
            "offered": answer["offered_tools"] ?? .null,
            "called": .array(called.map(JSONValue.string)),
            "failed": .array(failed),
        ]
    }

    /// `<properties>` of a stage step's testcase (empty when the step has no tools).
    static func junitProperties(_ step: JSONValue) -> String {
        guard let tools = step["tools"], tools.isTruthy else { return "" }
        func join(_ value: JSONValue?) -> String {
            (value?.arrayValue ?? []).map { $0.stringValue ?? ChainText.show($0["tool"]) }.joined(separator: ",")
        }
        let properties = [
            ("offered", join(tools["offered"])), ("called", join(tools["called"])),
            (
                "failed",
                (tools["failed"]?.arrayValue ?? []).map {
                    "\(ChainText.show($0["tool"])): \(ChainText.show($0["error"]))"
                }.joined(separator: "; ")
            ),
        ]
        return "<properties>"
            + properties.map {
                "<property name=\"\($0.0)\" value=\(JUnitReport.quoteAttribute($0.1))/>"
            }.joined() + "</properties>"
    }
}
