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
        lock.lock()
        // Longest first, so a secret that contains another is replaced whole.
        let ordered = secrets.sorted { $0.count > $1.count }
        lock.unlock()
        var result = text
        for secret in ordered where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return result
    }

    /// Redacts inside string values and keys only. Working on the value rather than its encoded
    /// text keeps the document valid (a secret such as `true` cannot hit a JSON literal) and
    /// catches secrets whose encoded form is escaped (`/`, `"`, control characters).
    public func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .array(let items): .array(items.map { redact($0) })
        case .object(let object):
            .object(
                Dictionary(object.map { (redact($0.key), redact($0.value)) }, uniquingKeysWith: { first, _ in first }))
        case .null, .bool, .int, .double: value
        }
    }

    public func redact(_ data: Data) -> Data {
        Data(redact(String(decoding: data, as: UTF8.self)).utf8)
    }
}
