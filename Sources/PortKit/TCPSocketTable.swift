/// One row of `/proc/net/tcp` or `/proc/net/tcp6`.
public struct TCPSocketRow: Sendable, Hashable {
    public var family: ProcAddress.Family
    public var localHost: String
    public var localPort: Int
    public var remoteHost: String
    public var remotePort: Int
    /// Raw state byte; `TCPState(rawValue:)` names it.
    public var state: UInt8
    /// The uid that created the socket, as the kernel records it.
    public var uid: UInt32
    /// The socket inode: `/proc/<pid>/fd/N` links to `socket:[inode]`. 0 for TIME_WAIT rows.
    public var inode: UInt64

    public var isListening: Bool { state == TCPState.listen.rawValue }
    public var stateName: String { TCPState(rawValue: state)?.name ?? "UNKNOWN_\(state)" }
    public var localEndpoint: String { ProcAddress.endpoint(host: localHost, port: localPort) }
    public var remoteEndpoint: String { ProcAddress.endpoint(host: remoteHost, port: remotePort) }
}

/// The kernel's TCP socket tables, read straight from procfs (no `ss`, no `lsof`).
public enum TCPSocketTable {
    /// Parses the text of one table. The header and malformed rows are skipped, never fatal:
    /// a table is read while the kernel changes it.
    public static func parse(_ text: String, family: ProcAddress.Family) -> [TCPSocketRow] {
        var rows: [TCPSocketRow] = []
        for line in text.split(separator: "\n").dropFirst() {
            // sl local remote st tx:rx tr:when retrnsmt uid timeout inode …
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10,
                let local = ProcAddress.decode(fields[1], family: family),
                let remote = ProcAddress.decode(fields[2], family: family),
                let state = UInt8(fields[3], radix: 16),
                let uid = UInt32(fields[7]),
                let inode = UInt64(fields[9])
            else { continue }
            rows.append(
                TCPSocketRow(
                    family: family, localHost: local.host, localPort: local.port, remoteHost: remote.host,
                    remotePort: remote.port, state: state, uid: uid, inode: inode))
        }
        return rows
    }

    /// Both tables of this network namespace. A missing `tcp6` (IPv6 disabled) is an empty table.
    public static func read(procRoot: String = "/proc") -> [TCPSocketRow] {
        var rows: [TCPSocketRow] = []
        if let text = ProcFile.readText("\(procRoot)/net/tcp") { rows += parse(text, family: .ipv4) }
        if let text = ProcFile.readText("\(procRoot)/net/tcp6") { rows += parse(text, family: .ipv6) }
        return rows
    }

    /// Whether the IPv4 table can be read at all; without it discovery would silently see nothing.
    public static func isReadable(procRoot: String = "/proc") -> Bool {
        ProcFile.read("\(procRoot)/net/tcp", limit: 1) != nil
    }
}
