import SmokeCore

/// Maps socket inodes to the processes holding them, via the `socket:[inode]` links in
/// `/proc/<pid>/fd`. A socket shared after fork() has several owners; a socket whose owners'
/// fd directories we may not read (another user's process when not root) has none.
public enum SocketOwners {
    /// Owners of each wanted inode, pids ascending. Inodes nobody visible holds are absent.
    public static func find(inodes wanted: Set<UInt64>, procRoot: String = "/proc") -> [UInt64: [Int32]] {
        guard !wanted.isEmpty, let entries = PlainFile.names(inDirectory: procRoot) else { return [:] }
        var owners: [UInt64: [Int32]] = [:]
        for entry in entries {
            guard let pid = Int32(entry), pid > 0 else { continue }
            for inode in socketInodes(pid: pid, procRoot: procRoot) where wanted.contains(inode) {
                if owners[inode]?.contains(pid) != true { owners[inode, default: []].append(pid) }
            }
        }
        return owners.mapValues { $0.sorted() }
    }

    /// The socket inodes open in one process; empty when it is gone or its fds are not readable.
    public static func socketInodes(pid: Int32, procRoot: String = "/proc") -> Set<UInt64> {
        let directory = "\(procRoot)/\(pid)/fd"
        guard let fds = PlainFile.names(inDirectory: directory) else { return [] }
        var inodes: Set<UInt64> = []
        for fd in fds {
            guard let target = ProcFile.readLink("\(directory)/\(fd)"),
                target.hasPrefix("socket:["), target.hasSuffix("]"),
                let inode = UInt64(target.dropFirst("socket:[".count).dropLast())
            else { continue }
            inodes.insert(inode)
        }
        return inodes
    }
}
