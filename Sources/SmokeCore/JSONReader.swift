/// The one JSON reader: strict RFC 8259 over bytes, as a cursor. A caller either builds a value
/// (`parseValue`) or walks a document member by member and skips what it does not need
/// (`skipValue`), which checks the same grammar without building anything: a Codex transcript's
/// megabytes of tool results are checked, never built. So whatever one way rejects (`01`, a bad
/// escape, a lone surrogate, invalid UTF-8, nesting past `maximumDepth`) the other rejects too.
///
/// The bytes must outlive the reader. After a `Failure` the reader's position is unspecified.
public struct JSONReader {
    public struct Failure: Error, Sendable {
        public var message: String
        /// Nesting past the bound (`json_too_deep`), as opposed to malformed input.
        public var tooDeep = false
        /// The input ran out inside a value: a document cut short rather than a wrong one.
        public var endOfInput = false
        /// Byte offset into the reader's bytes.
        public var offset: Int
    }

    public let bytes: UnsafeRawBufferPointer
    public let maximumDepth: Int
    public internal(set) var position = 0
    private var depth = 0
    /// Members of the objects being built, innermost last: each object is made once at its full
    /// size instead of growing (and rehashing) key by key.
    private var members: [(String, JSONValue)] = []

    public init(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = JSONValue.defaultMaximumDepth) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The first byte of the next value (after whitespace), not consumed.
    public mutating func peek() throws(Failure) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw endOfInput("unexpected end of input") }
        return bytes[position]
    }

    /// Only whitespace may follow the value just read.
    public mutating func finish() throws(Failure) {
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected data after the JSON value") }
    }

    /// Calls `body` with each key of the object at the cursor; `body` must read or skip the value.
    public mutating func forEachMember(_ body: (inout JSONReader, String) throws(Failure) -> Void) throws(Failure) {
        guard try peek() == UInt8(ascii: "{") else { throw failure("expected an object") }
        try readObject(keys: true, body)
    }

    /// Calls `body` at each element of the array at the cursor; `body` must read or skip it.
    public mutating func forEachElement(_ body: (inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        guard try peek() == UInt8(ascii: "[") else { throw failure("expected an array") }
        try enter()
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                break
            }
            throw failure("expected ',' or ']' in array")
        }
        depth -= 1
    }

    /// Moves past the value at the cursor, checking all of it.
    public mutating func skipValue() throws(Failure) {
        switch try peek() {
        case UInt8(ascii: "{"):
            try readObject(keys: false) { (reader: inout JSONReader, _: String) throws(Failure) in
                try reader.skipValue()
            }
        case UInt8(ascii: "["):
            try forEachElement { (reader: inout JSONReader) throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "\""):
            var ignored = IgnoredString()
            try readString(into: &ignored)
        default:
            _ = try readScalar(building: false)
        }
    }

    /// Builds the value at the cursor.
    public mutating func parseValue() throws(Failure) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"):
            let first = members.count
            try readObject(keys: true) { (reader: inout JSONReader, key: String) throws(Failure) in
                let value = try reader.parseValue()
                reader.members.append((key, value))
            }
            var object = [String: JSONValue](minimumCapacity: members.count - first)
            // A repeated key keeps its last value, as JSONSerialization does.
            for (key, value) in members[first...] { object[key] = value }
            members.removeSubrange(first...)
            return .object(object)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            try forEachElement { (reader: inout JSONReader) throws(Failure) in items.append(try reader.parseValue()) }
            return .array(items)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        default:
            // Building never returns nil.
            return try readScalar(building: true) ?? .null
        }
    }

    /// The string at the cursor. With `limit`, at most that many UTF-8 bytes of it are kept (cut
    /// at a character boundary); all of it is checked.
    public mutating func parseString(limit: Int = .max) throws(Failure) -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw failure("expected a string") }
        var text = DecodedString(limit: limit)
        try readString(into: &text)
        return text.string
    }

    /// An object's members; keys are decoded only when `keys` (skipping checks them all the same).
    private mutating func readObject(keys: Bool, _ body: (inout JSONReader, String) throws(Failure) -> Void)
        throws(Failure)
    {
        try enter()
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a string key")
            }
            var key = ""
            if keys {
                key = try parseString()
            } else {
                var ignored = IgnoredString()
                try readString(into: &ignored)
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw failure(keys ? "expected ':' after key \"\(key)\"" : "expected ':' after a key")
            }
            position += 1
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                break
            }
            throw failure("expected ',' or '}' in object")
        }
        depth -= 1
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > maximumDepth {
            throw Failure(message: "nested deeper than \(maximumDepth) levels", tooDeep: true, offset: position)
        }
    }

    /// A literal or a number; its value only when `building`.
    private mutating func readScalar(building: Bool) throws(Failure) -> JSONValue? {
        switch bytes[position] {
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber(building: building)
        default: throw failure("unexpected character '\(Self.describe(bytes[position]))'")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw endOfInput("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw failure("invalid literal") }
        position += count
    }

    func failure(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(message: message, offset: offset ?? position)
    }

    /// A failure because the bytes ran out inside a value.
    func endOfInput(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(message: message, endOfInput: true, offset: offset ?? position)
    }

    static func describe(_ byte: UInt8) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        return (0x20..<0x7F).contains(byte)
            ? String(UnicodeScalar(byte))
            : "\\x" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
    }

    /// 1-based line and column of a byte offset, for messages.
    static func lineAndColumn(of offset: Int, in bytes: some Collection<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
