import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// `render-manifest diff` through the built binary: two files, and `--base-ref` on a repository
/// built here with the git CLI (the tool itself reads it through libgit2).
@Suite struct RenderManifestDiffTests {
    static let tool = "render-manifest"

    static let template = #"{"mcpProxy": {"addr": ":{{PROXY_PORT}}", "baseURL": "{{PUBLIC_BASE_URL}}"}}"#

    static func catalog(_ tools: [String: String]) -> String {
        let entries = tools.keys.sorted().map { name in
            #""\#(name)": {"description": "\#(name) tool", "inputSchema": \#(tools[name]!)}"#
        }
        return #"{"toolOverrides": {"servers": {"s": {"tools": {\#(entries.joined(separator: ", "))}}}}}"#
    }

    static let query = #"{"type": "object", "properties": {"query": {"type": "string"}}}"#
    static let queryRequired =
        #"{"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}"#

    /// A hermetic environment; TMPDIR is the test's own, so a left-over export would show.
    static func environment(_ root: TempDirectory) throws -> [String: String] {
        try FileManager.default.createDirectory(atPath: root.file("tmp"), withIntermediateDirectories: true)
        var env = [
            "HOME": root.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "TMPDIR": root.file("tmp"),
        ]
        env["GIT_AUTHOR_NAME"] = "E2E"
        env["GIT_AUTHOR_EMAIL"] = "e2e@tests.invalid"
        env["GIT_COMMITTER_NAME"] = "E2E"
        env["GIT_COMMITTER_EMAIL"] = "e2e@tests.invalid"
        return env
    }

    @discardableResult
    static func git(_ script: String, in directory: String, _ environment: [String: String]) throws -> String {
        let result = try ChildProcess.run(
            "bash", ["-euo", "pipefail", "-c", script], cwd: directory, environment: environment)
        try #require(result.status == 0, "\(script): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// History of the render inputs: alpha and beta; beta removed; gamma added. A config home
    /// that git ignores (`local/`) holds a catalog of its own.
    static func repository() throws -> (root: TempDirectory, repo: String, env: [String: String]) {
        let root = try TempDirectory(prefix: "rm-diff-e2e")
        let env = try environment(root)
        let repo = root.file("repo")
        try root.write("repo/template.json", template)
        try root.write("repo/.gitignore", "local/\n")
        try root.write("repo/catalog/core.json", catalog(["alpha": query, "beta": query]))
        try git("git init -q -b main . && git add -A && git commit -q -m 'alpha and beta'", in: repo, env)
        try root.write("repo/catalog/core.json", catalog(["alpha": query]))
        try git("git commit -q -am 'beta removed'", in: repo, env)
        try root.write("repo/catalog/core.json", catalog(["alpha": query, "gamma": query]))
        try git("git commit -q -am 'gamma added'", in: repo, env)
        let aggregate = """
            {"toolAggregations": {"aggregations": [{"name": "local_suite", "description": "Mine.",
              "inputSchema": {"type": "object"}, "operations": [{"value": "a", "downstreamTool": "x"}]}]}}
            """
        try root.write("repo/local/home/catalog/mine.json", aggregate)
        return (root, repo, env)
    }

    static let renderFlags = [
        "--template", "template.json", "--catalog", "catalog/core.json", "--config-home", "local/home",
    ]

    static func diff(_ arguments: [String], cwd: String, _ env: [String: String]) throws -> ToolRun {
        try ToolRun.run(tool, ["diff"] + arguments, cwd: cwd, environment: env)
    }

    static func changes(_ run: ToolRun) -> [String] {
        (run.json["changes"]?.arrayValue ?? []).map {
            "\($0["tool"]?.stringValue ?? "?") \($0["change"]?.stringValue ?? "?") \($0["kind"]?.stringValue ?? "?")"
        }
    }

    @Test func aRemovedToolIsBreakingAndAnAddedOneCompatible() throws {
        let (root, repo, env) = try Self.repository()
        let statusBefore = try Self.git("git status --porcelain=v1 -uall && git rev-parse HEAD", in: repo, env)

        let removed = try Self.diff(["--base-ref", "HEAD~2"] + Self.renderFlags, cwd: repo, env)
        #expect(removed.status == 1, "\(removed.stdout)\(removed.stderr)")
        #expect(removed.errorCode == "breaking_change")
        #expect(Self.changes(removed) == ["beta tool_removed breaking", "gamma tool_added compatible"])
        #expect(removed.json["breaking"] == 1)
        #expect(removed.json["compatible"] == 1)
        #expect(removed.json["base"]?["kind"] == "revision")
        #expect(removed.json["base"]?["revision"] == "HEAD~2")
        #expect(removed.json["base"]?["commit"] == .string(try Self.git("git rev-parse HEAD~2", in: repo, env)))
        // alpha, beta and the ignored config home's local_suite, which is read on both sides (no change from it).
        #expect(removed.json["base"]?["tools"] == 3)
        #expect(removed.json["head"]?["kind"] == "working_tree")
        #expect(removed.json["head"]?["head_commit"] == .string(try Self.git("git rev-parse HEAD", in: repo, env)))
        #expect(removed.json["head"]?["tools"] == 3)

        let added = try Self.diff(["--base-ref", "HEAD~1"] + Self.renderFlags, cwd: repo, env)
        #expect(added.status == 0, "\(added.stdout)")
        #expect(added.json["ok"] == true)
        #expect(Self.changes(added) == ["gamma tool_added compatible"])
        #expect(added.json["breaking"] == 0)

        let allowed = try Self.diff(["--base-ref", "HEAD~2", "--allow-breaking"] + Self.renderFlags, cwd: repo, env)
        #expect(allowed.status == 0)
        #expect(allowed.json["ok"] == true)
        #expect(allowed.json["error"] == nil)
        #expect(allowed.json["allow_breaking"] == true)
        #expect(allowed.json["changes"] == removed.json["changes"])
        #expect(allowed.json["breaking"] == 1)

        // Reading revisions touched nothing: same status, same HEAD, no export left behind.
        #expect(try Self.git("git status --porcelain=v1 -uall && git rev-parse HEAD", in: repo, env) == statusBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.file("tmp")) == [])
    }

    /// What an uncommitted change does to what Codex sees, from a subdirectory of the repository.
    @Test func anUncommittedChangeAgainstHead() throws {
        let (root, repo, env) = try Self.repository()
        try root.write("repo/catalog/core.json", Self.catalog(["alpha": Self.queryRequired, "gamma": Self.query]))
        let run = try Self.diff(
            ["--base-ref", "HEAD", "--template", "../template.json", "--catalog", "core.json", "--scope", "default"],
            cwd: root.file("repo/catalog"), env)
        #expect(run.status == 1, "\(run.stdout)")
        #expect(Self.changes(run) == ["alpha argument_became_required breaking"])
        let change = try #require(run.json["changes"]?.arrayValue?.first)
        #expect(change["json_path"] == "inputSchema.properties.query")
        #expect(change["before"] == "optional")
        #expect(change["after"] == "required")
        #expect(run.json["base"]?["repository"] == .string(repo))
    }

    @Test func unknownRevisionAndMissingRepositoryAreClearErrors() throws {
        let (root, repo, env) = try Self.repository()
        let unknown = try Self.diff(["--base-ref", "no-such-branch"] + Self.renderFlags, cwd: repo, env)
        #expect(unknown.status == 2)
        #expect(unknown.errorCode == "unknown_revision")
        #expect(unknown.json["revision"] == "no-such-branch")
        #expect(
            unknown.json["error"]?["message"]?.stringValue?.contains("revision no-such-branch not found in \(repo)")
                == true)

        let plain = root.file("plain")
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        let notRepo = try Self.diff(["--base-ref", "HEAD", "--repo", plain] + Self.renderFlags, cwd: repo, env)
        #expect(notRepo.status == 2)
        #expect(notRepo.errorCode == "not_a_repository")
        let outside = try Self.diff(["--base-ref", "HEAD", "--template", "\(repo)/template.json"], cwd: plain, env)
        #expect(outside.status == 2)
        #expect(outside.errorCode == "not_a_repository")
        #expect(outside.json["error"]?["hint"] == "run it inside the repository or pass --repo DIR")

        let noTemplate = try Self.diff(["--base-ref", "HEAD", "--template", "nothing.json"], cwd: repo, env)
        #expect(noTemplate.status == 2)
        #expect(noTemplate.errorCode == "file_not_found")
        #expect(noTemplate.json["side"] == "base")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.file("tmp")) == [])
    }

    @Test func twoFilesAnyShape() throws {
        let root = try TempDirectory(prefix: "rm-diff-e2e")
        let env = try Self.environment(root)
        try root.write(
            "manifest.json",
            """
            {"schemaVersion": 1, "tools": [{"name": "grep", "description": "", "server": "s", "annotations": {},
              "inputSchema": {"type": "object", "properties": {"pattern": {"type": "string"},
                "mode": {"type": "string", "enum": ["a", "b"]}}, "required": ["pattern"]},
              "outputSchema": {"type": "object"}}]}
            """)
        let live = """
            {"jsonrpc": "2.0", "id": 2, "result": {"tools": [{"name": "grep",
              "inputSchema": {"type": "object", "properties": {"pattern": {"type": "string"},
                "mode": {"type": "string", "enum": ["a"]}}, "required": ["pattern"]}}]}}
            """
        let run = try ToolRun.run(
            Self.tool, ["diff", "manifest.json", "-"], cwd: root.path, environment: env, stdin: live)
        #expect(run.status == 1, "\(run.stdout)")
        #expect(Self.changes(run) == ["grep enum_value_removed breaking"])
        #expect(run.json["changes"]?.arrayValue?.first?["before"] == "b")
        #expect(run.json["changes"]?.arrayValue?.first?["json_path"] == "inputSchema.properties.mode.enum")
        #expect(run.json["head"] == ["kind": "file", "path": "stdin", "tools": 1])

        let reverse = try ToolRun.run(
            Self.tool, ["diff", "-", "manifest.json", "--pretty"], cwd: root.path, environment: env, stdin: live)
        #expect(reverse.status == 0)
        #expect(Self.changes(reverse) == ["grep enum_widened compatible"])

        for (arguments, code) in [
            (["diff", "manifest.json"], "usage"),
            (["diff", "-", "-"], "usage"),
            (["diff", "manifest.json", "manifest.json", "--catalog", "c.json"], "usage"),
            (["diff", "manifest.json", "missing.json"], "file_not_found"),
        ] {
            let bad = try ToolRun.run(Self.tool, arguments, cwd: root.path, environment: env, stdin: "")
            #expect(bad.status == 2, "\(arguments)")
            #expect(bad.errorCode == code, "\(arguments): \(bad.stdout)")
        }
    }
}
