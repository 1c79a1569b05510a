import ArgumentParser
import GitKit
import SmokeCLI
import SmokeCore

struct SnapshotCommand: ToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print DIR's status entries (as git status --porcelain=v1 -uall; ignored files excluded).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Top-level directory of a working tree.") var dir: String
    @Option(help: "Also write the snapshot (without run metadata) atomically to FILE, for verify --baseline.")
    var out: String?

    func execute() async throws -> ToolOutcome {
        let snapshot = try StatusReader.snapshot(directory: dir)
        var fields = snapshot.fields
        if let out {
            try FileIO.writeJSON(.object(snapshot.fields), to: out)
            fields["out"] = .string(out)
        }
        return .success(fields)
    }
}
