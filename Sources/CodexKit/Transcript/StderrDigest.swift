import Foundation

/// What Codex's stderr tells about a stage, read line by line: tools it could not route
/// (`unsupported call: mcp__<server><tool>`), a required MCP server that failed to start, and
/// the lines codex-stage itself appended about how the run ended.
public struct StderrDigest: Sendable {
    public static let marker = "[codex-stage] "
    static let maxKept = 20

    public private(set) var lines = 0
    public private(set) var unsupportedCalls: [String] = []
    public private(set) var mcpStartupFailure: String?
    public private(set) var recordedEnd: RunEnd?
    public private(set) var lastLines: [String] = []

    public init() {}

    public mutating func consume(line: Data) {
        consume(line: String(decoding: line, as: UTF8.self))
    }

    public mutating func consume(line raw: String) {
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { return }
        lines += 1
        if line.hasPrefix(Self.marker) {
            if let end = RunEnd(marker: String(line.dropFirst(Self.marker.count))) { recordedEnd = end }
            return
        }
        if lastLines.count == Self.maxKept { lastLines.removeFirst() }
        lastLines.append(String(line.prefix(1000)))
        if let range = line.range(of: "unsupported call: ") {
            let call = line[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            if !call.isEmpty, !unsupportedCalls.contains(call), unsupportedCalls.count < Self.maxKept {
                unsupportedCalls.append(call)
            }
        }
        if mcpStartupFailure == nil, let range = line.range(of: "required MCP servers failed to initialize") {
            mcpStartupFailure = String(line[range.lowerBound...].prefix(2000))
        }
    }

    /// The `unsupported call` entries that name `tool` (Codex prints namespace and tool run together).
    public func unsupportedCalls(naming tool: String) -> [String] {
        unsupportedCalls.filter { $0.hasSuffix(tool) }
    }
}
