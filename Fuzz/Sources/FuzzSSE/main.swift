import Foundation
import FuzzDriver
import SmokeCore

@testable import ProbeKit

/// SSE streams as probe-initialize reads them: the same bytes fed whole and in uneven chunks
/// give the same events (a chunk boundary never changes what a stream means); every event's
/// data goes through JSON parsing as the probe does. Never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    var whole = SSEParser()
    let once = whole.feed(input)
    var chunked = SSEParser()
    var events: [SSEEvent] = []
    var offset = 0
    var step = 1
    while offset < input.count {
        let end = min(offset + step, input.count)
        events += chunked.feed(input[offset..<end])
        offset = end
        step = step * 5 % 31 + 1
    }
    if events != once { fatalError("chunking changed the events: \(once) vs \(events)") }
    for event in once { _ = try? JSONValue.parse(Data(event.data.utf8), source: "sse data") }
    _ = AnswerVerdict.looksLikeEventStream(input)
    _ = AnswerVerdict.preview(input)
    _ = AnswerVerdict.parseRetryAfter(String(decoding: input.prefix(64), as: UTF8.self))
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzSSE))
