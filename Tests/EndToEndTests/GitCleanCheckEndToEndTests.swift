import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// The built git-clean-check binary: exit codes and the JSON shape scripts rely on.
@Suite struct GitCleanCheckEndToEndTests {
    static let tool = "git-clean-check"

    static let gitEnvironment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_NAME"] = "E2E"
        env["GIT_AUTHOR_EMAIL"] = "e2e@tests.invalid"
        env["GIT_COMMITTER_NAME"] = "E2E"
        env["GIT_COMMITTER_EMAIL"] = "e2e@tests.invalid"
        return env
    }()

    /// A committed repository under `root/repo`.
    static func repository() throws -> (TempDirectory, String) {
        let root = try TempDirectory(prefix: "gcc-e2e")
        let repo = root.file("repo")
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        let setup = try ChildProcess.run(
            "bash",
            [
                "-euo", "pipefail", "-c",
                "git init -q -b main . && printf 'a\\n' > a.txt && printf '*.log\\n' > .gitignore && git add -A && git commit -q -m init",
            ],
            cwd: repo, environment: gitEnvironment)
        try #require(setup.status == 0, "\(setup.stderr)")
        return (root, repo)
    }

    static func envelopeIsComplete(_ run: ToolRun, ok: Bool) {
        #expect(run.json["tool"] == .string(tool))
        #expect(run.json["ok"] == .bool(ok))
        #expect(run.json["version"]?.stringValue != nil)
        #expect(run.json["elapsed_ms"]?.intValue != nil)
        // One JSON document on stdout, nothing else.
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
    }

    @Test func snapshotOfADirtyTree() throws {
        let (root, repo) = try Self.repository()
        _ = root
        try "more\n".write(toFile: repo + "/a.txt", atomically: false, encoding: .utf8)
        try "new\n".write(toFile: repo + "/new file é.txt", atomically: false, encoding: .utf8)
        try "noise\n".write(toFile: repo + "/x.log", atomically: false, encoding: .utf8)
        let run = try ToolRun.run(Self.tool, ["snapshot", repo])
        #expect(run.status == 0)
        Self.envelopeIsComplete(run, ok: true)
        #expect(run.json["clean"] == false)
        #expect(run.json["branch"] == "main")
        #expect(run.json["head"]?.stringValue?.count == 40)
        #expect(run.json["repo"]?.stringValue == repo)
        let entries = try #require(run.json["entries"]?.arrayValue)
        #expect(
            entries == [
                ["path": "a.txt", "index": " ", "worktree": "M"],
                ["path": "new file é.txt", "index": "?", "worktree": "?"],
            ])
    }

    @Test func snapshotOutThenVerifyBaseline() throws {
        let (root, repo) = try Self.repository()
        try "dirty\n".write(toFile: repo + "/a.txt", atomically: false, encoding: .utf8)
        let baseline = root.file("state/baseline.json")
        let snapshot = try ToolRun.run(Self.tool, ["snapshot", repo, "--out", baseline])
        #expect(snapshot.status == 0)
        #expect(snapshot.json["out"] == .string(baseline))
        let written = try JSONValue.load(path: baseline)
        // The file holds the snapshot without run metadata, so re-runs write identical bytes.
        #expect(written["entries"] == snapshot.json["entries"])
        #expect(written["elapsed_ms"] == nil)
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: baseline))
        _ = try ToolRun.run(Self.tool, ["snapshot", repo, "--out", baseline])
        #expect(try Data(contentsOf: URL(fileURLWithPath: baseline)) == firstBytes)

        let unchanged = try ToolRun.run(Self.tool, ["verify", repo, "--baseline", baseline])
        #expect(unchanged.status == 0)
        Self.envelopeIsComplete(unchanged, ok: true)
        #expect(unchanged.json["changed"] == [])

        try "new\n".write(toFile: repo + "/b.txt", atomically: false, encoding: .utf8)
        let changed = try ToolRun.run(Self.tool, ["verify", repo, "--baseline", baseline])
        #expect(changed.status == 1)
        Self.envelopeIsComplete(changed, ok: false)
        #expect(changed.errorCode == "dirty_worktree")
        #expect(changed.json["error"]?["message"]?.stringValue?.contains("b.txt") == true)
        #expect(changed.json["changed"] == [["path": "b.txt", "index": "?", "worktree": "?", "baseline": nil]])
    }

    @Test func verifyWithoutBaseline() throws {
        let (root, repo) = try Self.repository()
        _ = root
        let clean = try ToolRun.run(Self.tool, ["verify", repo])
        #expect(clean.status == 0)
        #expect(clean.json["clean"] == true)
        try FileManager.default.removeItem(atPath: repo + "/a.txt")
        let dirty = try ToolRun.run(Self.tool, ["verify", repo])
        #expect(dirty.status == 1)
        #expect(dirty.errorCode == "dirty_worktree")
        #expect(dirty.json["changed"] == [["path": "a.txt", "index": " ", "worktree": "D"]])
    }

    @Test func corruptBaselineIsExitTwo() throws {
        let (root, repo) = try Self.repository()
        let baseline = try root.write("broken.json", "{\"entries\": [")
        let run = try ToolRun.run(Self.tool, ["verify", repo, "--baseline", baseline])
        #expect(run.status == 2)
        #expect(run.errorCode == "invalid_baseline")
        #expect(run.json["error"]?["message"]?.stringValue?.contains(baseline) == true)
    }

    @Test(arguments: [("not_a_repository", true), ("directory_not_found", false)])
    func badDirectoryIsExitTwo(code: String, exists: Bool) throws {
        let root = try TempDirectory(prefix: "gcc-e2e")
        let directory = exists ? root.path : root.file("missing")
        for subcommand in ["snapshot", "verify"] {
            let run = try ToolRun.run(Self.tool, [subcommand, directory])
            #expect(run.status == 2)
            #expect(run.errorCode == code)
            #expect(run.json["error"]?["message"]?.stringValue?.contains(directory) == true)
        }
    }

    @Test func cloneLocalThenRefuseNonEmpty() throws {
        let (root, repo) = try Self.repository()
        let dest = root.file("clone")
        let run = try ToolRun.run(Self.tool, ["clone", repo, dest])
        #expect(run.status == 0, "\(run.stdout)")
        Self.envelopeIsComplete(run, ok: true)
        let head = try ChildProcess.run("git", ["rev-parse", "HEAD"], cwd: repo)
        #expect(run.json["head"]?.stringValue == head.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(run.json["committed_only"] == true)
        #expect(run.json["note"]?.stringValue?.isEmpty == false)
        #expect(run.json["source"] == .string(repo))
        #expect(run.json["dest"] == .string(dest))
        #expect(run.json["branch"] == "main")

        let again = try ToolRun.run(Self.tool, ["clone", repo, dest])
        #expect(again.status == 2)
        #expect(again.errorCode == "dest_not_empty")

        let verify = try ToolRun.run(Self.tool, ["verify", dest])
        #expect(verify.status == 0)
    }

    @Test func cloneFailuresExitCodes() throws {
        let (root, repo) = try Self.repository()
        let badRev = try ToolRun.run(Self.tool, ["clone", repo, root.file("c1"), "--rev", "no-such"])
        #expect(badRev.status == 2)
        #expect(badRev.errorCode == "unknown_revision")
        let unreachable = try ToolRun.run(Self.tool, ["clone", "https://127.0.0.1:1/x.git", root.file("c2")])
        #expect(unreachable.status == 3)
        #expect(unreachable.errorCode == "clone_failed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["repo"])
    }

    @Test func missingSubcommandIsUsageError() throws {
        let run = try ToolRun.run(Self.tool, [])
        #expect(run.status == 2)
        #expect(run.errorCode == "usage")
    }
}
