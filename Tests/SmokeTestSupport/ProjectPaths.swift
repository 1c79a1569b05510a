import Foundation

/// Where the package, its built binaries and its pinned Python environment live.
public enum ProjectPaths {
    /// The package root (the directory holding Package.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// The directory of the built products (the test bundle sits beside the executables).
    public static let products: String = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidate = runner
        // On Linux the runner is `<products>/<pkg>PackageTests.xctest`; walk up past bundle dirs.
        while candidate.path != "/" {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("git-clean-check").path) {
                return candidate.path
            }
            candidate.deleteLastPathComponent()
        }
        return "\(root)/.build/debug"
    }()

    /// Path of a built tool, e.g. `binary("port-preflight")`.
    public static func binary(_ name: String) -> String { "\(products)/\(name)" }

    /// The pinned virtualenv (`make deps`), overridable with STELAE_SMOKE_VENV.
    public static var venv: String {
        ProcessInfo.processInfo.environment["STELAE_SMOKE_VENV"] ?? "\(root)/.venv"
    }

    public static var python: String { "\(venv)/bin/python" }

    /// The real Codex binary shipped inside the pinned `openai-codex-cli-bin` package.
    public static var codex: String? {
        let result = try? ChildProcess.run(
            python, ["-c", "import codex_cli_bin, os; print(os.path.dirname(codex_cli_bin.__file__))"])
        guard let result, result.status == 0 else { return nil }
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/bin/codex"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
