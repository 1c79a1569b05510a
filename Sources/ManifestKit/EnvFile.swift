import Foundation
import SmokeCore

/// `.env` files as Stelae reads them, plus `export ` prefixes and single quotes.
public enum EnvFile {
    /// Lines in file order. `#` comments and blank lines are skipped; a line without `=` is
    /// skipped; the key is split at the first `=`; whitespace around key and value is trimmed,
    /// then one pair of surrounding double or single quotes is removed.
    public static func parse(_ text: String) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        for rawLine in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            entries.append((key, value))
        }
        return entries
    }

    public static func load(path: String) throws(SmokeError) -> [(key: String, value: String)] {
        let data = try FileIO.read(path: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw SmokeError(.invalidEnvFile, "\(path): not UTF-8 text", fields: ["file": .string(path)])
        }
        return parse(text)
    }
}
