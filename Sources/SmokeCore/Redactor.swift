import Foundation

/// Keeps secret values out of everything a tool prints or writes. Secrets are the values of
/// environment variables whose names end in `_KEY`, `_TOKEN`, `_SECRET` or `PASSWORD`, plus
/// any value registered at run time (e.g. an `Authorization` header given on the command line).
public final class Redactor: @unchecked Sendable {
    public static let placeholder = "[REDACTED]"
    /// Values shorter than this are not treated as secrets: replacing "1" everywhere would
    /// destroy the output and protects nothing.
    public static let minimumLength = 4

    /// The process-wide redactor every output path goes through.
    public static let shared = Redactor(environment: ProcessInfo.processInfo.environment)

    private let lock = NSLock()
    private var secrets: Set<String> = []

    public init(environment: [String: String]) {
        for (name, value) in environment where Self.isSecretName(name) {
            add(value)
        }
    }

    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return upper.hasSuffix("_KEY") || upper.hasSuffix("_TOKEN") || upper.hasSuffix("_SECRET")
            || upper.hasSuffix("PASSWORD") || upper == "AUTHORIZATION"
    }

    /// Registers a secret value. For an `Authorization` header value the credential after the
    /// scheme ("Bearer xyz") is registered as well, so either spelling is caught.
    public func add(_ value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        lock.lock()
        defer { lock.unlock() }
        if trimmed.count >= Self.minimumLength { secrets.insert(trimmed) }
        if let space = trimmed.firstIndex(of: " ") {
            let credential = trimmed[trimmed.index(after: space)...].trimmingCharacters(in: .whitespaces)
            if credential.count >= Self.minimumLength { secrets.insert(credential) }
        }
    }

    /// Registers the value of a `Name: value` header when the header carries credentials.
    public func addHeader(name: String, value: String) {
        let lower = name.lowercased()
        if lower == "authorization" || lower == "proxy-authorization"
            || Self.isSecretName(name.replacingOccurrences(of: "-", with: "_"))
        {
            add(value)
        }
    }

    public func redact(_ text: String) -> String {
        Self.redact(text, secrets: orderedSecrets())
    }

    /// Redacts inside string values and keys only. Working on the value rather than its encoded
    /// text keeps the document valid (a secret such as `true` cannot hit a JSON literal) and
    /// catches secrets whose encoded form is escaped (`/`, `"`, control characters).
    public func redact(_ value: JSONValue) -> JSONValue {
        let secrets = orderedSecrets()
        // With nothing registered a document of 10,000 entries is handed back as it is, not rebuilt.
        return secrets.isEmpty ? value : Self.redact(value, secrets: secrets)
    }

    /// A registered value, with what the search needs to know about it worked out once.
    private struct Secret {
        var text: String
        var isASCII: Bool
    }

    /// Longest first, so a secret that contains another is replaced whole. Taken once per
    /// document, not once per string in it.
    private func orderedSecrets() -> [Secret] {
        lock.lock()
        defer { lock.unlock() }
        return secrets.sorted { $0.count > $1.count }.map {
            Secret(text: $0, isASCII: $0.utf8.allSatisfy { $0 < 0x80 })
        }
    }

    private static func redact(_ text: String, secrets: [Secret]) -> String {
        var result = text
        for secret in secrets where mayContain(result, secret) {
            result = result.replacingOccurrences(of: secret.text, with: placeholder)
        }
        return result
    }

    /// A byte search for an ASCII secret, which every key and token is: it finds every place the
    /// Unicode-aware `contains` would, at a fraction of the cost a snapshot of 10,000 paths pays
    /// per secret (a surplus hit only costs the replacement's own search).
    private static func mayContain(_ text: String, _ secret: Secret) -> Bool {
        guard secret.isASCII else { return text.contains(secret.text) }
        var text = text
        var needle = secret.text
        return text.withUTF8 { hay in needle.withUTF8 { ByteSearch.contains(hay, $0) } }
    }

    private static func redact(_ value: JSONValue, secrets: [Secret]) -> JSONValue {
        switch value {
        case .string(let text): .string(redact(text, secrets: secrets))
        case .array(let items): .array(items.map { redact($0, secrets: secrets) })
        case .object(let object):
            .object(
                Dictionary(
                    object.map { (redact($0.key, secrets: secrets), redact($0.value, secrets: secrets)) },
                    uniquingKeysWith: { first, _ in first }))
        case .null, .bool, .int, .double: value
        }
    }

    public func redact(_ data: Data) -> Data {
        Data(redact(String(decoding: data, as: UTF8.self)).utf8)
    }
}
