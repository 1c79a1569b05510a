import Foundation
import PortKit
import SmokeTestSupport
import Testing

/// Parsing of /proc/net/tcp{,6} text: fixtures in the kernel's exact format, then the live table.
@Suite struct TCPSocketTableTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: "\(PortFixtures.directory)/\(name)", encoding: .utf8)
    }

    @Test func ipv4RowsDecodeAddressPortStateUidInode() throws {
        let rows = TCPSocketTable.parse(try Self.fixture("proc-net-tcp"), family: .ipv4)
        // Six data rows, one of them truncated garbage that must be skipped, not fatal.
        #expect(rows.count == 5)
        let listen = try #require(rows.first)
        #expect(listen.localEndpoint == "127.0.0.1:8080")
        #expect(listen.isListening)
        #expect(listen.uid == 0)
        #expect(listen.inode == 622)
        #expect(rows[1].localEndpoint == "0.0.0.0:20000")
        #expect(rows[1].uid == 65534)
        #expect(rows[2].stateName == "ESTABLISHED")
        #expect(rows[2].remoteEndpoint == "127.0.0.1:8080")
        #expect(!rows[2].isListening)
        #expect(rows[3].stateName == "TIME_WAIT")
        #expect(rows[3].inode == 0)
        #expect(rows[4].localEndpoint == "192.0.2.2:443")
        #expect(rows[4].uid == 1000)
        #expect(rows.filter(\.isListening).map(\.localPort) == [8080, 20000])
    }

    @Test func ipv6RowsIncludingIPv4MappedAddresses() throws {
        let rows = TCPSocketTable.parse(try Self.fixture("proc-net-tcp6"), family: .ipv6)
        #expect(
            rows.map(\.localEndpoint) == [
                "[::1]:8080", "[::]:8081", "[::ffff:127.0.0.1]:8082", "[2001:db8::1]:80",
            ])
        #expect(rows[3].remoteEndpoint == "[::ffff:127.0.0.1]:50000")
        #expect(rows.map(\.isListening) == [true, true, true, false])
        #expect(rows[2].uid == 33)
        #expect(rows.map(\.inode) == [700, 701, 702, 703])
    }

    @Test(arguments: ["", "0100007F", "0100007F:1F9", "XYZ0007F:1F90", "0100007F:1F90:00"])
    func malformedAddressesAreRejected(text: String) {
        #expect(ProcAddress.decode(Substring(text), family: .ipv4) == nil)
    }

    @Test func everyKnownStateHasItsKernelCode() {
        #expect(TCPState.listen.rawValue == 0x0A)
        #expect(TCPState.timeWait.rawValue == 0x06)
        #expect(Set(TCPState.allCases.map(\.name)).count == TCPState.allCases.count)
    }

    @Test func liveTableShowsAListenerTheTestStarted() throws {
        let listener = try InProcessListener()
        defer { listener.close() }
        let rows = TCPSocketTable.read().filter { $0.localPort == listener.port && $0.isListening }
        #expect(rows.count == 1)
        #expect(rows.first?.localEndpoint == "127.0.0.1:\(listener.port)")
        #expect(rows.first?.uid == getuid())
        #expect((rows.first?.inode ?? 0) > 0)
    }
}
