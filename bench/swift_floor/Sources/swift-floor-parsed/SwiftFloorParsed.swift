// What every tool of the package has besides its Kit: ArgumentParser (FoundationEssentials with it).
import ArgumentParser
import CGitFloor
import Glibc

@main
struct SwiftFloorParsed: ParsableCommand {
    @Argument(help: "The repository's working tree.")
    var repo: String

    @Option(name: .customLong("workdir-only"), help: "Split as git-clean-check splits, on this many threads.")
    var threads: Int?

    func run() throws {
        let arguments = ["swift-floor-parsed", repo] + (threads.map { ["--workdir-only", String($0)] } ?? [])
        var argv = arguments.map { strdup($0) } + [nil]
        Glibc.exit(git_floor_main(Int32(arguments.count), &argv))
    }
}
