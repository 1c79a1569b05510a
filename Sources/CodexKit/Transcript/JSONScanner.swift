import Foundation
import SmokeCore

/// A small JSON reader over bytes that can skip a value without building it. Transcript lines
/// carry tool results of up to megabytes that judging never looks at; skipping them is what
/// keeps `check` on a 100 MB transcript fast. Malformed input throws `Malformed`.
struct JSONScanner {
    struct Malformed: Error {}

    static let maxDepth = 256
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func peek() throws(Malformed) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw Malformed() }
        return bytes[position]
    }

    mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard try peek() == byte else { throw Malformed() }
        position += 1
    }

    /// Iterates an object's members; `member` must consume (parse or skip) each value.
    mutating func forEachMember(depth: Int = 0, _ member: (inout JSONScanner, String) throws(Malformed) -> Void) throws(Malformed) {
        guard depth < Self.maxDepth else { throw Malformed() }
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { position += 1; return }
        while true {
            let key = try parseString()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            let next = try peek()
            position += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Malformed() }
        }
    }

    /// Reads a string value. With `limit`, at most about that many bytes are decoded (failure
    /// texts are cut anyway) and the rest is skipped.
    mutating func parseString(limit: Int = .max) throws(Malformed) -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        try skipStringBody(from: start)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)])
        let kept = UnsafeRawBufferPointer(rebasing: raw[0..<min(raw.count, limit)])
        let hasEscape = kept.baseAddress.map { memchr($0, 0x5C, kept.count) != nil } ?? false
        return hasEscape ? try Self.unescape(kept) : String(decoding: kept, as: UTF8.self)
    }

    mutating func skipString() throws(Malformed) {
        try expect(UInt8(ascii: "\""))
        try skipStringBody(from: position)
    }

    /// Moves past the closing quote of a string whose body starts at `start`. memchr finds each
    /// quote; a quote preceded by an odd number of backslashes is escaped.
    private mutating func skipStringBody(from start: Int) throws(Malformed) {
        guard let base = bytes.baseAddress else { throw Malformed() }
        while position < bytes.count {
            guard let found = memchr(base + position, 0x22, bytes.count - position) else { throw Malformed() }
            let quote = base.distance(to: UnsafeRawPointer(found))
            var backslashes = 0
            var index = quote - 1
            while index >= start, bytes[index] == 0x5C { backslashes += 1; index -= 1 }
            position = quote + 1
            if backslashes % 2 == 0 { return }
        }
        throw Malformed()
    }

    mutating func skipValue(depth: Int = 0) throws(Malformed) {
        guard depth < Self.maxDepth else { throw Malformed() }
        switch try peek() {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"):
            try forEachMember(depth: depth) { (scanner: inout JSONScanner, _: String) throws(Malformed) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try forEachElement(depth: depth) { (scanner: inout JSONScanner) throws(Malformed) in try scanner.skipValue(depth: depth + 1) }
        default: _ = try parseScalar()
        }
    }

    mutating func forEachElement(depth: Int = 0, _ element: (inout JSONScanner) throws(Malformed) -> Void) throws(Malformed) {
        guard depth < Self.maxDepth else { throw Malformed() }
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") { position += 1; return }
        while true {
            try element(&self)
            let next = try peek()
            position += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw Malformed() }
        }
    }

    mutating func parseValue(depth: Int = 0) throws(Malformed) -> JSONValue {
        guard depth < Self.maxDepth else { throw Malformed() }
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"):
            var object: [String: JSONValue] = [:]
            try forEachMember(depth: depth) { (scanner: inout JSONScanner, key: String) throws(Malformed) in
                object[key] = try scanner.parseValue(depth: depth + 1)
            }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try forEachElement(depth: depth) { (scanner: inout JSONScanner) throws(Malformed) in array.append(try scanner.parseValue(depth: depth + 1)) }
            return .array(array)
        default: return try parseScalar()
        }
    }

    /// A string value, or nil for any other type (which is skipped).
    mutating func parseOptionalString() throws(Malformed) -> String? {
        if try peek() == UInt8(ascii: "\"") { return try parseString() }
        try skipValue()
        return nil
    }

    mutating func parseScalar() throws(Malformed) -> JSONValue {
        skipWhitespace()
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: break
            default: position += 1; continue
            }
            break
        }
        let token = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            guard let first = token.utf8.first, first == UInt8(ascii: "-") || (0x30...0x39).contains(first) else { throw Malformed() }
            if let integer = Int64(token) { return .int(integer) }
            if let double = Double(token), double.isFinite { return .double(double) }
            throw Malformed()
        }
    }

    static func unescape(_ raw: UnsafeRawBufferPointer) throws(Malformed) -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        utf8.reserveCapacity(raw.count)
        var index = 0
        func flush() {
            if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll(keepingCapacity: true) }
        }
        func hex4(_ at: Int) throws(Malformed) -> UInt32 {
            guard at + 4 <= raw.count else { throw Malformed() }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[at + offset]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw Malformed()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else { utf8.append(byte); index += 1; continue }
            guard index + 1 < raw.count else { break }  // a cut (limited) slice may end inside an escape
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard index + 4 <= raw.count else { index = raw.count; continue }
                var code = try hex4(index)
                index += 4
                if (0xD800...0xDBFF).contains(code), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") {
                    let low = try hex4(index + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                flush()
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: throw Malformed()
            }
        }
        flush()
        return String(scalars)
    }
}
