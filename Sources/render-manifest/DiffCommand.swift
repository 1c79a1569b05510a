import ArgumentParser
import Foundation
import GitKit
import ManifestKit
import SmokeCLI
import SmokeCore

struct DiffCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract:
            "Classify every change between two tool surfaces as breaking or compatible (exit 1 on a breaking change).",
        discussion: """
            render-manifest diff BASE HEAD: two files, each a curated manifest.json, a tools/list result or a \
            JSON-RPC response (- reads stdin for one of them).
            render-manifest diff --base-ref REV [--repo DIR] [render flags]: the working tree's render against \
            the same render of the inputs as they were at REV (read through libgit2; nothing is written).
            """)

    @OptionGroup var common: CommonOptions

    @Argument(
        help: ArgumentHelp("BASE and HEAD surfaces (files; - is stdin), unless --base-ref is given.", valueName: "file")
    )
    var surfaces: [String] = []

    @Option(
        help: ArgumentHelp(
            "Render the inputs as they were at this git revision and diff against the working tree's render.",
            valueName: "rev"))
    var baseRef: String?
    @Option(
        help: ArgumentHelp(
            "The repository for --base-ref (default: the one enclosing the working directory).", valueName: "dir"))
    var repo: String?
    @Flag(help: "Report breaking changes but exit 0.")
    var allowBreaking = false

    @OptionGroup var render: RenderFlags

    func execute() async throws -> ToolOutcome {
        let report: SurfaceDiffReport
        if let baseRef {
            guard surfaces.isEmpty else {
                throw SmokeError(
                    .usage, "diff --base-ref takes no BASE/HEAD files (got \(surfaces.joined(separator: " ")))")
            }
            let options = render.options
            report = try RevisionDiff.run(options, revision: baseRef) { directory, inputs throws(SmokeError) in
                let tree = try RevisionExport.export(
                    revision: baseRef, repository: repo, searchFrom: options.workingDirectory, into: directory,
                    ignoredPaths: inputs)
                return ExportedRevision(
                    workTree: tree.workTree, directory: directory, revision: tree.revision, commit: tree.commit,
                    headCommit: tree.headCommit, ignored: tree.ignored)
            }
        } else {
            guard surfaces.count == 2 else {
                throw SmokeError(
                    .usage, "diff needs BASE and HEAD files, or --base-ref REV (got \(surfaces.count) file(s))")
            }
            guard !render.given, repo == nil else {
                throw SmokeError(
                    .usage, "render flags and --repo go with --base-ref; BASE and HEAD files are compared as they are")
            }
            guard surfaces != ["-", "-"] else {
                throw SmokeError(.usage, "diff: only one of BASE and HEAD can be - (stdin)")
            }
            report = SurfaceDiff.compare(base: try Self.read(surfaces[0]), head: try Self.read(surfaces[1]))
        }
        let log = Log(tool: RenderManifestCommand.toolName, quiet: common.quiet)
        for warning in report.warnings { log.info("warning: \(warning)") }
        let summary = report.summary(allowBreaking: allowBreaking)
        if let error = report.error(allowBreaking: allowBreaking) { return .failure(error, summary) }
        return .success(summary)
    }

    static func read(_ path: String) throws(SmokeError) -> ToolSurface {
        let source = path == "-" ? "stdin" : path
        let value =
            path == "-"
            ? try ManifestJSON.parse(FileHandle.standardInput.readDataToEndOfFile(), source: source)
            : try ManifestJSON.load(path: path)
        return try ToolSurface.read(value, source: source, origin: ["kind": "file", "path": .string(source)])
    }
}
