import SmokeCore

/// `--stable-for`: the tool list is watched after readiness until it has not changed for a
/// while. A tool's identity is its name; its fingerprint a hash of its schemas (`inputSchema`
/// and `outputSchema`, canonical JSON), so a tool whose arguments change is a change too.
public struct CatalogStability: Sendable {
    public enum Change: String, Sendable { case added, removed, changed }

    public struct Event: Sendable, Equatable {
        public var tool: String
        public var change: Change
        public var atMs: Int64

        public var json: JSONValue {
            ["tool": .string(tool), "change": .string(change.rawValue), "at_ms": .int(atMs)]
        }
    }

    /// name → schema hash of the last listing.
    public private(set) var fingerprints: [String: String]
    public private(set) var events: [Event] = []
    /// When (ms from start) the listing that last showed a change (or the first one) completed.
    public private(set) var lastChangeMs: Int64

    public init(tools: [JSONValue], atMs: Int64) {
        fingerprints = Self.fingerprints(tools)
        lastChangeMs = atMs
    }

    /// Compares a new listing with the last one; returns the changes it shows (names sorted).
    @discardableResult
    public mutating func observe(_ tools: [JSONValue], atMs: Int64) -> [Event] {
        let next = Self.fingerprints(tools)
        var seen: [Event] = []
        for name in Set(fingerprints.keys).union(next.keys).sorted() {
            switch (fingerprints[name], next[name]) {
            case (nil, _?): seen.append(Event(tool: name, change: .added, atMs: atMs))
            case (_?, nil): seen.append(Event(tool: name, change: .removed, atMs: atMs))
            case (let old?, let new?) where old != new: seen.append(Event(tool: name, change: .changed, atMs: atMs))
            default: break
            }
        }
        fingerprints = next
        if !seen.isEmpty {
            events += seen
            lastChangeMs = atMs
        }
        return seen
    }

    public static func fingerprints(_ tools: [JSONValue]) -> [String: String] {
        var result: [String: String] = [:]
        for tool in tools {
            guard let name = tool["name"]?.stringValue else { continue }
            let schemas: JSONValue = [
                "inputSchema": tool["inputSchema"] ?? .null, "outputSchema": tool["outputSchema"] ?? .null,
            ]
            result[name] = fnv1a64(Array(schemas.encoded()))
        }
        return result
    }

    /// FNV-1a, 64 bits, as 16 hex digits: enough to tell two schemas of one tool apart.
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// How often the list is read while watching: a fifth of the window, 50 ms to 250 ms.
    public static func pollInterval(_ window: Duration) -> Duration {
        min(max(window / 5, .milliseconds(50)), .milliseconds(250))
    }
}
