import Foundation
import SmokeCore

/// The plain text the chain reads and shows (progress lines, the headline, messages), formatted
/// the way `scripts/smoke_report.py` formatted it, so switching the chain over changes no line.
enum ChainText {
    /// A JSON value inside a message: strings raw, numbers as written, `null` as `None`, booleans as
    /// `True`/`False` (the Python spelling the script's f-strings produced), containers as compact JSON.
    static func show(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "None"
        case .bool(let flag)?: flag ? "True" : "False"
        case .int(let number)?: String(number)
        case .double(let number)?: String(number)
        case .string(let text)?: text
        case .array?, .object?: value!.encodedString()
        }
    }

    /// `f"{value:>width}"`: right-aligned, padded with spaces, never cut (widths count code points).
    static func right(_ text: String, _ width: Int) -> String {
        let missing = width - text.unicodeScalars.count
        return missing > 0 ? String(repeating: " ", count: missing) + text : text
    }

    /// `f"{value:<width}"`: left-aligned.
    static func left(_ text: String, _ width: Int) -> String {
        let missing = width - text.unicodeScalars.count
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }

    /// `f"{n:02d}"`: zero-padded after the sign.
    static func zeroPadded(_ number: Int, _ width: Int) -> String {
        let digits = String(number.magnitude)
        let sign = number < 0 ? "-" : ""
        let missing = width - sign.count - digits.count
        return sign + (missing > 0 ? String(repeating: "0", count: missing) : "") + digits
    }

    /// `f"{value:.Nf}"`: printf's correctly rounded fixed notation, as Python's is.
    static func fixed(_ value: Double, digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 48)
        let format = "%.\(digits)f"
        var needed = Int(withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) })
        if needed >= buffer.count {
            buffer = [CChar](repeating: 0, count: needed + 1)
            needed = Int(withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) })
        }
        return String(decoding: buffer.prefix(max(needed, 0)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The first `count` code points (`text[:count]`).
    static func prefix(_ text: String, _ count: Int) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > count else { return text }
        return String(String.UnicodeScalarView(scalars.prefix(count)))
    }

    /// The last `count` code points (`text[-count:]`).
    static func suffix(_ text: String, _ count: Int) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > count else { return text }
        return String(String.UnicodeScalarView(scalars.suffix(count)))
    }

    /// `str.splitlines()`: lines split at every line boundary Python knows (`\r\n` is one), no
    /// empty line after a final newline.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if scalar == "\n" { continue }
            }
            switch scalar.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                lines.append(String(current))
                current = String.UnicodeScalarView()
                afterCarriageReturn = scalar == "\r"
            default:
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// Sorted by code point, as Python sorts strings (Swift's `<` follows Unicode canonical order).
    static func sorted(_ names: some Sequence<String>) -> [String] {
        names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// `str.strip()`.
    static func stripped(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension JSONValue {
    /// Python truthiness, as the script tested values (`bool(x)`, `x or default`).
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .double(let number): number != 0
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        }
    }

    /// A number as a Double (milliseconds that a hand-made ledger may hold as 12.5).
    var numberValue: Double? {
        switch self {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}
