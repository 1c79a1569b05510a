import ManifestKit
import Testing

@Suite struct ManifestKitLinkTests {
    @Test func domainIsNamed() { #expect(!ManifestKitInfo.domain.isEmpty) }
}
