import ProbeKit
import Testing

@Suite struct ProbeKitLinkTests {
    @Test func domainIsNamed() { #expect(!ProbeKitInfo.domain.isEmpty) }
}
