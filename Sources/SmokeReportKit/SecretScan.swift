import Foundation
import SmokeCore

/// The last guard of the run: no file of the run directory may hold a secret value in clear.
/// Which variables are secret is SmokeCore's rule (`Redactor.isSecretName`: `_KEY`, `_TOKEN`,
/// `_SECRET`, `PASSWORD`, `Authorization`); so is the credential an `Authorization` value carries
/// after its scheme, which the scan looks for too.
public enum SecretScan {
    /// Shorter values ("true", "1234") would match everywhere; only ones that can be credentials count.
    public static let minimumLength = 8
    /// Written after the scan, from the redacted ledger: never scanned.
    static let skippedNames: Set<String> = ["summary.json", "junit.xml"]

    /// The values to look for, longest first: each secret variable's value (stripped), and every
    /// further value the Redactor registers for it (the credential of `Bearer <credential>`).
    public static func values(environment: [String: String]) -> [String] {
        var values: Set<String> = []
        for (name, value) in environment where Redactor.isSecretName(name) {
            let whole = ChainText.stripped(value)
            if whole.unicodeScalars.count >= minimumLength { values.insert(whole) }
            guard let space = whole.firstIndex(where: \.isWhitespace) else { continue }
            let credential = ChainText.stripped(String(whole[space...]))
            // Only what SmokeCore's Redactor itself treats as the secret (it alone owns that rule).
            let registered = Redactor(environment: [name: value])
            if credential.unicodeScalars.count >= minimumLength, registered.redact(credential) == Redactor.placeholder {
                values.insert(credential)
            }
        }
        return values.sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 }
    }

    /// Files of the run directory (relative paths, in path order) holding one of `values` byte for
    /// byte. Symbolic links are not followed, `.git` is passed over, and so are summary.json and
    /// junit.xml.
    public static func scan(run: String, values: [String]) -> [String] {
        guard !values.isEmpty else { return [] }
        let needles = values.map { Array($0.utf8) }.filter { !$0.isEmpty }
        var hits: [[String]] = []
        walk(directory: run, relative: []) { relative, path in
            guard let bytes = RunFiles.readBytes(path) else { return }
            if needles.contains(where: { ByteSearch.contains(bytes, $0) }) { hits.append(relative) }
        }
        // Python's path order: component by component.
        hits.sort { left, right in
            left.lexicographicallyPrecedes(right) { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        }
        return hits.map { $0.joined(separator: "/") }
    }

    private static func walk(directory: String, relative: [String], visit: ([String], String) -> Void) {
        guard let names = PlainFile.names(inDirectory: directory) else { return }
        for name in names where name != ".git" {
            let path = "\(directory)/\(name)"
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: walk(directory: path, relative: relative + [name], visit: visit)
            case S_IFREG where !skippedNames.contains(name): visit(relative + [name], path)
            default: continue  // symbolic links, sockets, fifos
            }
        }
    }
}
