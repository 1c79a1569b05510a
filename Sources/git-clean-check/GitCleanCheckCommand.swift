import ArgumentParser
import GitKit
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
}
