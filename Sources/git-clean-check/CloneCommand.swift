import ArgumentParser
import GitKit
import SmokeCLI
import SmokeCore

struct CloneCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Clone SOURCE (path, file:// or https:// URL) into DEST. Only committed content is cloned.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Local repository path, file:// URL or https:// URL.") var source: String
    @Argument(help: "Destination directory: new or empty (any directory with --force).") var dest: String
    @Option(help: "Branch, tag or commit to check out (tags and commits detach HEAD).") var rev: String?
    @Option(help: "Shallow clone depth (needs libgit2 >= 1.7; refused with depth_unsupported otherwise).") var depth:
        Int?
    @Flag(help: "Replace a non-empty DEST (only once the new clone is complete).") var force = false

    func execute() async throws -> ToolOutcome {
        let request = CloneRequest(source: source, destination: dest, revision: rev, depth: depth, force: force)
        let result = try Cloner.clone(request, log: Log(tool: GitCleanCheckCommand.toolName, quiet: common.quiet))
        return .success(result.fields)
    }
}
