import Foundation
import SmokeCore

/// `.env` files as Stelae reads them, plus `export ` prefixes and single quotes.
public enum EnvFile {
    /// Lines in file order. `#` comments and blank lines are skipped; a line without `=` is
    /// skipped; the key is split at the first `=`; whitespace around key and value is trimmed,
    /// then one pair of surrounding double or single quotes is removed.
    public static func parse(_ text: String) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        // Split at CR and LF bytes: the same non-empty lines as splitting at "\n", "\r\n" and "\r",
        // without a grapheme walk over a value that may be megabytes long.
        for rawLine in text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            var line = trimmed(Substring(rawLine))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = trimmed(line.dropFirst(7))
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = trimmed(line[..<equals])
            guard !key.isEmpty else { continue }
            var value = trimmed(line[line.index(after: equals)...])
            if let first = value.first, first == "\"" || first == "'", value.dropFirst().last == first {
                value = value.dropFirst().dropLast()
            }
            entries.append((String(key), String(value)))
        }
        return entries
    }

    /// Foundation's `trimmingCharacters(in: .whitespaces)` (tab and the Unicode space separators,
    /// scalar by scalar) without bridging the whole line to NSString.
    private static func trimmed(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        func isBlank(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        guard let start = scalars.firstIndex(where: { !isBlank($0) }),
            let last = scalars.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return Substring(scalars[start...last])
    }

    public static func load(path: String) throws(SmokeError) -> [(key: String, value: String)] {
        let data = try FileIO.read(path: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw SmokeError(.invalidEnvFile, "\(path): not UTF-8 text", fields: ["file": .string(path)])
        }
        return parse(text)
    }
}
