import Glibc
import SmokeCore

/// Proof that a port is free: bind (and listen on) it at 127.0.0.1 and at the wildcard
/// addresses, the way a server about to start would. SO_REUSEADDR is set, as servers set it, so
/// TIME_WAIT leftovers of a well-behaved server do not count as busy. IPV6_V6ONLY keeps the
/// `::` check about IPv6 alone (0.0.0.0 is checked on its own).
public struct BindCheck: Sendable, Hashable {
    public enum Status: String, Sendable {
        /// Bound and listened, then closed again.
        case ok
        /// EADDRINUSE: something holds the port at this address.
        case inUse = "in_use"
        /// EACCES: a privileged port for an unprivileged user.
        case denied
        /// The address family or address does not exist here (no IPv6): nothing can hold it.
        case unavailable
        case error
    }

    public var address: String
    public var status: Status
    public var detail: String?

    public init(address: String, status: Status, detail: String?) {
        self.address = address
        self.status = status
        self.detail = detail
    }

    public var blocksPort: Bool { status != .ok && status != .unavailable }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["address": .string(address), "status": .string(status.rawValue)]
        if let detail { object["detail"] = .string(detail) }
        return .object(object)
    }

    /// The addresses checked, in order: 127.0.0.1, 0.0.0.0, ::.
    public static func run(port: Int) -> [BindCheck] {
        [
            check(family: AF_INET, host: "127.0.0.1", port: port),
            check(family: AF_INET, host: "0.0.0.0", port: port),
            check(family: AF_INET6, host: "::", port: port),
        ]
    }

    static func check(family: Int32, host: String, port: Int) -> BindCheck {
        let address = ProcAddress.endpoint(host: host, port: port)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            if code == EAFNOSUPPORT { return BindCheck(address: address, status: .unavailable, detail: describe(code)) }
            return BindCheck(address: address, status: .error, detail: "socket(): \(describe(code))")
        }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var result: Int32
        if family == AF_INET {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(port)).bigEndian
            inet_pton(AF_INET, host, &socketAddress.sin_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = in_port_t(UInt16(port)).bigEndian
            inet_pton(AF_INET6, host, &socketAddress.sin6_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        // listen() too: a bound socket is not yet a server, and listen can still collide.
        if result == 0 { result = listen(fd, 1) }
        if result == 0 { return BindCheck(address: address, status: .ok, detail: nil) }
        let code = errno
        switch code {
        case EADDRINUSE: return BindCheck(address: address, status: .inUse, detail: describe(code))
        case EACCES, EPERM: return BindCheck(address: address, status: .denied, detail: describe(code))
        case EADDRNOTAVAIL, EAFNOSUPPORT:
            return BindCheck(address: address, status: .unavailable, detail: describe(code))
        default: return BindCheck(address: address, status: .error, detail: describe(code))
        }
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
