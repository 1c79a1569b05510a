import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// Hostile sizes end in bounded memory with a documented answer (peak RSS through wait4, see
/// Tests/Fixtures/Hardening/peak_rss.py). Smaller than `make reliability`'s 1 GB / 50 MB runs,
/// which write their numbers into docs/reliability.md.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BoundedResourcesTests {
    static let hardening = "\(ProjectPaths.root)/Tests/Fixtures/Hardening"
    static let mib = 1 << 20
    /// Under a sanitizer the shadow memory dominates RSS: sizes and codes are still checked.
    static let sanitized = Sanitizer.active

    struct Measured {
        var status: Int32
        var maxRSSKiB: Int
        var answer: JSONValue
    }

    static func measure(_ tool: String, _ arguments: [String], cwd: String, environment: [String: String] = [:]) throws
        -> Measured
    {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        let answer = "\(cwd)/answer-\(UUID().uuidString.prefix(6)).json"
        let run = try ChildProcess.run(
            "python3", ["\(hardening)/peak_rss.py", "--stdout", answer, "--", ProjectPaths.binary(tool)] + arguments,
            cwd: cwd, environment: env)
        let report = try JSONValue.parse(Data(run.stdout.utf8), source: "peak_rss.py")
        let json = try JSONValue.load(path: answer)
        try? FileManager.default.removeItem(atPath: answer)
        return Measured(
            status: Int32(report["status"]?.intValue ?? -1), maxRSSKiB: Int(report["max_rss_kb"]?.intValue ?? -1),
            answer: json)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? -1
    }

    /// codex-stage under a Codex flooding stdout: streamed to disk, every byte kept, memory flat.
    @Test(arguments: [false, true])
    func codexStageFloodIsStreamed(oneLine: Bool) async throws {
        try await offPool { try Self.flood(oneLine: oneLine) }
    }

    static func flood(oneLine: Bool) throws {
        let temp = try TempDirectory(prefix: "bounded-codex")
        try temp.write("stages.json", #"{"stages": [{"name": "s", "prompt": "p", "expectations": []}]}"#)
        try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
        let lines = 128 * 1024
        let width = 1024  // 128 MiB
        let run = try measure(
            "codex-stage",
            [
                "run", "--stages", "stages.json", "--name", "s", "--cd", "repo", "--mcp-url", "http://127.0.0.1:9/mcp",
                "--codex", "\(hardening)/fake_codex.sh", "--work", "work", "--timeout", "120", "--quiet",
            ],
            cwd: temp.path,
            environment: [
                "FAKE_CODEX_MODE": "flood", "FAKE_CODEX_LINES": String(lines), "FAKE_CODEX_LINE_BYTES": String(width),
                "FAKE_CODEX_NO_NEWLINE": oneLine ? "1" : "0",
            ])
        #expect(run.status == 0, "\(run.answer.encodedString())")
        // Every byte on disk: the flood (one newline at its end when it is one line) and turn.completed.
        let completed = #"{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}"#.utf8.count + 1
        let flood = oneLine ? lines * (width - 1) + 1 : lines * width
        #expect(fileSize(temp.file("work/transcripts/s.jsonl")) == flood + completed)
        #expect(run.answer["turn"] == "completed")
        if oneLine {
            // One 128 MiB line: held at most 32 MiB at a time, counted as one line that is not an event.
            #expect(run.answer["nonjson_lines"] == 1)
            #expect(sanitized || run.maxRSSKiB < 300 * 1024, "peak RSS \(run.maxRSSKiB) KiB")
        } else {
            #expect(run.answer["transcript_lines"]?.intValue == Int64(lines + 1))
            #expect(sanitized || run.maxRSSKiB < 96 * 1024, "peak RSS \(run.maxRSSKiB) KiB for a 128 MiB transcript")
        }
    }

    /// JSON nested 10,000 deep, wherever render-manifest reads JSON: a clear error, no stack overflow.
    @Test func renderManifestRefusesDeepNesting() throws {
        let temp = try TempDirectory(prefix: "bounded-render")
        let deepArray = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepObject = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        try temp.write("t.json", #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}}"#)
        try temp.write("deep-template.json", #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "x": \#(deepArray)}"#)
        try temp.write("deep-catalog.json", #"{"toolOverrides": \#(deepObject)}"#)
        try temp.write("manifest.json", #"{"schemaVersion": 1, "tools": [{"name": "grep", "server": "stelae"}]}"#)
        try temp.write("deep-live.json", #"{"tools": \#(deepArray)}"#)
        let render = ["render", "--scope", "default", "--config-home", "home", "--out-dir", "out", "--quiet"]
        for arguments in [
            render + ["--template", "deep-template.json"],
            render + ["--template", "t.json", "--catalog", "deep-catalog.json"],
            ["drift", "--manifest", "manifest.json", "--live", "deep-live.json"],
        ] {
            let run = try Self.measure("render-manifest", arguments, cwd: temp.path)
            #expect(run.status == 2, "\(arguments): \(run.answer.encodedString())")
            #expect(run.answer["error"]?["code"] == "json_too_deep", "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: temp.file("out")), "a failed render writes nothing")
        }
    }

    /// A huge string value renders (or fails clearly) in memory proportional to it, not worse.
    @Test func renderManifestHandlesAHugeString() throws {
        let temp = try TempDirectory(prefix: "bounded-render")
        let size = 8 * Self.mib
        try temp.write(
            "big.json", #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "x": "\#(String(repeating: "b", count: size))"}"#)
        try temp.write("one.json", #"{"toolOverrides": {"servers": {"s": {"tools": {"t": {}}}}}}"#)
        let run = try Self.measure(
            "render-manifest",
            [
                "render", "--template", "big.json", "--catalog", "one.json", "--scope", "default", "--config-home",
                "home",
                "--out-dir", "out", "--quiet",
            ],
            cwd: temp.path)
        #expect(run.status == 0, "\(run.answer.encodedString())")
        #expect(Self.fileSize(temp.file("out/proxy.json")) > size)
        #expect(
            Self.sanitized || run.maxRSSKiB < 25 * size / 1024 + 64 * 1024,
            "peak RSS \(run.maxRSSKiB) KiB for an 8 MiB string")
    }
}
