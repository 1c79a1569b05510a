import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// docs/error-codes.md is generated from `ErrorCode`; this fails when they disagree.
/// Regenerate with `SMOKE_WRITE_ERROR_CODES=1 swift test --filter ErrorCodeTableTests`.
@Suite struct ErrorCodeTableTests {
    static let path = "\(ProjectPaths.root)/docs/error-codes.md"

    @Test func docsTableIsTheGeneratedOne() throws {
        let generated = ErrorCode.markdownTable()
        if ProcessInfo.processInfo.environment["SMOKE_WRITE_ERROR_CODES"] == "1" {
            try FileIO.writeAtomically(generated, to: Self.path)
        }
        let documented = try String(contentsOfFile: Self.path, encoding: .utf8)
        #expect(documented == generated, "docs/error-codes.md is stale: regenerate it (see this suite's comment)")
    }

    @Test func everyCodeHasOneRowWithAnExitAndAMeaning() {
        let table = ErrorCode.markdownTable()
        for code in ErrorCode.allCases {
            let rows = table.split(separator: "\n").filter { $0.hasPrefix("| `\(code.rawValue)` |") }
            #expect(rows.count == 1, "\(code.rawValue)")
            #expect(
                !code.entry.exits.isEmpty && !code.entry.meaning.isEmpty && !code.entry.tools.isEmpty,
                "\(code.rawValue)")
            #expect(!code.entry.exits.contains(.ok), "\(code.rawValue) exits 0")
            #expect(
                code.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" },
                "\(code.rawValue) is not snake_case")
        }
    }

    @Test func anErrorTakesItsCodesExitUnlessTheTableAllowsAnother() {
        #expect(SmokeError(.invalidJSON, "x").exit == .invalidInput)
        #expect(SmokeError(.dirtyWorktree, "x").exit == .checkFailed)
        #expect(SmokeError(.timeout, "x").exit == .timeout)
        #expect(SmokeError(.timeout, "x", exit: .checkFailed).exit == .checkFailed)
        #expect(SmokeError(.writeFailed, "x").json == ["code": "write_failed", "message": "x"])
    }
}
