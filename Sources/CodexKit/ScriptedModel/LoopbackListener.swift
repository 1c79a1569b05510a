import Foundation
import SmokeCore

/// A listening TCP socket on 127.0.0.1 with a port the kernel chose. Bound before the model server
/// starts, so the port can go into CODEX_HOME while the server is still starting; a connection made
/// before the server takes the socket waits in the kernel's backlog.
public struct LoopbackListener: Sendable {
    public let descriptor: Int32
    public let port: Int

    public static func open() throws(SmokeError) -> LoopbackListener {
        func failure(_ what: String) -> SmokeError {
            SmokeError(
                .modelServerFailed,
                "scripted model server: cannot \(what) on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("create a socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socket in
                bind(fd, socket, length) == 0 && listen(fd, 128) == 0 && getsockname(fd, socket, &length) == 0
            }
        }
        guard bound else {
            let error = failure("listen")
            close(fd)
            throw error
        }
        return LoopbackListener(descriptor: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }
}
