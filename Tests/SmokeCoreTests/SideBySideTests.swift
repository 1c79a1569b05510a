import Foundation
import SmokeCore
import Testing

@Suite struct SideBySideTests {
    @Test func returnsBothResultsAndRunsTheSecondOnAnotherThread() {
        let caller = pthread_self()
        let (first, second) = SideBySide.run(
            { (pthread_equal(pthread_self(), caller) != 0, (1...1_000).reduce(0, +)) },
            { (pthread_equal(pthread_self(), caller) != 0, String(repeating: "x", count: 3)) })
        #expect(first.0, "the first closure runs on the caller's thread")
        #expect(!second.0, "the second closure runs on a thread of its own")
        #expect(first.1 == 500_500)
        #expect(second.1 == "xxx")
    }

    /// The JSON walks recurse once per nesting level; the second thread must hold the deepest
    /// document the parser accepts.
    @Test func theSecondThreadHoldsTheDeepestDocument() throws {
        let limit = JSONValue.defaultMaximumDepth
        let text = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        let value = try JSONValue.parse(Data(text.utf8), source: "deep")
        let (_, encoded) = SideBySide.run({ () }, { value.encoded(pretty: true) })
        #expect(try JSONValue.parse(encoded, source: "encoded") == value)
    }
}
