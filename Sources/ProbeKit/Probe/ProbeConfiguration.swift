import Foundation
import SmokeCore

/// Everything one probe run needs, already validated. The command builds it from flags; tests
/// build it directly.
public struct ProbeConfiguration: Sendable {
    public var url: URL
    /// Total budget from start to verdict; no attempt starts or runs past it.
    public var deadline: Duration
    /// Longest a single HTTP exchange or TCP connect may take (clamped to the time left).
    public var attemptTimeout: Duration
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// `--era` and `--protocol-version`.
    public var era: EraSettings
    /// Extra request headers (`--header`), in order.
    public var headers: [(name: String, value: String)]
    public var minTools: Int
    public var requiredTools: [String]
    /// `--require-resource` (a URI or a name) and `--require-prompt`.
    public var requiredResources: [String] = []
    public var requiredPrompts: [String] = []
    /// `--call`: one tools/call once ready (its tool must be listed first).
    public var call: ToolCall?
    public var toolsOut: String?
    public var waitPort: Bool
    /// Hard cap on the bytes read from one answer; more is `body_too_large`.
    public var maxBodyBytes: Int
    public var clientVersion: String
    /// List the tools once initialized even when nothing about tools was asked (the per-server
    /// mode reports every server's tools).
    public var listTools = false
    /// `--stable-for`: after the catalog wait, keep listing tools until the list (names and
    /// schema hashes) has not changed for this long.
    public var stableFor: Duration?
    /// A redirect to another host, port or scheme is a failure, not followed: a load goes only
    /// where its URL says (no name is resolved or redirect taken to widen it).
    public var stayOnOrigin = false

    public static let defaultMaxBodyBytes = 8 * 1024 * 1024

    public init(
        url: URL,
        deadline: Duration = .seconds(30),
        attemptTimeout: Duration = .seconds(5),
        initialDelay: Duration = .milliseconds(50),
        maxDelay: Duration = .milliseconds(250),
        era: EraSettings = EraSettings(),
        headers: [(name: String, value: String)] = [],
        minTools: Int = 0,
        requiredTools: [String] = [],
        toolsOut: String? = nil,
        waitPort: Bool = false,
        maxBodyBytes: Int = ProbeConfiguration.defaultMaxBodyBytes,
        clientVersion: String = SmokeVersion.current
    ) {
        self.url = url
        self.deadline = deadline
        self.attemptTimeout = attemptTimeout
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.era = era
        self.headers = headers
        self.minTools = minTools
        self.requiredTools = requiredTools
        self.toolsOut = toolsOut
        self.waitPort = waitPort
        self.maxBodyBytes = maxBodyBytes
        self.clientVersion = clientVersion
    }

    /// A catalog wait (tools/list, and resources/list, prompts/list where advertised) happens
    /// when anything about the catalog was asked for, or a call needs its tool listed first.
    public var waitsForCatalog: Bool {
        listTools || stableFor != nil || minTools > 0 || !requiredTools.isEmpty || toolsOut != nil
            || !requiredResources.isEmpty
            || !requiredPrompts.isEmpty || call != nil
    }

    /// What the catalog wait waits for: the call's tool is required too.
    public var catalogRequirements: CatalogRequirements {
        var tools = requiredTools
        if let call, !tools.contains(call.name) { tools.append(call.name) }
        return CatalogRequirements(
            minTools: minTools, tools: tools, resources: requiredResources, prompts: requiredPrompts)
    }

    /// `--url`, else `PROBE_URL`, else `http://127.0.0.1:$PROXY_PORT/mcp`.
    public static func resolveURL(flag: String?, environment: [String: String]) throws(SmokeError) -> URL {
        let text: String
        if let flag, !flag.isEmpty {
            text = flag
        } else if let fromEnv = environment["PROBE_URL"], !fromEnv.isEmpty {
            text = fromEnv
        } else if let port = environment["PROXY_PORT"], !port.isEmpty {
            text = "http://127.0.0.1:\(port)/mcp"
        } else {
            throw SmokeError(
                .missingURL, "no endpoint: give --url, or set PROBE_URL or PROXY_PORT",
                hint: "e.g. --url http://127.0.0.1:9090/mcp")
        }
        return try validateURL(text)
    }

    public static func validateURL(_ text: String) throws(SmokeError) -> URL {
        URLCredentials.register(in: text)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw SmokeError(.invalidURL, "\(text): not an http(s) URL with a host")
        }
        return url
    }

    /// Parses one `--header 'Name: value'`. Credential headers are registered with the redactor
    /// before anything can print them.
    public static func parseHeader(_ text: String) throws(SmokeError) -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":") else {
            // Not the text itself: "Authorization Bearer <token>" (a colon forgotten) holds a credential.
            let name = text.prefix { !$0.isWhitespace }
            throw SmokeError(
                .invalidHeader,
                "--header '\(name)…': expected 'Name: value' (the rest is not shown: it may be a credential)")
        }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let tokenCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-.^_`|~"))
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ tokenCharacters.contains($0) && $0.isASCII }) else {
            throw SmokeError(
                .invalidHeader, "--header: '\(name.prefix { !$0.isWhitespace })…' is not a valid header name")
        }
        guard !value.contains("\r"), !value.contains("\n") else {
            throw SmokeError(.invalidHeader, "--header \(name): value must be one line")
        }
        Redactor.shared.addHeader(name: name, value: value)
        return (name, value)
    }
}
