import Foundation
import SmokeCore

/// One entry of `mcpServers` in a Stelae / TBXark mcp-proxy `proxy.json`.
public struct ProxyServer: Sendable {
    public enum Transport: Sendable {
        case stdio(StdioCommand)
        case http(url: URL, headers: [HTTPHeaderPair])
    }

    public var name: String
    public var transport: Transport
    /// `options.disabled: true` (TBXark) or `disabled: true`: the proxy does not start it.
    public var disabled: Bool

    public init(name: String, transport: Transport, disabled: Bool = false) {
        self.name = name
        self.transport = transport
        self.disabled = disabled
    }

    /// `stdio` or `http` (streamable HTTP; also for `sse` and `streamable-http` entries).
    public var transportName: String {
        switch transport {
        case .stdio: "stdio"
        case .http: "http"
        }
    }
}

/// A request header from a config (`headers`) or a flag (`--header`).
public struct HTTPHeaderPair: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The servers of a `proxy.json`, validated: `{"mcpProxy": {...}, "mcpServers": {"<name>":
/// {"type": "stdio", "command", "args", "env", "cwd"} | {"type": "http" | "streamable-http" |
/// "sse", "url", "headers"}}}`. Without `type`, `command` means stdio and `url` means http.
/// Keys this probe does not use (`options`, `mcpProxy`, `manifest`, …) are allowed, as the proxy
/// itself allows them; a known key of the wrong type is an error naming the file and the path.
public struct ProxyConfig: Sendable {
    public var path: String
    /// Sorted by name.
    public var servers: [ProxyServer]

    public init(path: String, servers: [ProxyServer]) {
        self.path = path
        self.servers = servers.sorted { $0.name < $1.name }
    }

    static let httpTypes: Set<String> = ["http", "streamable-http", "streamable_http", "streamablehttp", "sse"]

    public static func load(path: String) throws(SmokeError) -> ProxyConfig {
        let data = try FileIO.read(path: path)
        return try parse(try JSONValue.parse(data, source: path), source: path)
    }

    public static func parse(_ document: JSONValue, source: String) throws(SmokeError) -> ProxyConfig {
        guard let top = document.objectValue else {
            throw invalid(source, "", "expected a JSON object, found \(document.typeName)")
        }
        guard let serversValue = top["mcpServers"] else {
            throw invalid(source, "mcpServers", "missing: a proxy config lists its servers under \"mcpServers\"")
        }
        guard let entries = serversValue.objectValue else {
            throw invalid(source, "mcpServers", "expected an object of servers, found \(serversValue.typeName)")
        }
        var servers: [ProxyServer] = []
        for name in entries.keys.sorted() {
            servers.append(try server(name: name, entries[name]!, source: source))
        }
        return ProxyConfig(path: source, servers: servers)
    }

    private static func server(name: String, _ value: JSONValue, source: String) throws(SmokeError) -> ProxyServer {
        let path = "mcpServers.\(name)"
        guard !name.isEmpty else { throw invalid(source, path, "a server name may not be empty") }
        guard let entry = value.objectValue else {
            throw invalid(source, path, "expected an object, found \(value.typeName)")
        }
        let type = try string(entry["type"], source, "\(path).type")
        let command = try string(entry["command"], source, "\(path).command")
        let url = try string(entry["url"], source, "\(path).url")
        let kind: String
        if let type {
            let lower = type.lowercased()
            if lower == "stdio" {
                kind = "stdio"
            } else if httpTypes.contains(lower) {
                kind = "http"
            } else {
                throw invalid(source, "\(path).type", "unknown type \"\(type)\" (stdio, http, streamable-http or sse)")
            }
        } else if command != nil, url != nil {
            throw invalid(source, path, "has both \"command\" and \"url\": give \"type\"")
        } else if command != nil {
            kind = "stdio"
        } else if url != nil {
            kind = "http"
        } else {
            throw invalid(source, path, "has neither \"command\" (stdio) nor \"url\" (http)")
        }
        let disabled = try bool(entry["disabled"], source, "\(path).disabled") ?? false
        let optionsDisabled: Bool
        if let options = entry["options"] {
            guard let object = options.objectValue else {
                throw invalid(source, "\(path).options", "expected an object, found \(options.typeName)")
            }
            optionsDisabled = try bool(object["disabled"], source, "\(path).options.disabled") ?? false
        } else {
            optionsDisabled = false
        }

        if kind == "stdio" {
            guard let command, !command.isEmpty else {
                throw invalid(source, "\(path).command", "a stdio server needs a non-empty \"command\"")
            }
            let arguments = try strings(entry["args"], source, "\(path).args") ?? []
            let environment = try stringMap(entry["env"], source, "\(path).env") ?? [:]
            let cwd = try string(entry["cwd"], source, "\(path).cwd")
            let stdio = StdioCommand(
                command: command, arguments: arguments, environment: environment, workingDirectory: cwd)
            stdio.registerSecrets()
            return ProxyServer(name: name, transport: .stdio(stdio), disabled: disabled || optionsDisabled)
        }
        guard let url else { throw invalid(source, "\(path).url", "an http server needs a \"url\"") }
        let endpoint: URL
        do {
            endpoint = try ProbeConfiguration.validateURL(url)
        } catch {
            throw invalid(source, "\(path).url", error.message)
        }
        var headers: [HTTPHeaderPair] = []
        for (headerName, headerValue) in (try stringMap(entry["headers"], source, "\(path).headers") ?? [:]).sorted(
            by: { $0.key < $1.key })
        {
            let parsed: (name: String, value: String)
            do {
                parsed = try ProbeConfiguration.parseHeader("\(headerName): \(headerValue)")
            } catch {
                throw invalid(source, "\(path).headers.\(headerName)", error.message)
            }
            headers.append(HTTPHeaderPair(name: parsed.name, value: parsed.value))
        }
        return ProxyServer(
            name: name, transport: .http(url: endpoint, headers: headers), disabled: disabled || optionsDisabled)
    }

    static func invalid(_ source: String, _ path: String, _ problem: String) -> SmokeError {
        SmokeError(
            .invalidProxyConfig, path.isEmpty ? "\(source): \(problem)" : "\(source): \(path): \(problem)",
            hint: "the probe reads the mcpServers of a Stelae / TBXark mcp-proxy proxy.json",
            fields: ["file": .string(source)])
    }

    private static func string(_ value: JSONValue?, _ source: String, _ path: String) throws(SmokeError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw invalid(source, path, "expected a string, found \(value.typeName)")
        }
        return text
    }

    private static func bool(_ value: JSONValue?, _ source: String, _ path: String) throws(SmokeError) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            throw invalid(source, path, "expected true or false, found \(value.typeName)")
        }
        return flag
    }

    private static func strings(_ value: JSONValue?, _ source: String, _ path: String) throws(SmokeError) -> [String]? {
        guard let value, !value.isNull else { return nil }
        guard let items = value.arrayValue else {
            throw invalid(source, path, "expected an array of strings, found \(value.typeName)")
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue else {
                throw invalid(source, "\(path)[\(index)]", "expected a string, found \(item.typeName)")
            }
            result.append(text)
        }
        return result
    }

    private static func stringMap(_ value: JSONValue?, _ source: String, _ path: String) throws(SmokeError) -> [String:
        String]?
    {
        guard let value, !value.isNull else { return nil }
        guard let object = value.objectValue else {
            throw invalid(source, path, "expected an object of strings, found \(value.typeName)")
        }
        var result: [String: String] = [:]
        for (key, item) in object {
            guard let text = item.stringValue else {
                throw invalid(source, "\(path).\(key)", "expected a string, found \(item.typeName)")
            }
            result[key] = text
        }
        return result
    }
}
