import Foundation
import SmokeTestSupport
import Testing

/// Each tool's page in docs/ quotes its `--help` verbatim, and the quote is checked against the
/// built binary, so a flag added without its docs fails here. A block is a fenced block whose first
/// line is `$ TOOL [SUBCOMMAND…] --help`. `STELAE_SMOKE_UPDATE_DOCS=1` (`make docs`) rewrites the
/// blocks from the binaries instead of comparing.
@Suite struct DocsSynopsisTests {
    static let tools = [
        "render-manifest", "port-preflight", "probe-initialize", "codex-stage", "git-clean-check",
        "smoke-report",
    ]

    @Test(arguments: tools)
    func pageQuotesTheToolsHelp(tool: String) throws {
        let path = "\(ProjectPaths.root)/docs/\(tool).md"
        let page = try String(contentsOfFile: path, encoding: .utf8)
        let blocks = HelpBlock.all(in: page)
        #expect(
            blocks.contains { $0.command == [tool] },
            "\(path) has no block starting with `$ \(tool) --help`")
        var updated = page
        for block in blocks.reversed() {
            #expect(block.command.first == tool, "\(path): a help block quotes another tool: \(block.command)")
            let help = try Self.help(block.command)
            if ProcessInfo.processInfo.environment["STELAE_SMOKE_UPDATE_DOCS"] == "1" {
                updated.replaceSubrange(block.body, with: help)
            } else {
                #expect(
                    String(page[block.body]) == help,
                    "\(path): `$ \(block.command.joined(separator: " ")) --help` differs from the binary (make docs)")
            }
        }
        if updated != page { try updated.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    /// The binary's help at a fixed width, so the quote does not depend on the terminal.
    static func help(_ command: [String]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        let run = try ChildProcess.run(
            ProjectPaths.binary(command[0]), Array(command.dropFirst()) + ["--help"], environment: environment)
        #expect(run.status == 0, "\(command.joined(separator: " ")) --help exited \(run.status)")
        return run.stdout.hasSuffix("\n") ? run.stdout : run.stdout + "\n"
    }
}

/// A fenced block in a docs page that quotes a command's `--help`.
struct HelpBlock {
    /// The tool and its subcommands, e.g. `["git-clean-check", "verify"]`.
    var command: [String]
    /// The lines after the `$ …` line, up to and including the newline before the closing fence.
    var body: Range<String.Index>

    static func all(in page: String) -> [HelpBlock] {
        var blocks: [HelpBlock] = []
        var index = page.startIndex
        while let fence = page.range(of: "```\n$ ", range: index..<page.endIndex) {
            guard let lineEnd = page[fence.upperBound...].firstIndex(of: "\n"),
                let close = page.range(of: "\n```", range: lineEnd..<page.endIndex)
            else { break }
            let words = page[fence.upperBound..<lineEnd].split(separator: " ").map(String.init)
            index = close.upperBound
            guard words.last == "--help", words.count >= 2 else { continue }
            let bodyStart = page.index(after: lineEnd)
            let bodyEnd = page.index(after: close.lowerBound)
            blocks.append(HelpBlock(command: Array(words.dropLast()), body: bodyStart..<max(bodyStart, bodyEnd)))
        }
        return blocks
    }
}
