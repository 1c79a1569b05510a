import Glibc

/// Decodes the hex socket addresses of `/proc/net/tcp{,6}`.
///
/// The kernel prints each 32-bit word of the address with `%08X` in host byte order, so the
/// memory bytes of the parsed word are the address bytes in network order on any endianness.
public enum ProcAddress {
    public enum Family: String, Sendable {
        case ipv4
        case ipv6
    }

    /// `"0100007F:1F90"` → (`"127.0.0.1"`, 8080); nil when the text is not a valid address.
    public static func decode(_ text: Substring, family: Family) -> (host: String, port: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 4, let port = Int(parts[1], radix: 16) else { return nil }
        switch family {
        case .ipv4:
            guard parts[0].count == 8, let word = UInt32(parts[0], radix: 16) else { return nil }
            return (formatIPv4(word), port)
        case .ipv6:
            guard parts[0].count == 32 else { return nil }
            var bytes: [UInt8] = []
            var index = parts[0].startIndex
            for _ in 0..<4 {
                let end = parts[0].index(index, offsetBy: 8)
                guard let word = UInt32(parts[0][index..<end], radix: 16) else { return nil }
                withUnsafeBytes(of: word) { bytes.append(contentsOf: $0) }
                index = end
            }
            return (formatIPv6(bytes), port)
        }
    }

    static func formatIPv4(_ word: UInt32) -> String {
        var address = in_addr(s_addr: word)
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func formatIPv6(_ bytes: [UInt8]) -> String {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { raw in
            for (offset, byte) in bytes.prefix(16).enumerated() { raw[offset] = byte }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `host:port`, with IPv6 hosts in brackets as in URLs.
    public static func endpoint(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
