import Foundation
import GitKit
import SmokeTestSupport

/// The git command line, as the reference the tool must agree with (tests only: the tool
/// itself never runs git).
enum GitCLI {
    /// A fixed identity so commits work on any machine; system config stays in effect because
    /// libgit2 reads it too (core.excludesFile, url rewrites).
    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_NAME"] = "GitKit Tests"
        env["GIT_AUTHOR_EMAIL"] = "gitkit@tests.invalid"
        env["GIT_COMMITTER_NAME"] = "GitKit Tests"
        env["GIT_COMMITTER_EMAIL"] = "gitkit@tests.invalid"
        env["LC_ALL"] = "C.UTF-8"
        return env
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs git in `directory`, failing the test on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> String {
        let result = try ChildProcess.run("git", arguments, cwd: directory, environment: environment)
        guard result.status == 0 else {
            throw Failure(
                description: "git \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs a bash script (fixture set-up written as git commands) in `directory`.
    @discardableResult
    static func script(_ text: String, in directory: String) throws -> String {
        let result = try ChildProcess.run(
            "bash", ["-euo", "pipefail", "-c", text], cwd: directory, environment: environment)
        guard result.status == 0 else {
            throw Failure(description: "script failed (\(result.status)): \(result.stderr)\n--- script ---\n\(text)")
        }
        return result.stdout
    }

    /// `git status --porcelain=v1 -z -uall` as sorted lines `XY path` (renames `XY orig -> path`).
    /// `-z` prints names raw, so spaces and non-ASCII compare byte for byte; no optional
    /// locks, so git does not rewrite the index behind libgit2's back.
    static func porcelain(in directory: String) throws -> [String] {
        let output = try run(["--no-optional-locks", "status", "--porcelain=v1", "-z", "-uall"], in: directory)
        return parsePorcelainZ(output)
    }

    static func parsePorcelainZ(_ output: String) -> [String] {
        var fields = output.split(separator: "\0", omittingEmptySubsequences: true).map(String.init)[...]
        var lines: [String] = []
        while let field = fields.popFirst() {
            let code = String(field.prefix(2))
            let path = String(field.dropFirst(3))
            if code.contains("R") || code.contains("C"), let orig = fields.popFirst() {
                lines.append("\(code) \(orig) -> \(path)")
            } else {
                lines.append("\(code) \(path)")
            }
        }
        return sortedLines(lines)
    }

    /// The tool's entries in the same line form.
    static func lines(_ entries: [StatusEntry]) -> [String] {
        sortedLines(
            entries.map { entry in
                if let orig = entry.origPath { return "\(entry.code) \(orig) -> \(entry.path)" }
                return "\(entry.code) \(entry.path)"
            })
    }

    /// Byte order, as git sorts (Swift's String order is Unicode-aware and may differ).
    static func sortedLines(_ lines: [String]) -> [String] {
        lines.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    static func revParse(_ revision: String, in directory: String) throws -> String {
        try run(["rev-parse", revision], in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Single-quotes `text` for bash.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
