import SmokeCore

/// A LISTEN socket on the port and one process holding it. `pid` is nil when the socket is in
/// the kernel table but no visible process holds it (another user's process while not root):
/// the port is held all the same, so it is reported rather than dropped.
public struct Listener: Sendable, Hashable {
    public var pid: Int32?
    /// The socket's uid from the tcp table.
    public var uid: UInt32
    public var user: String?
    public var command: String?
    /// `127.0.0.1:8080`, `[::1]:8080`, `[::ffff:127.0.0.1]:8080`, `0.0.0.0:8080`, `[::]:8080`.
    public var address: String
    public var inode: UInt64
    /// The holding process as read at discovery (uid, start time), for the kill policy.
    public var process: ProcessRecord?

    public init(
        pid: Int32?, uid: UInt32, user: String?, command: String?, address: String, inode: UInt64,
        process: ProcessRecord?
    ) {
        self.pid = pid
        self.uid = uid
        self.user = user
        self.command = command
        self.address = address
        self.inode = inode
        self.process = process
    }

    public var json: JSONValue {
        [
            "pid": pid.map { .int(Int64($0)) } ?? .null,
            "uid": .int(Int64(uid)),
            "user": user.map(JSONValue.string) ?? .null,
            "command": command.map(JSONValue.string) ?? .null,
            "address": .string(address),
            "inode": .int(Int64(inode)),
        ]
    }
}

/// A socket on the port that is NOT listening (a connection, TIME_WAIT): shown so the reader
/// sees it was considered, never counted as holding the port, never a reason to signal anyone.
public struct OtherSocket: Sendable, Hashable {
    public var state: String
    public var local: String
    public var remote: String

    public var json: JSONValue { ["state": .string(state), "local": .string(local), "remote": .string(remote)] }
}
