import Foundation
import ManifestKit
import SmokeCore
import Testing

/// Hostile env files end in a clear error (regressions: a 200,000-long `${…}` chain overflowed
/// the stack, SIGSEGV; 40 doubling lines built a terabyte string).
@Suite struct EnvExpansionBoundsTests {
    static func resolve(_ text: String) -> Result<ResolvedEnvironment, SmokeError> {
        Result { () throws(SmokeError) in
            try ResolvedEnvironment.resolve([EnvLayer(source: "hostile.env", values: EnvFile.parse(text))])
        }
    }

    @Test func aLongReferenceChainIsTooDeepNotACrash() {
        let count = 200_000
        let text = (0..<count).map { "A\($0)=${A\($0 + 1)}\n" }.joined() + "A\(count)=end\n"
        guard case .failure(let error) = Self.resolve(text) else {
            Issue.record("a 200,000-deep chain resolved")
            return
        }
        #expect(error.code == .variableTooDeep)
        #expect(error.exit == .invalidInput)
        #expect(error.message.hasPrefix("hostile.env: "))
    }

    @Test func aChainWithinTheLimitResolves() throws {
        let depth = ResolvedEnvironment.maximumExpansionDepth - 1
        let text = (0..<depth).map { "A\($0)=${A\($0 + 1)}\n" }.joined() + "A\(depth)=end\n"
        #expect(try Self.resolve(text).get()["A0"] == "end")
    }

    @Test func doublingExpansionIsTooLargeNotAMemoryBomb() {
        let levels = 40
        let text = (0..<levels).map { "B\($0)=${B\($0 + 1)}${B\($0 + 1)}\n" }.joined() + "B\(levels)=xx\n"
        guard case .failure(let error) = Self.resolve(text) else {
            Issue.record("a 2^41-byte value resolved")
            return
        }
        #expect(error.code == .variableTooLarge)
        #expect(error.fields["variable"] != nil)
    }

    @Test func aLargeLiteralValueIsNotCapped() throws {
        let big = String(repeating: "e", count: ResolvedEnvironment.maximumExpandedBytes + 1)
        #expect(try Self.resolve("BIG=\(big)\nREF=x\n").get()["BIG"]?.utf8.count == big.utf8.count)
    }
}
