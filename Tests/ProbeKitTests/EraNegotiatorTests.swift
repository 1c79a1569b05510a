import Foundation
import ProbeKit
import SmokeCore
import Testing

/// The era decision, step by step, against the branches of the pinned SDK's `negotiate_auto`
/// (`mcp/client/_probe.py`), `ClientSession.discover` and `ClientSession.initialize`.
@Suite struct EraNegotiatorTests {
    static let discover: JSONValue = [
        "supportedVersions": ["2026-07-28"], "capabilities": ["tools": [:]], "resultType": "complete",
        "_meta": ["io.modelcontextprotocol/serverInfo": ["name": "s", "version": "1"]],
    ]
    static let initialize: JSONValue = [
        "protocolVersion": "2025-06-18", "capabilities": [:], "serverInfo": ["name": "s"],
    ]

    static func unsupported(_ supported: [String], requested: String = "2026-07-28") -> EraAnswer {
        .rpcError(
            RPCError(
                code: -32022, message: "Unsupported protocol version",
                data: ["supported": .array(supported.map(JSONValue.string)), "requested": .string(requested)]))
    }

    static func negotiator(_ choice: EraChoice, _ version: String? = nil) -> EraNegotiator {
        EraNegotiator(settings: EraSettings(choice: choice, protocolVersion: version))
    }

    @Test func startsWithDiscoverUnlessLegacy() {
        #expect(Self.negotiator(.auto).start() == .discover(version: "2026-07-28"))
        #expect(Self.negotiator(.modern).start() == .discover(version: "2026-07-28"))
        #expect(Self.negotiator(.legacy).start() == .initialize(version: "2025-06-18"))
    }

    @Test func protocolVersionGoesToTheEraItBelongsTo() {
        #expect(EraSettings(choice: .auto, protocolVersion: "2025-03-26").handshakeVersion == "2025-03-26")
        #expect(EraSettings(choice: .auto, protocolVersion: "2025-03-26").modernVersion == "2026-07-28")
        #expect(EraSettings(choice: .auto, protocolVersion: "2027-01-01").modernVersion == "2027-01-01")
        #expect(EraSettings(choice: .legacy, protocolVersion: "2027-01-01").handshakeVersion == "2027-01-01")
        #expect(EraSettings(choice: .modern, protocolVersion: "2025-06-18").modernVersion == "2025-06-18")
    }

    @Test func aDiscoverResultWithAModernVersionAdoptsTheHighestMutualOne() {
        var negotiator = Self.negotiator(.auto)
        guard case .modern(let version, let result) = negotiator.discoverAnswered(.result(Self.discover)) else {
            Issue.record("not modern")
            return
        }
        #expect(version == "2026-07-28")
        #expect(result.serverInfo?["name"] == "s")
        #expect(negotiator.fallbackReason == nil)
    }

    @Test(arguments: [
        EraAnswer.rpcError(RPCError(code: -32601, message: "Method not found")),
        .rpcError(RPCError(code: -32600, message: "Bad Request: Missing session ID")),
        .rpcError(RPCError(code: -32020, message: "mcp-method header does not match")),
        .rpcError(RPCError(code: -32602, message: "Invalid request parameters")),
        .unusable("HTTP 404 Not Found"),
        .unusable("HTTP 200 body is neither JSON nor an event stream"),
        // -32022 whose data does not read is not actionable: a fallback.
        .rpcError(RPCError(code: -32022, message: "Unsupported", data: ["supported": ["2026-07-28"]])),
        // -32022 listing handshake versions (a dual server without this modern version): a fallback.
        unsupported(["2025-06-18", "2099-01-01"]),
        // A result that does not read, or one that lists no modern version: a fallback.
        .result(["capabilities": [:]]),
        .result(["supportedVersions": ["2025-06-18"], "capabilities": [:]]),
        .result(["supportedVersions": ["2026-07-28"], "capabilities": [:], "cacheScope": "everyone"]),
    ])
    func autoFallsBackOnEverythingButADisjointModernOnlyAnswer(_ answer: EraAnswer) {
        var negotiator = Self.negotiator(.auto)
        #expect(negotiator.discoverAnswered(answer) == .initialize(version: "2025-06-18"))
        #expect(negotiator.fallbackReason != nil)
        #expect(negotiator.initializeAnswered(.result(Self.initialize)) == .legacy(result: Self.initialize))
    }

    @Test func aDisjointModernOnlyUnsupportedIsTheOneRealIncompatibility() {
        var negotiator = Self.negotiator(.auto)
        guard case .failed(let failure) = negotiator.discoverAnswered(Self.unsupported(["2099-01-01"])) else {
            Issue.record("no failure")
            return
        }
        #expect(failure.kind == .unsupportedProtocolVersion)
        #expect(failure.supported == ["2099-01-01"])
        #expect(failure.rpcError?.code == -32022)
    }

    @Test func unsupportedNamingAMutualVersionIsAskedAgainOnceAtIt() {
        var negotiator = Self.negotiator(.auto, "2027-01-01")
        #expect(negotiator.start() == .discover(version: "2027-01-01"))
        #expect(
            negotiator.discoverAnswered(Self.unsupported(["2026-07-28"], requested: "2027-01-01"))
                == .discover(version: "2026-07-28"))
        // Only once: the same answer again, and the modern-only list ends it.
        guard case .failed(let failure) = negotiator.discoverAnswered(Self.unsupported(["2026-07-28"])) else {
            Issue.record("no failure")
            return
        }
        #expect(failure.kind == .unsupportedProtocolVersion)
    }

    @Test func theFallbackHandshakeAnsweredUnsupportedReProbesAtTheMutualVersion() {
        var negotiator = Self.negotiator(.auto)
        #expect(negotiator.discoverAnswered(.unusable("timed out on the server")) == .initialize(version: "2025-06-18"))
        #expect(
            negotiator.initializeAnswered(Self.unsupported(["2026-07-28"], requested: "2025-06-18"))
                == .discover(version: "2026-07-28"))
        guard case .modern = negotiator.discoverAnswered(.result(Self.discover)) else {
            Issue.record("not modern")
            return
        }
    }

    @Test func modernDoesNotFallBack() {
        for answer in [EraAnswer.rpcError(RPCError(code: -32601, message: "Method not found")), .unusable("HTTP 405")] {
            var negotiator = Self.negotiator(.modern)
            guard case .failed(let failure) = negotiator.discoverAnswered(answer) else {
                Issue.record("no failure for \(answer)")
                continue
            }
            #expect(failure.kind == .modernUnsupported)
        }
        var mismatch = Self.negotiator(.modern)
        guard
            case .failed(let failure) = mismatch.discoverAnswered(
                .rpcError(RPCError(code: -32020, message: "mismatch")))
        else {
            Issue.record("no failure")
            return
        }
        #expect(failure.kind == .headerMismatch)
        var handshakeOnly = Self.negotiator(.modern)
        guard
            case .failed(let listed) = handshakeOnly.discoverAnswered(
                .result(["supportedVersions": ["2025-06-18"], "capabilities": [:]]))
        else {
            Issue.record("no failure")
            return
        }
        #expect(listed.kind == .modernUnsupported)
        #expect(listed.supported == ["2025-06-18"])
        // Like ClientSession.discover: one re-probe at a mutual version, even a dual list's.
        var dual = Self.negotiator(.modern, "2027-01-01")
        #expect(
            dual.discoverAnswered(Self.unsupported(["2025-06-18", "2026-07-28"])) == .discover(version: "2026-07-28"))
    }

    @Test func legacyNamesAModernOnlyServersRefusal() {
        var negotiator = Self.negotiator(.legacy)
        guard
            case .failed(let failure) = negotiator.initializeAnswered(
                Self.unsupported(["2026-07-28"], requested: "2025-06-18"))
        else {
            Issue.record("no failure")
            return
        }
        #expect(failure.kind == .unsupportedProtocolVersion)
        #expect(failure.message.contains("the modern era"))
        var other = Self.negotiator(.legacy)
        guard case .failed(let rejected) = other.initializeAnswered(.rpcError(RPCError(code: -32602, message: "bad")))
        else {
            Issue.record("no failure")
            return
        }
        #expect(rejected.kind == .answerRejected)
    }

    @Test func discoverResultReadsLikeTheSDKModel() throws {
        let parsed = try DiscoverResult.parse(Self.discover).get()
        #expect(parsed.supportedVersions == ["2026-07-28"])
        #expect(parsed.resultType == "complete")
        // A negative ttlMs is floored, not refused (_clamp_inbound_ttl); a non-integer is refused.
        #expect((try? DiscoverResult.parse(["supportedVersions": [], "capabilities": [:], "ttlMs": -5]).get()) != nil)
        #expect(
            (try? DiscoverResult.parse(["supportedVersions": [], "capabilities": [:], "ttlMs": "soon"]).get()) == nil)
        #expect((try? DiscoverResult.parse(["supportedVersions": [1], "capabilities": [:]]).get()) == nil)
        #expect(UnsupportedVersionData(["supported": ["2026-07-28"], "requested": "x"])?.modernOnly == true)
        #expect(UnsupportedVersionData(["supported": ["2026-07-28"]]) == nil)
    }
}
