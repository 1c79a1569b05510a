import Foundation
import FuzzDriver
import SmokeCore

@testable import CodexKit

/// Codex JSONL events (and stderr lines, and a model request body) as codex-stage reads them,
/// split into lines by the bounded splitter in uneven chunks, then judged. Never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTranscript(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    var parser = TranscriptParser()
    var digest = StderrDigest()
    var splitter = LineSplitter(maximumLineLength: 8192)
    var offset = 0
    var step = 1
    while offset < data.count {
        let end = min(offset + step, data.count)
        Data(data[offset..<end]).withUnsafeBytes { raw in
            splitter.feed(raw) { (piece: LineSplitter.Piece) in
                switch piece {
                case .line(let line):
                    parser.consume(line: line)
                    digest.consume(line: line)
                case .part(let part, _):
                    parser.consume(line: part.prefix(200))
                }
            }
        }
        offset = end
        step = step * 3 % 97 + 1
    }
    splitter.finish { (piece: LineSplitter.Piece) in
        if case .line(let line) = piece { parser.consume(line: line) }
    }
    if let request = try? JSONValue.parse(data, source: "fuzz") { _ = OfferedTools(request: request) }
    let stage = StageDefinition(
        name: "fuzz", prompt: "p",
        expectations: [
            ToolExpectation(tool: "echo", arguments: ["text": "hi"]), ToolExpectation(tool: "grep", server: "stelae"),
        ])
    let judge = StageJudge(stage: stage, transcript: parser, stderr: digest, offered: nil, end: nil)
    _ = StageReport.make(judge: judge, transcriptPath: "t.jsonl", stderrPath: "t.stderr.log", duration: nil, extra: [:])
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzTranscript))
