import Foundation
import SmokeCore
import SmokeTestSupport

/// Paths and helpers shared by the smoke-chain and stack-server tests.
enum SmokePaths {
    static let fixtures = "\(ProjectPaths.root)/Tests/Fixtures/Smoke"
    static let stack = "\(ProjectPaths.root)/stack"
    static let server = "\(stack)/server.py"
    static let docs = "\(stack)/docs"
    static let script = "\(ProjectPaths.root)/scripts/smoke"

    /// The curated manifest the server tests publish: stack/catalog rendered by the real
    /// render-manifest (the contract as shipped). A render that fails leaves a path that does not
    /// exist, and every test reading it fails naming it: no stored stand-in.
    static let manifest: String = {
        let template = "\(stack)/proxy.template.json"
        let catalog = "\(stack)/catalog/core.json"
        guard let output = try? TempDirectory(prefix: "smoke-rendered") else {
            return "/nonexistent/smoke-rendered/manifest.json"
        }
        renderedDirectory = output
        let result = try? ToolRun.run(
            "render-manifest",
            [
                "render", "--template", template, "--catalog", catalog, "--scope", "default",
                "--config-home", output.file("config"), "--state-home", output.path, "--out-dir", output.path,
                "--set", "PROXY_PORT=1", "--set", "STACK_PYTHON=\(ProjectPaths.python)",
            ])
        guard let result, result.status == 0, let rendered = result.json["outputs"]?["manifest"]?.stringValue else {
            return output.file("render-manifest-failed/manifest.json")
        }
        return rendered
    }()
    nonisolated(unsafe) private static var renderedDirectory: TempDirectory?

    /// The stages file the chain uses.
    static let stagesFile = "\(stack)/stages.json"
}

/// Where the chain finds the tools: the built products, or SMOKE_TEST_BIN_DIR (e.g. installed tools).
enum SmokeTools {
    static var directory: String {
        ProcessInfo.processInfo.environment["SMOKE_TEST_BIN_DIR"] ?? ProjectPaths.products
    }
}

/// A source repository for `SMOKE_SOURCE`: this working tree's `stack/` and README.md committed
/// into a fresh git repository (so the clone step has history to clone). `mutate` breaks it on purpose.
final class SmokeSource: @unchecked Sendable {
    let directory: TempDirectory
    var path: String { directory.path }

    init(mutate: (String) throws -> Void = { _ in }) throws {
        directory = try TempDirectory(prefix: "smoke-source")
        let fm = FileManager.default
        let stack = "\(path)/stack"
        try fm.copyItem(atPath: SmokePaths.stack, toPath: stack)
        try? fm.removeItem(atPath: "\(stack)/__pycache__")
        try fm.copyItem(atPath: "\(ProjectPaths.root)/README.md", toPath: "\(path)/README.md")
        try mutate(path)
        try commit()
    }

    /// A repository holding a copy of `tree` (e.g. the Stelae-shaped fixture checkout).
    init(copying tree: String) throws {
        directory = try TempDirectory(prefix: "smoke-source")
        for name in try FileManager.default.contentsOfDirectory(atPath: tree) {
            try FileManager.default.copyItem(atPath: "\(tree)/\(name)", toPath: "\(path)/\(name)")
        }
        try commit()
    }

    private func commit() throws {
        for arguments in [
            ["init", "-q"], ["add", "-A"],
            ["-c", "user.email=smoke@example.invalid", "-c", "user.name=smoke", "commit", "-q", "-m", "source"],
        ] {
            let result = try ChildProcess.run("git", arguments, cwd: path)
            guard result.status == 0 else {
                throw NSError(
                    domain: "SmokeSource", code: 1,
                    userInfo: [NSLocalizedDescriptionKey: "git \(arguments): \(result.stderr)"])
            }
        }
    }
}

/// One bounded run of `scripts/smoke all` and what it left behind.
struct SmokeRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var runDirectory: String
    var summary: JSONValue

    /// Secret values put into the chain's environment; no file of the run directory may contain them.
    static let dummySecrets = [
        "OPENAI_API_KEY": "sk-smoke-dummy-4f1c9a7e2b", "SMOKE_DUMMY_TOKEN": "tok-smoke-dummy-81d3e6",
    ]

    /// The chain's environment: the built tools, the pinned venv, the source, a run directory
    /// inside `runDirectory`, dummy secrets, and `extra` switches on top.
    static func environment(source: SmokeSource, runDirectory: TempDirectory, extra: [String: String]) -> [String:
        String]
    {
        var environment = ProcessInfo.processInfo.environment
        for key in [
            "PROXY_PORT", "PROXY_CMD", "STAGES", "KEEP", "CODEX_MODEL", "SMOKE_REV", "PROBE_URL", "CURATED_TOOLS",
        ] {
            environment.removeValue(forKey: key)
        }
        environment["BIN_DIR"] = SmokeTools.directory
        environment["VENV"] = ProjectPaths.venv
        environment["SMOKE_SOURCE"] = source.path
        environment["SMOKE_DIR"] = "\(runDirectory.path)/run"
        environment["STAGES_FILE"] = SmokePaths.stagesFile
        environment["PROBE_DEADLINE"] = "30"
        environment["STAGE_TIMEOUT"] = "60"
        environment["HEARTBEAT_TIMEOUT"] = "30"
        for (key, value) in dummySecrets { environment[key] = value }
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs the chain with `timeout` so a hang fails the test instead of blocking the suite.
    static func run(
        source: SmokeSource, runDirectory: TempDirectory, environment extra: [String: String] = [:],
        limitSeconds: Int = 240
    ) throws -> SmokeRun {
        let result = try ChildProcess.run(
            "/usr/bin/timeout", ["-k", "10", String(limitSeconds), "bash", SmokePaths.script, "all"],
            cwd: ProjectPaths.root, environment: environment(source: source, runDirectory: runDirectory, extra: extra))
        return SmokeRun(
            status: result.status, stdout: result.stdout, stderr: result.stderr,
            runDirectory: "\(runDirectory.path)/run", summary: .null
        ).reloaded()
    }

    /// Re-reads summary.json (after a run started in the background has ended).
    func reloaded() -> SmokeRun {
        var copy = self
        copy.summary = (try? JSONValue.load(path: "\(runDirectory)/summary.json")) ?? .null
        return copy
    }

    var steps: [JSONValue] { summary["steps"]?.arrayValue ?? [] }

    func step(_ name: String) -> JSONValue? { steps.first { $0["step"]?.stringValue == name } }

    /// The JSON answer a step wrote (NN-<step>.json).
    func stepJSON(_ name: String) -> JSONValue? {
        guard let file = step(name)?["file"]?.stringValue else { return nil }
        return try? JSONValue.load(path: "\(runDirectory)/\(file)")
    }

    var firstFailure: JSONValue? { summary["first_failure"] }

    /// Files of the run directory that contain one of the dummy secret values.
    func filesHoldingSecrets() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: runDirectory) else { return [] }
        var hits: [String] = []
        while let relative = walker.nextObject() as? String {
            let full = "\(runDirectory)/\(relative)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: full)
            else { continue }
            for secret in Self.dummySecrets.values where data.range(of: Data(secret.utf8)) != nil {
                hits.append(relative)
            }
        }
        return hits
    }

    /// Whatever helps when a chain test fails: the headline and the first failure.
    var diagnostics: String {
        "status \(status)\nstderr:\n\(stderr.suffix(3000))\nfirst_failure: \(firstFailure?.encodedString(pretty: true) ?? "none")"
    }
}

extension JSONValue {
    /// Every string inside this value, for "does the answer name X anywhere" checks.
    var allStrings: [String] {
        switch self {
        case .string(let text): return [text]
        case .array(let items): return items.flatMap(\.allStrings)
        case .object(let fields): return fields.values.flatMap(\.allStrings)
        default: return []
        }
    }
}
