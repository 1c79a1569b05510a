import Foundation
import SmokeCore

/// Refuses templates that pin the proxy to a literal port: the historical :9090 stall came from
/// `"addr": ":9090"`, which ignored the sandbox port and collided with a developer's own proxy.
public enum ListenAddressGuard {
    /// Keys (compared case-insensitively) whose value is where the proxy listens or is reached.
    static let addressKeys: Set<String> = [
        "addr", "address", "listen", "listenaddr", "listenaddress", "bind", "bindaddr", "bindaddress",
        "baseurl", "publicbaseurl", "port",
    ]

    public struct Finding: Sendable {
        public var path: JSONPath
        public var value: String
        public var port: String
    }

    /// Literal ports in address keys anywhere except under `mcpServers` (a downstream server's
    /// `url` legitimately names its own port).
    public static func findings(in template: JSONValue) -> [Finding] {
        var found: [Finding] = []
        walk(template, at: .root, found: &found)
        return found
    }

    public static func check(_ template: JSONValue, source: String) throws(SmokeError) {
        guard let first = findings(in: template).first else { return }
        throw SmokeError(
            "hardcoded_port",
            "\(source): \(first.path) is \"\(first.value)\", a literal port \(first.port); "
                + "template it (e.g. \":{{PROXY_PORT}}\" or \"{{PUBLIC_BASE_URL}}\") so the chosen port is used",
            hint: "pass --allow-hardcoded-port to render it anyway",
            exit: .invalidInput,
            fields: ["file": .string(source), "json_path": .string(first.path.description)])
    }

    static func walk(_ value: JSONValue, at path: JSONPath, found: inout [Finding]) {
        switch value {
        case .object(let object):
            for key in object.keys.sorted() {
                if path.components.isEmpty && key == "mcpServers" { continue }
                let child = path.appending(key)
                let item = object[key]!
                if addressKeys.contains(key.lowercased()) {
                    switch item {
                    case .string(let text):
                        if let port = literalPort(text) { found.append(Finding(path: child, value: text, port: port)) }
                        continue
                    case .int(let number):
                        found.append(Finding(path: child, value: String(number), port: String(number)))
                        continue
                    default: break
                    }
                }
                walk(item, at: child, found: &found)
            }
        case .array(let items):
            for (index, item) in items.enumerated() { walk(item, at: path.appending(index: index), found: &found) }
        default:
            return
        }
    }

    /// The literal port in `":9090"`, `"0.0.0.0:9090"`, `"http://127.0.0.1:9090/mcp"`, `"9090"`;
    /// nil when the port comes from a placeholder or there is none.
    static func literalPort(_ text: String) -> String? {
        var authority = Substring(text)
        if let scheme = authority.range(of: "://") {
            authority = authority[scheme.upperBound...]
            if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
                authority = authority[..<end]
            }
        }
        if !authority.isEmpty, authority.allSatisfy(\.isASCIIDigitLike) { return String(authority) }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        let port = authority[authority.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isASCIIDigitLike) else { return nil }
        return String(port)
    }
}

extension Character {
    fileprivate var isASCIIDigitLike: Bool { ("0"..."9").contains(self) }
}
