import GitKit
import Testing

@Suite struct GitKitLinkTests {
    @Test func domainIsNamed() { #expect(!GitKitInfo.domain.isEmpty) }
}
