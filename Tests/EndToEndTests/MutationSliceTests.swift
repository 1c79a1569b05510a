import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// A seeded slice of the command-line mutation test (`make mutate` runs 10,000 per tool):
/// mutated invocations of every built tool end without a signal, with a documented exit code,
/// one JSON document on stdout carrying `error.code` on failure, and no file written by a failed
/// run. The harness is scripts/mutate_cli.py; its report lists every failing invocation.
@Suite(.timeLimit(.minutes(5)))
struct MutationSliceTests {
    /// Sanitized builds run several times slower: a smaller slice keeps the suite bounded there.
    static let perTool = Sanitizer.active ? 20 : 50

    @Test func mutatedCommandLinesKeepTheContract() async throws {
        let report = try await offPool { () throws -> JSONValue in
            let temp = try TempDirectory(prefix: "mutate-slice")
            let python =
                FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
                ? "/usr/bin/python3" : ProjectPaths.python
            let run = try ChildProcess.run(
                python,
                [
                    "\(ProjectPaths.root)/scripts/mutate_cli.py", "--bin", ProjectPaths.products,
                    "--mutations", String(Self.perTool), "--seed", "7", "--jobs", "2", "--report",
                    temp.file("report.json"),
                ])
            guard FileManager.default.fileExists(atPath: temp.file("report.json")) else {
                throw NoMutationReport(stderr: String(run.stderr.suffix(2000)))
            }
            return try JSONValue.load(path: temp.file("report.json"))
        }
        let tools = try #require(report["tools"]?.arrayValue)
        let names = Set(tools.compactMap { $0["tool"]?.stringValue })
        #expect(
            names.isSuperset(of: [
                "render-manifest", "git-clean-check", "port-preflight", "codex-stage", "probe-initialize",
            ]))
        for tool in tools {
            let name = tool["tool"]?.stringValue ?? "?"
            let failures = tool["failures"]?.arrayValue ?? []
            #expect(failures.isEmpty, "\(name): \(failures.prefix(5).map { $0.encodedString() })")
            // Bounded and real: most mutants ran, and they reached more than one outcome.
            #expect((tool["ran"]?.intValue ?? 0) >= Int64(Self.perTool / 2), "\(name) ran too few mutants")
            #expect((tool["exit_codes"]?.objectValue?.count ?? 0) >= 2, "\(name): \(tool["exit_codes"] ?? .null)")
        }
    }
}

/// The mutation script ended without its report (its stderr says why).
struct NoMutationReport: Error, CustomStringConvertible {
    var stderr: String
    var description: String { "mutate_cli.py wrote no report: \(stderr)" }
}
