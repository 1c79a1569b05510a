import PortKit
import Testing

@Suite struct PortKitLinkTests {
    @Test func domainIsNamed() { #expect(!PortKitInfo.domain.isEmpty) }
}
