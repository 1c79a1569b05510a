import Foundation
import SmokeCore

/// Finds literal ports in the configuration a render reads. The historical :9090 stall came
/// from `"addr": ":9090"`, which ignored the sandbox port and collided with a developer's own
/// proxy; Stelae's aggregator has the same trap in its catalog (`proxyURL:
/// http://127.0.0.1:9090`, the proxy it calls back). One scan serves every source — template,
/// overlay, catalog fragments, the aggregator's own config — for our stack and Stelae's alike.
public enum ListenAddressGuard {
    /// Keys (compared case-insensitively) whose value is where the proxy listens or is reached.
    static let addressKeys: Set<String> = [
        "addr", "address", "listen", "listenaddr", "listenaddress", "bind", "bindaddr", "bindaddress",
        "baseurl", "publicbaseurl", "port",
    ]
    /// Keys whose value is the proxy as a client calls it back.
    static let proxyKeys: Set<String> = ["proxyurl", "proxybase"]
    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]

    public enum Role: String, Sendable {
        /// Where the proxy listens: always fatal, the chosen port must be used.
        case listen
        /// Where a client reaches the proxy (the aggregator's `proxyURL`): fatal when it is not
        /// the port this render uses.
        case proxyURL = "proxy_url"
        /// A downstream server on this machine at a fixed port: reported, not fatal (it is a
        /// service of its own, outside the sandbox's port).
        case downstream
    }

    public struct Finding: Sendable {
        public var source: String
        public var path: JSONPath
        public var value: String
        public var port: Int
        public var role: Role

        public func isFatal(renderPort: Int) -> Bool {
            switch role {
            case .listen: true
            case .proxyURL: port != renderPort
            case .downstream: false
            }
        }

        public var json: JSONValue {
            [
                "file": .string(source), "json_path": .string(path.description), "value": .string(value),
                "port": .int(Int64(port)), "role": .string(role.rawValue),
            ]
        }

        public func error(renderPort: Int) -> SmokeError {
            let why: String
            switch role {
            case .listen:
                why = "template it (e.g. \":{{PROXY_PORT}}\" or \"{{PUBLIC_BASE_URL}}\") so the chosen port is used"
            case .proxyURL, .downstream:
                why = "clients of this value call port \(port), but the stack listens on \(renderPort)"
            }
            return SmokeError(
                .hardcodedPort, "\(source): \(path) is \"\(value)\", a literal port \(port); \(why)",
                hint: "pass --allow-hardcoded-port to render it anyway",
                fields: ["file": .string(source), "json_path": .string(path.description)])
        }
    }

    /// Literal ports in a proxy template: listen addresses anywhere except under `mcpServers`,
    /// and downstream servers' URLs on this machine.
    public static func findings(inTemplate template: JSONValue, source: String) -> [Finding] {
        var found: [Finding] = []
        walk(template, at: .root, scope: .template, source: source, found: &found)
        return found
    }

    /// Literal loopback ports in catalog values: `proxyURL`s (and downstream `url`s of catalog
    /// servers), wherever they sit.
    public static func findings(inCatalog value: JSONValue, at path: JSONPath = .root, source: String) -> [Finding] {
        var found: [Finding] = []
        walk(value, at: path, scope: .catalog, source: source, found: &found)
        return found
    }

    /// What the walk looks for: listen addresses in a template, loopback URLs in a catalog (also
    /// a template's `mcpServers`).
    enum Scope { case template, catalog }

    static func walk(_ value: JSONValue, at path: JSONPath, scope: Scope, source: String, found: inout [Finding]) {
        switch value {
        case .object(let object):
            for key in object.keys.sorted() {
                let child = path.appending(key)
                let item = object[key]!
                if scope == .template && path.components.isEmpty && key == "mcpServers" {
                    walk(item, at: child, scope: .catalog, source: source, found: &found)
                } else if let match = portValue(key: key, item: item, scope: scope) {
                    if let (port, role) = match {
                        found.append(Finding(source: source, path: child, value: item.portText, port: port, role: role))
                    }
                } else {
                    walk(item, at: child, scope: scope, source: source, found: &found)
                }
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                walk(item, at: path.appending(index: index), scope: scope, source: source, found: &found)
            }
        default:
            return
        }
    }

    /// nil: the member is not an address of this scope (the walk goes inside it); `.some(nil)`: it
    /// is one, without a literal port; otherwise its port and role.
    private static func portValue(key: String, item: JSONValue, scope: Scope) -> (Int, Role)?? {
        let lower = key.lowercased()
        switch (scope, item) {
        case (.template, .string(let text)) where addressKeys.contains(lower):
            return .some(literalPort(text).map { ($0, .listen) })
        case (.template, .int(let number)) where addressKeys.contains(lower):
            return .some((Int(number), .listen))
        case (.catalog, .string(let text)) where proxyKeys.contains(lower) || lower == "url":
            return .some(loopbackPort(text).map { ($0, proxyKeys.contains(lower) ? .proxyURL : .downstream) })
        default:
            return nil
        }
    }

    /// The literal port of a URL whose host is this machine; nil elsewhere or when templated.
    static func loopbackPort(_ text: String) -> Int? {
        guard let scheme = text.range(of: "://") else { return nil }
        var authority = text[scheme.upperBound...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            authority = authority[..<end]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            loopbackHosts.contains(authority[..<colon].lowercased())
        else { return nil }
        return port
    }

    /// The literal port in `":9090"`, `"0.0.0.0:9090"`, `"http://127.0.0.1:9090/mcp"`, `"9090"`;
    /// nil when the port comes from a placeholder or there is none.
    static func literalPort(_ text: String) -> Int? {
        var authority = Substring(text)
        if let scheme = authority.range(of: "://") {
            authority = authority[scheme.upperBound...]
            if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
                authority = authority[..<end]
            }
        }
        if !authority.isEmpty, authority.allSatisfy(\.isASCIIDigitLike) { return Int(authority) }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        let port = authority[authority.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isASCIIDigitLike) else { return nil }
        return Int(port)
    }
}

extension Character {
    fileprivate var isASCIIDigitLike: Bool { ("0"..."9").contains(self) }
}

extension JSONValue {
    /// A port-bearing value as the finding quotes it.
    fileprivate var portText: String {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        default: encodedString(pretty: false)
        }
    }
}
