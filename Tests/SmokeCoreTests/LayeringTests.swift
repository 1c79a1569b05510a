import Foundation
import SmokeTestSupport
import Testing

/// The core and the Kits never end the process: only SmokeCLI and the tools' `@main` types do.
/// (ArgumentParser is kept out of them by Package.swift: none of them depends on it.)
@Suite struct LayeringTests {
    static let libraries = [
        "SmokeCore", "GitKit", "PortKit", "ManifestKit", "ProbeKit", "CodexKit", "SmokeReportKit",
    ]

    @Test func librariesNeverCallExit() throws {
        let call = try Regex(#"(^|[^\w.])(exit|_exit|abort)\("#)
        var offenders: [String] = []
        for library in Self.libraries {
            let directory = "\(ProjectPaths.root)/Sources/\(library)"
            let files = try #require(FileManager.default.subpaths(atPath: directory)).filter { $0.hasSuffix(".swift") }
            #expect(!files.isEmpty, "\(directory) holds no Swift file")
            for file in files {
                let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") && line.contains(call) {
                    offenders.append("\(library)/\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }
}
