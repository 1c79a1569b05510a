import Foundation
import GitKit
import SmokeTestSupport
import Testing

/// Many random repositories, each compared entry for entry with `git status --porcelain=v1 -uall`.
/// GITKIT_RANDOM_SEED replays a run (the seed is printed); GITKIT_RANDOM_TREES sets how many.
@Suite struct RandomTreeAgreementTests {
    static let defaultTreeCount = 120

    struct Mismatch: Sendable {
        var tree: Int
        var seed: UInt64
        var workers: Int
        var script: String
        var git: [String]
        var libgit2: [String]
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var compared = 0
        private(set) var entriesCompared = 0
        private(set) var mismatches: [Mismatch] = []
        private(set) var failures: [String] = []
        private(set) var changeKinds: Set<String> = []

        func record(entries: Int, changes: [RandomTreeGenerator.Change], mismatch: Mismatch?) {
            lock.lock()
            defer { lock.unlock() }
            compared += 1
            entriesCompared += entries
            changeKinds.formUnion(changes.map(\.rawValue))
            if let mismatch { mismatches.append(mismatch) }
        }

        func fail(_ message: String) {
            lock.lock()
            defer { lock.unlock() }
            failures.append(message)
        }
    }

    @Test func randomTreesAgreeWithGitStatus() throws {
        let environment = ProcessInfo.processInfo.environment
        let baseSeed =
            environment["GITKIT_RANDOM_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let treeCount = environment["GITKIT_RANDOM_TREES"].flatMap { Int($0) } ?? Self.defaultTreeCount
        print("GitKit random trees: seed \(baseSeed), \(treeCount) trees (replay with GITKIT_RANDOM_SEED=\(baseSeed))")
        let root = try TempDirectory(prefix: "gitkit-random")
        let results = Results()
        let workers = 4
        // Two cores: four workers keep both busy while git children start; each worker owns
        // every fourth tree, so a seed maps to the same trees whatever the scheduling.
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for tree in stride(from: worker, to: treeCount, by: workers) {
                let seed = baseSeed &+ UInt64(tree)
                var generator = RandomTreeGenerator(seed: seed)
                let script = generator.script()
                let directory = root.file("tree-\(tree)")
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try GitCLI.script(script, in: directory)
                    let git = try GitCLI.porcelain(in: directory)
                    // One libgit2 status run, and several over path groups at once (split down
                    // to single files, so every kind of change meets a group boundary).
                    var mismatch: Mismatch?
                    for runs in [1, 3] {
                        let snapshot = try StatusReader.snapshot(directory: directory, workers: runs)
                        let ours = GitCLI.lines(snapshot.entries)
                        if mismatch == nil, ours != git || snapshot.clean != git.isEmpty {
                            mismatch = Mismatch(
                                tree: tree, seed: seed, workers: runs, script: script, git: git, libgit2: ours)
                        }
                    }
                    results.record(entries: git.count, changes: generator.changes, mismatch: mismatch)
                    if mismatch == nil { try? FileManager.default.removeItem(atPath: directory) }
                } catch {
                    results.fail("tree \(tree) (seed \(seed)): \(error)")
                }
            }
        }
        print(
            "GitKit random trees: compared \(results.compared) trees (\(results.entriesCompared) status entries) with git, \(results.mismatches.count) mismatches, seed \(baseSeed)"
        )
        #expect(results.failures.isEmpty, "\(results.failures.prefix(3).joined(separator: "\n"))")
        #expect(results.compared == treeCount)
        // The generator must really have produced every kind of change, or agreement proves little.
        #expect(results.changeKinds == Set(RandomTreeGenerator.Change.allCases.map(\.rawValue)))
        #expect(results.entriesCompared > treeCount)
        for mismatch in results.mismatches.prefix(3) {
            Issue.record(
                """
                tree \(mismatch.tree) (seed \(mismatch.seed), \(mismatch.workers) status runs) differs from git
                git:     \(mismatch.git)
                libgit2: \(mismatch.libgit2)
                --- script ---
                \(mismatch.script)
                """)
        }
    }
}
