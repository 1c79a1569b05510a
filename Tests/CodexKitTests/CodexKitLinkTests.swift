import CodexKit
import Testing

@Suite struct CodexKitLinkTests {
    @Test func domainIsNamed() { #expect(!CodexKitInfo.domain.isEmpty) }
}
