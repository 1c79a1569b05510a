import Foundation

/// A strict JSON parser straight to `JSONValue`. Decoding through `Decodable` tries each case in
/// turn, which dominated the render of a large catalog (half the time of a 1,000-aggregate
/// render); this reads the bytes once. It also bounds nesting itself, so hostile input is an
/// error rather than deep recursion later on.
struct JSONParser {
    struct Failure: Error {
        var message: String
        /// Nesting past the bound (`json_too_deep`), as opposed to malformed input.
        var tooDeep = false
        var offset: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let maximumDepth: Int
    private var depth = 0
    /// Members of the objects being read, innermost last: each object is built once at its full
    /// size instead of growing (and rehashing) key by key.
    private var members: [(String, JSONValue)] = []

    private init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    static func parse(_ data: Data, maximumDepth: Int) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure> = data.withUnsafeBytes { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var parser = JSONParser(bytes: buffer, maximumDepth: maximumDepth)
            do {
                parser.skipWhitespace()
                // A UTF-8 byte order mark is tolerated, as editors write one.
                if parser.remaining >= 3, buffer[parser.index] == 0xEF, buffer[parser.index + 1] == 0xBB,
                    buffer[parser.index + 2] == 0xBF
                {
                    parser.index += 3
                    parser.skipWhitespace()
                }
                let value = try parser.parseValue()
                parser.skipWhitespace()
                guard parser.index == buffer.count else {
                    throw Failure(message: "unexpected data after the JSON value", offset: parser.index)
                }
                return .success(value)
            } catch let failure as Failure {
                return .failure(failure)
            } catch {
                return .failure(Failure(message: "\(error)", offset: parser.index))
            }
        }
        return try result.get()
    }

    private var remaining: Int { bytes.count - index }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw Failure(message: "unexpected end of input", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            throw Failure(message: "unexpected character '\(Self.describe(bytes[index]))'", offset: index)
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > maximumDepth {
            throw Failure(message: "nested deeper than \(maximumDepth) levels", tooDeep: true, offset: index)
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        let first = members.count
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw Failure(message: "expected a string key", offset: index)
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw Failure(message: "expected ':' after key \"\(key)\"", offset: index)
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw Failure(message: "unterminated object", offset: index) }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw Failure(message: "expected ',' or '}' in object", offset: index)
        }
        var object = [String: JSONValue](minimumCapacity: members.count - first)
        // A repeated key keeps its last value, as JSONSerialization does.
        for (key, value) in members[first...] { object[key] = value }
        members.removeSubrange(first...)
        depth -= 1
        return .object(object)
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw Failure(message: "unterminated array", offset: index) }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw Failure(message: "expected ',' or ']' in array", offset: index)
        }
        depth -= 1
        return .array(items)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard remaining >= count else { throw Failure(message: "unexpected end of input", offset: index) }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw Failure(message: "invalid literal", offset: index) }
        index += count
    }

    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else {
            throw Failure(message: "invalid number", offset: start)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) {
                throw Failure(message: "a number may not have a leading zero", offset: start)
            }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Failure(message: "invalid number", offset: start) }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Failure(message: "invalid number", offset: start) }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else {
            throw Failure(message: "number \(text) is out of range", offset: start)
        }
        // As JSONValue's Foundation decoding does: an integral number (1.0, 1e16) is an integer.
        if let integer = Int64(exactly: double) { return .int(integer) }
        return .double(double)
    }

    private mutating func parseString() throws(Failure) -> String {
        let start = index
        index += 1
        // Fast path: no escapes.
        var scan = index
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[index..<scan])
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw Failure(message: "invalid UTF-8 in string", offset: start)
                }
                index = scan + 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw Failure(message: "control character in string", offset: scan) }
            scan += 1
        }
        var buffer: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[index..<min(scan, bytes.count)]))
        index = scan
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw Failure(message: "invalid UTF-8 in string", offset: start)
                }
                return text
            }
            if byte < 0x20 { throw Failure(message: "control character in string", offset: index) }
            if byte != UInt8(ascii: "\\") {
                buffer.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): buffer.append(0x22)
            case UInt8(ascii: "\\"): buffer.append(0x5C)
            case UInt8(ascii: "/"): buffer.append(0x2F)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard remaining >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw Failure(message: "unpaired surrogate in \\u escape", offset: index)
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw Failure(message: "unpaired surrogate in \\u escape", offset: index)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw Failure(message: "unpaired surrogate in \\u escape", offset: index)
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw Failure(message: "invalid \\u escape", offset: index)
                }
                buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw Failure(message: "invalid escape '\\\(Self.describe(escape))'", offset: index - 2)
            }
        }
        throw Failure(message: "unterminated string", offset: start)
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard remaining >= 4 else { throw Failure(message: "truncated \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Failure(message: "invalid hex digit in \\u escape", offset: index)
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func describe(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : String(format: "\\x%02X", byte)
    }

    /// 1-based line and column of a byte offset, for messages.
    static func position(of offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
