import ArgumentParser
import GitKit
import SmokeCLI
import SmokeCore

@main
struct GitCleanCheckCommand: ToolMain {
    static let toolName = "git-clean-check"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Clone with libgit2, snapshot a working tree's status, verify it is clean or unchanged.",
        version: SmokeVersion.current,
        subcommands: [CloneCommand.self, SnapshotCommand.self, VerifyCommand.self]
    )

    /// ToolMain's entry point, after starting libgit2's initialisation beside the argument parsing
    /// when the subcommand will need it.
    static func main() async {
        if let subcommand = CommandLine.arguments.dropFirst().first,
            ["snapshot", "verify", "clone"].contains(subcommand)
        {
            LibGit2.prepareForShortLivedProcess()
        }
        await ToolRunner.run(root: Self.self, tool: toolName)
    }
}
