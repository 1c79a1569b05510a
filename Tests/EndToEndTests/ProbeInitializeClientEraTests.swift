import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// stack/stelae_proxy.py logs, once per distinct (era, version, client), the era and protocol
/// version each client spoke (what the chain's `era` step compares): the built probe-initialize
/// in each era is the client here.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProbeInitializeClientEraTests {
    static func eraLines(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.hasPrefix("stelae-proxy: client=") }
    }

    @Test func eachDistinctEraVersionAndClientIsLoggedOnce() throws {
        let stack = try StelaeProxyTests.Stack()
        for (era, version) in [
            ("legacy", "2025-06-18"), ("legacy", "2025-06-18"), ("modern", "2026-07-28"), ("legacy", "2025-03-26"),
        ] {
            let probe = try ToolRun.run(
                "probe-initialize",
                [
                    "--url", stack.url, "--deadline", "20", "--era", era, "--protocol-version", version, "--min-tools",
                    "1",
                ], environment: StelaeProxyTests.environment())
            #expect(probe.status == 0, "\(probe.stdout)\n\(probe.stderr)")
            #expect(probe.json["era"] == .string(era))
            #expect(probe.json["protocol_version"] == .string(version))
        }
        // Lines come as the requests arrive; the last probe's are there once its answer was printed.
        #expect(
            Self.eraLines(stack.log) == [
                "stelae-proxy: client=probe-initialize era=legacy protocol_version=2025-06-18",
                "stelae-proxy: client=probe-initialize era=modern protocol_version=2026-07-28",
                "stelae-proxy: client=probe-initialize era=legacy protocol_version=2025-03-26",
            ], "\(stack.log)")
    }
}
