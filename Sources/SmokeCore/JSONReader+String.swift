/// Where a string's decoded content goes: its raw runs between escapes, and each escape's scalar.
/// Skipping and building share one grammar (and one escape decoder) through this.
protocol JSONStringSink {
    mutating func append(run: UnsafeRawBufferPointer)
    mutating func append(scalar: Unicode.Scalar)
}

/// Skipping: checks only.
struct IgnoredString: JSONStringSink {
    mutating func append(run: UnsafeRawBufferPointer) {}
    mutating func append(scalar: Unicode.Scalar) {}
}

/// Building: a string without escapes is made straight from its bytes, with no buffer.
struct DecodedString: JSONStringSink {
    private let limit: Int
    private var onlyRun: UnsafeRawBufferPointer?
    private var buffer: [UInt8]?
    private var full = false

    init(limit: Int) { self.limit = limit }

    var string: String {
        if let buffer { return String(decoding: buffer, as: UTF8.self) }
        guard let onlyRun else { return "" }
        return String(decoding: Self.prefix(of: onlyRun, fitting: limit), as: UTF8.self)
    }

    mutating func append(run: UnsafeRawBufferPointer) {
        if buffer == nil, onlyRun == nil {
            onlyRun = run
            return
        }
        appendBytes(run)
    }

    mutating func append(scalar: Unicode.Scalar) {
        var encoded: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let count = withUnsafeMutableBytes(of: &encoded) { raw in
            var count = 0
            UTF8.encode(scalar) {
                raw[count] = $0
                count += 1
            }
            return count
        }
        withUnsafeBytes(of: encoded) { appendBytes(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    private mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        if buffer == nil {
            buffer = []
            if let onlyRun { appendBytes(onlyRun) }
            onlyRun = nil
        }
        guard !full else { return }
        let kept = Self.prefix(of: bytes, fitting: limit - buffer!.count)
        buffer!.append(contentsOf: kept)
        // Once something was cut, nothing later may follow it.
        if kept.count < bytes.count { full = true }
    }

    /// The longest prefix of at most `room` bytes that ends on a character boundary.
    private static func prefix(of bytes: UnsafeRawBufferPointer, fitting room: Int) -> UnsafeRawBufferPointer {
        guard bytes.count > room else { return bytes }
        var cut = max(room, 0)
        while cut > 0, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[0..<cut])
    }
}

extension JSONReader {
    /// Reads the string whose opening quote is at the cursor into `sink`: no control characters,
    /// only the escapes RFC 8259 names, surrogates in pairs, valid UTF-8.
    mutating func readString(into sink: inout some JSONStringSink) throws(Failure) {
        let start = position
        position += 1
        var runStart = position
        while true {
            // Eight bytes at a time while none of them needs a look (nearly all of a long text).
            while position + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let special = Self.bytesNeedingALook(word)
                if special != 0 {
                    position += special.trailingZeroBitCount >> 3
                    break
                }
                position += 8
            }
            guard position < bytes.count else { throw endOfInput("unterminated string", at: start) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                sink.append(run: UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
                position += 1
                return
            case UInt8(ascii: "\\"):
                sink.append(run: UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
                position += 1
                sink.append(scalar: try readEscape(stringStart: start))
                runStart = position
            case 0..<0x20:
                throw failure("control character in string")
            case 0x20..<0x80:
                position += 1
            default:
                try skipUTF8Sequence(stringStart: start)
            }
        }
    }

    /// Bit 7 of each byte of `word` that is a quote, a backslash, a control character or
    /// non-ASCII. A set bit above the lowest may be spurious (a borrow); the lowest is exact.
    private static func bytesNeedingALook(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & high }
        let below0x20 = (word &- ones &* 0x20) & ~word & high
        return zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C)) | below0x20 | (word & high)
    }

    /// The escape after a backslash (the cursor is past the backslash).
    private mutating func readEscape(stringStart: Int) throws(Failure) -> Unicode.Scalar {
        guard position < bytes.count else { throw endOfInput("unterminated string", at: stringStart) }
        let escape = bytes[position]
        position += 1
        switch escape {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            var code = try readHex4()
            if (0xD800...0xDBFF).contains(code) {
                guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw failure("unpaired surrogate in \\u escape")
                }
                position += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate in \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw failure("unpaired surrogate in \\u escape")
            }
            guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
            return scalar
        default:
            throw failure("invalid escape '\\\(Self.describe(escape))'", at: position - 2)
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard bytes.count - position >= 4 else { throw endOfInput("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    /// One multi-byte UTF-8 sequence at the cursor (RFC 3629: no overlong forms, no surrogates,
    /// nothing past U+10FFFF).
    private mutating func skipUTF8Sequence(stringStart: Int) throws(Failure) {
        let lead = bytes[position]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            second = 0x80...0x9F
        case 0xF0:
            length = 4
            second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            second = 0x80...0x8F
        default: throw failure("invalid UTF-8 in string", at: stringStart)
        }
        guard bytes.count - position >= length, second.contains(bytes[position + 1]),
            (2..<length).allSatisfy({ bytes[position + $0] & 0xC0 == 0x80 })
        else { throw failure("invalid UTF-8 in string", at: stringStart) }
        position += length
    }
}
