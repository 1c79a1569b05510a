import PortKit
import SmokeCore
import Testing

@Suite struct PortInputTests {
    @Test(arguments: [("1", 1), ("8080", 8080), (" 65535 ", 65535)])
    func validPorts(text: String, expected: Int) throws {
        #expect(try PortInput.port(text) == expected)
    }

    @Test(arguments: ["0", "65536", "-1", "abc", "", "80.5", "99999999999999999999"])
    func invalidPortsAreInvalidInput(text: String) {
        #expect {
            try PortInput.port(text)
        } throws: { error in
            (error as? SmokeError)?.code == .invalidPort && (error as? SmokeError)?.exit == .invalidInput
        }
    }

    @Test func rangesParse() throws {
        #expect(try PortInput.range("18000-24000") == 18000...24000)
        #expect(try PortInput.range("20000") == 20000...20000)
        #expect(try PortInput.range(" 1 - 2 ") == 1...2)
    }

    @Test(arguments: ["24000-18000", "0-10", "1-70000", "a-b", "1-2-3", "-", "", "10-"])
    func invalidRanges(text: String) {
        #expect {
            try PortInput.range(text)
        } throws: { error in
            (error as? SmokeError)?.code == .invalidRange
                && (error as? SmokeError)?.message.contains("'\(text)'") == true
        }
    }

    @Test func excludeListsParseSortAndDeduplicate() throws {
        #expect(try PortInput.excludeList("9091,8080,9090,8080") == [8080, 9090, 9091])
        #expect(try PortInput.excludeList("") == [])
        #expect(try PortInput.excludeList(" 1 , 2 ,") == [1, 2])
        #expect(throws: SmokeError.self) { try PortInput.excludeList("8080,http") }
        #expect(throws: SmokeError.self) { try PortInput.excludeList("0") }
    }

    @Test func seedsAndGraceAreBounded() throws {
        #expect(try PortInput.seed("0") == 0)
        #expect(try PortInput.seed("9223372036854775807") == UInt64(Int64.max))
        #expect(throws: SmokeError.self) { try PortInput.seed("9223372036854775808") }
        #expect(throws: SmokeError.self) { try PortInput.seed("-1") }
        #expect(try PortInput.graceMilliseconds("0") == .zero)
        #expect(try PortInput.graceSeconds("600") == .seconds(600))
        #expect(try PortInput.graceSeconds("0.005") == .milliseconds(5))
        #expect(throws: SmokeError.self) { try PortInput.graceSeconds("600.5") }
        #expect(throws: SmokeError.self) { try PortInput.graceSeconds("inf") }
        #expect(throws: SmokeError.self) { try PortInput.graceMilliseconds("600001") }
        #expect(throws: SmokeError.self) { try PortInput.graceMilliseconds("soon") }
    }
}
