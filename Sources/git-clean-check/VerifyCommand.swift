import ArgumentParser
import GitKit
import SmokeCLI
import SmokeCore

struct VerifyCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Exit 0 when DIR is clean (or unchanged against --baseline), else exit 1 with the changed entries.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Top-level directory of a working tree.") var dir: String
    @Option(help: "A snapshot file (snapshot --out) the tree must still match.") var baseline: String?

    func execute() async throws -> ToolOutcome {
        // Read the baseline first: a bad baseline is bad input whatever the tree looks like.
        let expected = try baseline.map { path throws(SmokeError) in try StatusSnapshot.loadBaseline(path: path) }
        let verdict = CleanVerdict(current: try StatusReader.snapshot(directory: dir), baseline: expected)
        var fields = verdict.current.fields
        fields["changed"] = .array(verdict.changed.map(\.json))
        if let baseline { fields["baseline"] = .string(baseline) }
        if let failure = verdict.failure { return .failure(failure, fields) }
        return .success(fields)
    }
}
