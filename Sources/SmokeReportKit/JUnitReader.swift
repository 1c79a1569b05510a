import SmokeCore

/// A test case of a JUnit XML report (pytest's `--junitxml`, or any runner's): what the test steps
/// count and merge into the run's junit.xml.
public struct JUnitCase: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case passed, failed, error, skipped
    }

    public var classname: String
    public var name: String
    /// The `file` attribute (pytest's xunit1 family), when present.
    public var file: String?
    public var time: Double?
    public var outcome: Outcome
    /// The failure's, error's or skip's `message` and `type` attributes and its text.
    public var message: String
    public var type: String
    public var text: String

    public init(
        classname: String, name: String, file: String? = nil, time: Double? = nil, outcome: Outcome,
        message: String = "", type: String = "", text: String = ""
    ) {
        self.classname = classname
        self.name = name
        self.file = file
        self.time = time
        self.outcome = outcome
        self.message = message
        self.type = type
        self.text = text
    }

    /// pytest reports a module that failed to import as a case with an empty classname, the
    /// module's dotted name as its name and an `<error message="collection failure">`.
    public var isCollectionError: Bool {
        outcome == .error && (message == "collection failure" || classname.isEmpty)
    }
}

/// Reads the test cases of a JUnit XML document. A small XML reader, enough for what test
/// runners write: elements, attributes, character and entity references, CDATA, comments,
/// processing instructions and a DOCTYPE (skipped). Every `<testcase>` counts, however deeply
/// its `<testsuite>`s nest; `<failure>`, `<error>` and `<skipped>` inside it decide its outcome
/// (an error wins over a failure: pytest reports a teardown error after a failure as both).
public enum JUnitReader {
    public static func cases(in text: String, source: String = "junit") throws(SmokeError) -> [JUnitCase] {
        var reader = XMLScanner(bytes: Array(text.utf8), source: source)
        return try reader.readCases()
    }

    public static func cases(atPath path: String) throws(SmokeError) -> [JUnitCase] {
        guard let bytes = RunFiles.readBytes(path) else {
            throw SmokeError(.junitUnreadable, "\(path): cannot read the JUnit report")
        }
        var reader = XMLScanner(bytes: bytes, source: path)
        return try reader.readCases()
    }
}

/// A forward-only scanner over the document's bytes that builds the test cases as it goes.
struct XMLScanner {
    let bytes: [UInt8]
    let source: String
    var index = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// The element being read, outermost first.
    private var stack: [String] = []
    private var current: JUnitCase?
    private var caseDepth = 0
    /// Text is collected only inside a testcase's failure, error or skipped element.
    private var collecting = false

    mutating func readCases() throws(SmokeError) -> [JUnitCase] {
        var cases: [JUnitCase] = []
        var sawRoot = false
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let text = try readText()
                if collecting { current?.text += text }
                continue
            }
            if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>")
                if collecting { current?.text += String(decoding: bytes[start..<(index - 3)], as: UTF8.self) }
            } else if starts(with: "<?") {
                try skip(past: "?>")
            } else if starts(with: "<!") {
                try skipDeclaration()
            } else if starts(with: "</") {
                index += 2
                let name = readName()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
                    throw malformed("'>' expected after </\(name)")
                }
                index += 1
                guard let open = stack.popLast(), open == name else {
                    throw malformed("</\(name)> closes \(stack.last.map { "<\($0)>" } ?? "nothing")")
                }
                close(name, depth: stack.count, into: &cases)
            } else {
                index += 1
                let name = readName()
                guard !name.isEmpty else { throw malformed("an element name expected after '<'") }
                let (attributes, selfClosing) = try readAttributes()
                if stack.isEmpty {
                    guard !sawRoot else { throw malformed("a second root element <\(name)>") }
                    sawRoot = true
                }
                open(name, attributes: attributes, depth: stack.count)
                if selfClosing {
                    close(name, depth: stack.count, into: &cases)
                } else {
                    stack.append(name)
                }
            }
        }
        guard stack.isEmpty else { throw malformed("<\(stack.last!)> is never closed") }
        guard sawRoot else { throw malformed("no element") }
        return cases
    }

    private mutating func open(_ name: String, attributes: [String: String], depth: Int) {
        if name == "testcase", current == nil {
            current = JUnitCase(
                classname: attributes["classname"] ?? "", name: attributes["name"] ?? "", file: attributes["file"],
                time: attributes["time"].flatMap(Double.init), outcome: .passed)
            caseDepth = depth
            return
        }
        guard current != nil, depth == caseDepth + 1 else { return }
        let outcome: JUnitCase.Outcome
        switch name {
        case "failure": outcome = .failed
        case "error": outcome = .error
        case "skipped": outcome = .skipped
        default: return
        }
        // error > failure > skipped: the worst thing that happened to the test.
        let rank: [JUnitCase.Outcome: Int] = [.passed: 0, .skipped: 1, .failed: 2, .error: 3]
        guard rank[outcome]! > rank[current!.outcome]! else { return }
        current!.outcome = outcome
        current!.message = attributes["message"] ?? ""
        current!.type = attributes["type"] ?? ""
        current!.text = ""
        collecting = true
    }

    private mutating func close(_ name: String, depth: Int, into cases: inout [JUnitCase]) {
        if name == "testcase", depth == caseDepth, let finished = current {
            cases.append(finished)
            current = nil
            collecting = false
        } else if ["failure", "error", "skipped"].contains(name), depth == caseDepth + 1 {
            collecting = false
        }
    }

    // MARK: lexing

    private func starts(with prefix: String) -> Bool {
        let utf8 = Array(prefix.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        return bytes[index..<(index + utf8.count)].elementsEqual(utf8)
    }

    private mutating func skip(past terminator: String) throws(SmokeError) {
        let utf8 = Array(terminator.utf8)
        while index + utf8.count <= bytes.count {
            if bytes[index..<(index + utf8.count)].elementsEqual(utf8) {
                index += utf8.count
                return
            }
            index += 1
        }
        throw malformed("'\(terminator)' never comes")
    }

    /// `<!DOCTYPE …>` with an internal subset in brackets.
    private mutating func skipDeclaration() throws(SmokeError) {
        var depth = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ">") where depth <= 0:
                index += 1
                return
            default: break
            }
            index += 1
        }
        throw malformed("a declaration is never closed")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"):
            return true
        default:
            return byte >= 0x80
        }
    }

    private mutating func readName() -> String {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func readAttributes() throws(SmokeError) -> ([String: String], Bool) {
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard index < bytes.count else { throw malformed("a tag is never closed") }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                return (attributes, false)
            }
            if starts(with: "/>") {
                index += 2
                return (attributes, true)
            }
            let name = readName()
            guard !name.isEmpty else { throw malformed("an attribute name expected") }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw malformed("'=' expected after \(name)")
            }
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw malformed("a quoted value expected for \(name)")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw malformed("the value of \(name) is never closed") }
            attributes[name] = try decode(bytes[start..<index])
            index += 1
        }
    }

    private mutating func readText() throws(SmokeError) -> String {
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
        return try decode(bytes[start..<index])
    }

    /// Character data with its references resolved.
    private func decode(_ slice: ArraySlice<UInt8>) throws(SmokeError) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(slice.count)
        var position = slice.startIndex
        while position < slice.endIndex {
            let byte = slice[position]
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                position += 1
                continue
            }
            guard let semicolon = slice[position...].firstIndex(of: UInt8(ascii: ";")), semicolon - position <= 12
            else {
                throw malformed("an unterminated reference")
            }
            let entity = String(decoding: slice[(position + 1)..<semicolon], as: UTF8.self)
            let named = ["lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'"]
            if let value = named[entity] {
                output.append(contentsOf: value.utf8)
            } else if entity.hasPrefix("#") {
                let digits = entity.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value) else {
                    throw malformed("a bad character reference &\(entity);")
                }
                output.append(contentsOf: String(Character(scalar)).utf8)
            } else {
                throw malformed("an unknown entity &\(entity);")
            }
            position = semicolon + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func malformed(_ what: String) -> SmokeError {
        // The line of the failure, for a person opening the file.
        let line = bytes[..<min(index, bytes.count)].count { $0 == 0x0A } + 1
        return SmokeError(.junitMalformed, "\(source): line \(line): not well-formed XML: \(what)")
    }
}
