/// Finds who listens on a TCP port from the kernel tables and /proc/<pid>/fd.
public struct ListenerDiscovery: Sendable {
    public var procRoot: String

    public init(procRoot: String = "/proc") { self.procRoot = procRoot }

    public struct Result: Sendable {
        public var listeners: [Listener]
        /// Non-listening sockets whose LOCAL port is the port (connections, TIME_WAIT).
        public var otherSockets: [OtherSocket]
    }

    public func discover(port: Int) -> Result {
        let rows = TCPSocketTable.read(procRoot: procRoot).filter { $0.localPort == port }
        let listening = rows.filter(\.isListening)
        let owners = SocketOwners.find(inodes: Set(listening.map(\.inode)), procRoot: procRoot)
        var listeners: [Listener] = []
        for row in listening {
            let pids = owners[row.inode] ?? []
            if pids.isEmpty {
                listeners.append(
                    Listener(
                        pid: nil, uid: row.uid, user: UserNames.name(uid: row.uid), command: nil,
                        address: row.localEndpoint, inode: row.inode, process: nil))
            }
            for pid in pids {
                let process = ProcessRecord.read(pid: pid, procRoot: procRoot)
                listeners.append(
                    Listener(
                        pid: pid, uid: row.uid, user: UserNames.name(uid: row.uid), command: process?.command,
                        address: row.localEndpoint, inode: row.inode, process: process))
            }
        }
        listeners.sort { ($0.pid ?? -1, $0.address, $0.inode) < ($1.pid ?? -1, $1.address, $1.inode) }
        let others = rows.filter { !$0.isListening }
            .map { OtherSocket(state: $0.stateName, local: $0.localEndpoint, remote: $0.remoteEndpoint) }
            .sorted { ($0.local, $0.remote, $0.state) < ($1.local, $1.remote, $1.state) }
        return Result(listeners: listeners, otherSockets: others)
    }

}
