import Foundation
import ProbeKit
import SmokeCore
import Testing

@Suite struct ProbeConfigurationTests {
    @Test func flagWinsOverEnvironment() throws {
        let url = try ProbeConfiguration.resolveURL(
            flag: "http://127.0.0.1:1/a", environment: ["PROBE_URL": "http://127.0.0.1:2/b", "PROXY_PORT": "3"])
        #expect(url.absoluteString == "http://127.0.0.1:1/a")
    }

    @Test func probeURLThenProxyPort() throws {
        #expect(
            try ProbeConfiguration.resolveURL(flag: nil, environment: ["PROBE_URL": "http://h:2/b", "PROXY_PORT": "3"])
                .absoluteString == "http://h:2/b")
        #expect(
            try ProbeConfiguration.resolveURL(flag: nil, environment: ["PROXY_PORT": "9123"]).absoluteString
                == "http://127.0.0.1:9123/mcp")
    }

    @Test func noURLAtAllIsUsageError() {
        #expect(throws: SmokeError.self) { try ProbeConfiguration.resolveURL(flag: nil, environment: [:]) }
        do {
            _ = try ProbeConfiguration.resolveURL(flag: nil, environment: [:])
        } catch {
            #expect(error.code == .missingURL)
            #expect(error.exit == .invalidInput)
        }
    }

    @Test(arguments: ["ftp://host/x", "not a url", "http:///nohost", "127.0.0.1:80/mcp"])
    func badURLsAreRejected(text: String) {
        do {
            _ = try ProbeConfiguration.validateURL(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidURL)
        }
    }

    @Test func headerIsSplitAtTheFirstColon() throws {
        let header = try ProbeConfiguration.parseHeader("X-Trace:  a:b ")
        #expect(header.name == "X-Trace")
        #expect(header.value == "a:b")
    }

    @Test(arguments: ["no colon", ": empty name", "Bad Name: x", "X: a\r\nInjected: 1"])
    func malformedHeadersAreRejected(text: String) {
        do {
            _ = try ProbeConfiguration.parseHeader(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidHeader)
            #expect(error.exit == .invalidInput)
        }
    }

    @Test func authorizationValueIsRegisteredForRedaction() throws {
        let secret = "tok-\(UUID().uuidString)"
        _ = try ProbeConfiguration.parseHeader("Authorization: Bearer \(secret)")
        #expect(!Redactor.shared.redact("sent \(secret)").contains(secret))
    }

    @Test func toolWaitOnlyWhenAsked() {
        let url = URL(string: "http://127.0.0.1:1/mcp")!
        #expect(!ProbeConfiguration(url: url).waitsForCatalog)
        #expect(ProbeConfiguration(url: url, minTools: 1).waitsForCatalog)
        #expect(ProbeConfiguration(url: url, requiredTools: ["x"]).waitsForCatalog)
        #expect(ProbeConfiguration(url: url, toolsOut: "/tmp/x").waitsForCatalog)
    }
}
