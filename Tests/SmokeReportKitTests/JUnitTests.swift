import Foundation
import SmokeCore
import SmokeReportKit
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// junit.xml: well-formed, one testcase per step, failures typed with the step's error code.
@Suite struct JUnitTests {
    /// The testcases of a JUnit document as an XML parser reads them.
    final class Cases: NSObject, XMLParserDelegate {
        struct Case {
            var name: String
            var time: String
            var failureType: String?
            var failureMessage: String?
            var failureText = ""
            var skipped: String?
        }
        var cases: [Case] = []
        var suites: [[String: String]] = []
        private var inFailure = false

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch name {
            case "testsuites", "testsuite": suites.append(attributes)
            case "testcase": cases.append(Case(name: attributes["name"] ?? "", time: attributes["time"] ?? ""))
            case "failure":
                cases[cases.count - 1].failureType = attributes["type"]
                cases[cases.count - 1].failureMessage = attributes["message"]
                inFailure = true
            case "skipped": cases[cases.count - 1].skipped = attributes["message"]
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "failure" { inFailure = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inFailure { cases[cases.count - 1].failureText += string }
        }

        static func parse(_ document: String) throws -> Cases {
            let reader = Cases()
            let parser = XMLParser(data: Data(document.utf8))
            parser.delegate = reader
            let wellFormed = parser.parse()
            try #require(wellFormed, "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")\n\(document)")
            return reader
        }
    }

    @Test func oneTestcasePerStepWithFailureTypesAndTheStackLogForTheFirstFailure() throws {
        let fixture = try RunFixture()
        try fixture.record("clone", answer: Answers.passed(), elapsedMs: 1234)
        try fixture.record(
            "probe", answer: Answers.failed("tools_not_ready", "missing <grep> & \"echo\""), exit: 1, elapsedMs: 4785)
        try fixture.record(
            "drift", answer: Answers.failed("drift", "missing 'x'\tand \"y\"\nsecond line"), exit: 1, elapsedMs: 16)
        // A stack log with what XML cannot carry: terminal colours, a bell.
        try fixture.write("stack.log", text: "starting\n\u{1B}[31mTraceback\u{1B}[0m \u{07}<boom> & more\n")
        _ = try fixture.summary(planned: ["clone", "probe", "drift", "stop-stack"])
        let document = try String(contentsOfFile: fixture.path("junit.xml"), encoding: .utf8)
        let parsed = try Cases.parse(document)

        #expect(parsed.cases.map(\.name) == ["clone", "probe", "drift", "stop-stack"])
        #expect(parsed.cases.map(\.time) == ["1.234", "4.785", "0.016", "0.000"])
        #expect(parsed.suites.count == 2)
        for suite in parsed.suites {
            #expect(suite["tests"] == "4" && suite["failures"] == "2" && suite["skipped"] == "1")
        }
        #expect(parsed.suites.last?["time"] == "6.035")
        #expect(parsed.cases[0].failureType == nil && parsed.cases[0].skipped == nil)
        #expect(parsed.cases[1].failureType == "tools_not_ready")
        #expect(parsed.cases[1].failureMessage == "missing <grep> & \"echo\"")
        #expect(parsed.cases[1].failureText.contains("file: 02-probe.json\nstack log (last lines):\nstarting\n"))
        #expect(parsed.cases[1].failureText.contains("<boom> & more"))
        #expect(parsed.cases[2].failureType == "drift")
        #expect(
            parsed.cases[2].failureMessage == "missing 'x'\tand \"y\"\nsecond line", "attribute newlines and tabs kept")
        #expect(!parsed.cases[2].failureText.contains("stack log"), "the tail goes with the first failure only")
        #expect(parsed.cases[3].skipped == "not run: an earlier step failed")
    }

    @Test func attributesAreQuotedAsPythonsQuoteattrQuotesThem() {
        let summary: JSONValue = [
            "elapsed_ms": 2,
            "steps": [
                [
                    "step": "a", "status": "failed", "error_code": nil, "error_message": "only \"double\"", "file": nil,
                    "elapsed_ms": 1,
                ],
                ["step": "b'\"", "status": "passed", "elapsed_ms": 1],
            ],
        ]
        let document = JUnitReport.document(summary: summary)
        #expect(
            document.contains(
                #"<testcase classname="smoke" name="a" time="0.001"><failure type="failed" message='only "double"'>only "double""#
                    + "\nfile: None</failure></testcase>"))
        #expect(document.contains(#"name="b'&quot;" time="0.001"></testcase>"#))
        #expect(
            document.hasPrefix(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"smoke\" tests=\"2\" failures=\"1\" skipped=\"0\">\n"
            ))
        #expect(document.hasSuffix("</testcase>\n  </testsuite>\n</testsuites>\n"))
    }
}
