import CodexKit
import SmokeCore

/// `smoke-report emit`: the answer of a step the chain performs itself (start-stack, stop-stack).
public struct EmitRequest: Sendable {
    public var out: String
    public var step: String
    public var ok: Bool
    public var elapsedMs: Int
    public var code: String
    public var message: String
    public var hint: String?
    public var fields: [String: JSONValue]

    public init(
        out: String, step: String, ok: Bool, elapsedMs: Int = 0, code: String = "failed", message: String = "",
        hint: String? = nil, fields: [String: JSONValue] = [:]
    ) {
        self.out = out
        self.step = step
        self.ok = ok
        self.elapsedMs = elapsedMs
        self.code = code
        self.message = message
        self.hint = hint
        self.fields = fields
    }
}

/// `smoke-report offered`: the tools Codex put in front of the model in a stage, against the manifest.
public struct OfferedRequest: Sendable {
    public var stage: String
    /// The stage step's answer (codex-stage's JSON, with `offered_tools`).
    public var stageJSON: String
    public var manifest: String
    /// `scripted` or `real`: a real model's request is not observed, so nothing is known to judge.
    public var model: String
    public var out: String
    /// The live `tools/list` the probe saw (tools.json): joined with what Codex offered.
    public var served: String?
    /// The stack's key in Codex's config (it names the tools' namespace).
    public var serverName: String

    public init(
        stage: String, stageJSON: String, manifest: String, model: String = "scripted", out: String,
        served: String? = nil, serverName: String = "stelae"
    ) {
        self.stage = stage
        self.stageJSON = stageJSON
        self.manifest = manifest
        self.model = model
        self.out = out
        self.served = served
        self.serverName = serverName
    }
}

/// The answers of the steps that are not a tool's own: the chain writes them with these.
public enum ChainSteps {
    /// A step's answer: its fields (`step` first among them) under the common keys, ok exactly
    /// when there is no error. The chain's codes are data here, not `ErrorCode`s: some are
    /// relayed from other steps' files, some come from scripts/smoke (docs/smoke.md).
    static func answer(elapsedMs: Int64?, error: JSONValue?, fields: [String: JSONValue]) -> [String: JSONValue] {
        // `if case` rather than `== nil`: JSONValue is ExpressibleByNilLiteral, so a bare nil can mean `.null`.
        let ok = if case .none = error { true } else { false }
        return Envelope.object(
            tool: RunFiles.chainTool, ok: ok, elapsedMs: elapsedMs.map(JSONValue.int), error: error, fields: fields)
    }

    public static func emitDocument(_ request: EmitRequest) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["step": .string(request.step)]
        fields.merge(request.fields) { _, new in new }
        let hint = request.hint.flatMap { $0.isEmpty ? nil : $0 }
        var error: JSONValue?
        if !request.ok { error = Envelope.error(code: request.code, message: request.message, hint: hint) }
        return answer(elapsedMs: Int64(request.elapsedMs), error: error, fields: fields)
    }

    public static func emit(_ request: EmitRequest) throws(SmokeError) -> ReportOutput {
        // Its fields may quote a command line (start-stack's PROXY_CMD): no secret value in the file.
        try RunFiles.write(Redactor.shared.redact(.object(emitDocument(request))), to: request.out)
        return ReportOutput()
    }

    // MARK: ports

    /// The ports step (Stelae mode): render-manifest's own findings of literal ports, red when it
    /// marked one fatal (a port clients would call instead of the stack's).
    public static func portsDocument(render: JSONValue?) -> [String: JSONValue] {
        let answer = render?.objectValue ?? [:]
        let findings = answer["hardcoded_ports"].flatMap { $0.isTruthy ? $0.arrayValue : nil } ?? []
        let fatal = findings.filter { $0["fatal"]?.isTruthy ?? false }
        let fields: [String: JSONValue] = ["step": "ports", "hardcoded_ports": .array(findings)]
        var error: JSONValue?
        if !fatal.isEmpty {
            let message = fatal.map { finding in
                "\(ChainText.show(finding["file"])): \(ChainText.show(finding["json_path"])) is "
                    + "\"\(ChainText.show(finding["value"]))\": clients call port \(ChainText.show(finding["port"])), "
                    + "not the stack's \(ChainText.show(answer["port"]))"
            }
            error = Envelope.error(code: ErrorCode.hardcodedPort.rawValue, message: message.joined(separator: "; "))
        }
        return Self.answer(elapsedMs: nil, error: error, fields: fields)
    }

    public static func ports(render: String, out: String) throws(SmokeError) -> ReportOutput {
        let document = portsDocument(render: RunFiles.load(render))
        try RunFiles.write(.object(document), to: out)
        return ReportOutput(exit: document["ok"] == true ? 0 : 1)
    }

    // MARK: offered

    /// The curated tool names of a manifest (`{"tools": [{"name": …}]}`), sorted.
    public static func curatedNames(_ manifest: JSONValue?) -> [String] {
        let tools = manifest?["tools"]?.arrayValue ?? []
        return ChainText.sorted(Set(tools.compactMap { $0["name"]?.stringValue }))
    }

    /// What Codex offered in a stage, read from the stage's answer: nil when the answer has no
    /// `offered_tools` list (Codex never asked the model). Per server as CodexKit saved it
    /// (`offered_by_server`); a flat list may also spell a tool `mcp__<server>__<tool>`.
    public static func offeredTools(stageAnswer: JSONValue?) -> OfferedTools? {
        guard case .array(let flat)? = stageAnswer?["offered_tools"] else { return nil }
        if let byServer = stageAnswer?["offered_by_server"], byServer.objectValue != nil,
            let offered = OfferedTools(json: ["servers": byServer])
        {
            return offered
        }
        var byServer: [String: [String]] = [:]
        for item in flat {
            guard let name = (item.objectValue != nil ? item["name"] : item)?.stringValue else { continue }
            var server = ""
            var tool = name
            if name.hasPrefix("mcp__") {
                let parts = name.split(separator: "__", omittingEmptySubsequences: false).map(String.init)
                tool = parts.last ?? name
                if parts.count > 2 { server = parts[1] }
            }
            byServer[server, default: []].append(tool)
        }
        return OfferedTools(byServer: byServer)
    }

    public static func offeredDocument(
        _ request: OfferedRequest, manifest: JSONValue?, stageAnswer: JSONValue?, elapsedMs: Int64,
        served: JSONValue? = nil
    ) -> [String: JSONValue] {
        let curated = curatedNames(manifest?.isTruthy == true ? manifest : nil)
        var document: [String: JSONValue] = ["step": .string("offered-\(request.stage)")]
        document["stage"] = .string(request.stage)
        document["curated"] = .array(curated.map(JSONValue.string))
        document["manifest"] = .string(request.manifest)
        guard let offered = offeredTools(stageAnswer: stageAnswer) else {
            if request.model == "real" {
                document["offered"] = .null
                document["missing"] = []
                document["checked"] = false
                document["note"] = "a real model's request is not observed; offered_tools is unknown"
                return answer(elapsedMs: elapsedMs, error: nil, fields: document)
            }
            let error = Envelope.error(
                code: "offered_tools_unknown",
                message: "\(request.stageJSON) has no offered_tools list (did the stage start Codex?)")
            return answer(elapsedMs: elapsedMs, error: error, fields: document)
        }
        let names = ChainText.sorted(offered.allTools)
        var missing = curated.filter { !offered.offers(tool: $0, server: nil) }
        document["offered"] = .array(names.map(JSONValue.string))
        document["checked"] = true
        var comparison: ServedVsOffered?
        if let served, let path = request.served {
            do {
                comparison = try ServedVsOffered.compare(
                    served: served, source: path, offered: offered, serverName: request.serverName)
            } catch {
                document["served_error"] = error.json
            }
        }
        if let comparison {
            document.merge(comparison.fields) { _, new in new }
            // A curated tool offered under another name is offered.
            let renamedFrom = Set(comparison.renamed.map(\.served))
            missing = missing.filter { !renamedFrom.contains($0) }
            // A curated tool the stack served and Codex dropped: the client hid it.
            let hidden = comparison.hidden.filter { missing.contains($0.tool) }
            if !hidden.isEmpty {
                document["missing"] = .array(missing.map(JSONValue.string))
                let error = Envelope.error(
                    code: "hidden_by_client",
                    message: "stage '\(request.stage)': Codex hid the curated tool(s) the stack served: "
                        + hidden.map { "\($0.tool) (\($0.reason))" }.joined(separator: "; "),
                    hint: "render-manifest lint --live tools.json predicts this before a stage runs")
                return answer(elapsedMs: elapsedMs, error: error, fields: document)
            }
        }
        document["missing"] = .array(missing.map(JSONValue.string))
        var error: JSONValue?
        if !missing.isEmpty {
            error = Envelope.error(
                code: "tool_not_offered",
                message:
                    "Codex did not offer the curated tool(s) \(missing.joined(separator: ", ")) to the model in stage "
                    + "'\(request.stage)' (offered: \(names.isEmpty ? "none" : names.joined(separator: ", ")))",
                hint:
                    "Codex saw a different tool list than the manifest: stale manifest, server dropped or namespace changed"
            )
        }
        return answer(elapsedMs: elapsedMs, error: error, fields: document)
    }

    public static func offered(_ request: OfferedRequest) throws(SmokeError) -> ReportOutput {
        let started = ContinuousClock.now
        let manifest = RunFiles.load(request.manifest)
        let stageAnswer = RunFiles.load(request.stageJSON)
        let served = request.served.flatMap(RunFiles.load)
        let document = offeredDocument(
            request, manifest: manifest, stageAnswer: stageAnswer,
            elapsedMs: (ContinuousClock.now - started).milliseconds,
            served: served)
        try RunFiles.write(.object(document), to: request.out)
        return ReportOutput(exit: document["ok"] == true ? 0 : 1)
    }
}
