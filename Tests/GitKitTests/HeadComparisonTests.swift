import CGit2
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

@testable import GitKit

/// The shortcuts a large status takes must never change an answer: the index's cached trees
/// read back from every index version git writes, HEAD compared only where they differ, and
/// the working tree split into groups that cover it exactly.
@Suite struct HeadComparisonTests {
    static let base = """
        git init -q -b main .
        mkdir -p a/b c/d
        for i in 1 2 3; do printf '%s\\n' "$i" > "a/b/f$i"; printf '%s\\n' "$i" > "c/d/g$i"; printf '%s\\n' "$i" > "c/h$i"; done
        printf 'top\\n' > top.txt
        git add -A && git commit -q -m init

        """

    /// Runs `body` with the repository's loaded index and HEAD's tree, inside a libgit2 session.
    static func withIndex<T>(_ directory: String, _ body: (Repository, OpaquePointer, git_oid?) throws -> T) throws -> T
    {
        try LibGit2.session { () throws(SmokeError) -> Result<T, any Error> in
            let repository = try Repository.open(workingTree: directory)
            let index = try repository.index()
            defer { git_index_free(index) }
            let head = try repository.headCommit().map { commit throws(SmokeError) in
                try repository.treeID(ofCommit: commit)
            }
            return Result { try body(repository, index, head) }
        }.get()
    }

    static func plan(_ directory: String) throws -> String {
        try withIndex(directory) { repository, index, head in
            HeadComparison.plan(repository: repository, index: index, scan: IndexScan(index: index), headTree: head)
                .description
        }
    }

    @Test(arguments: [2, 3, 4])
    func cachedTreesReadBackFromEveryIndexVersion(version: Int) throws {
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(Self.base + "git update-index --index-version \(version)", in: directory.path)
        try Self.withIndex(directory.path) { _, index, head in
            // git writes version 3 only when an entry needs its extended flags (intent-to-add
            // and skip-worktree entries do; the random trees cover those), else version 2.
            #expect(git_index_version(index) == UInt32(version == 3 ? 2 : version))
            let cache = try #require(CacheTree.read(index: index, scan: IndexScan(index: index)))
            let root = try #require(cache.root)
            #expect(cache.id(of: root).map { $0 == head! } == true)
            #expect(cache.nodes[root].subtrees == 2)
            let c = try #require(cache.child(of: root, named: Array("c".utf8)))
            #expect(cache.child(of: root, named: Array("a".utf8)) != nil)
            #expect(cache.child(of: root, named: Array("top.txt".utf8)) == nil)
            let d = try #require(cache.child(of: c, named: Array("d".utf8)))
            #expect(cache.id(of: d) != nil)
            #expect(cache.nodes[root].end == cache.nodes.count)
        }
        #expect(try Self.plan(directory.path) == "none")
    }

    @Test(arguments: [2, 3, 4])
    func onlyChangedDirectoriesAreCompared(version: Int) throws {
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + """
                git update-index --index-version \(version)
                printf 'new\\n' > c/d/new.txt && git add c/d/new.txt
                git mv a/b/f1 c/moved
                printf 'more\\n' >> c/h2 && git add c/h2
                printf 'worktree only\\n' >> c/h3
                """, in: directory.path)
        try Self.withIndex(directory.path) { repository, index, head in
            let comparison = HeadComparison.plan(
                repository: repository, index: index, scan: IndexScan(index: index), headTree: head)
            guard case .paths(let paths) = comparison else {
                Issue.record("expected a path list, got \(comparison)")
                return
            }
            let names = Set(paths.map { String(decoding: $0, as: UTF8.self) })
            #expect(names == ["c/d/new.txt", "a/b/f1", "c/moved", "c/h2"])
        }
        let expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected.contains("R  a/b/f1 -> c/moved"))
        for workers in [1, 2, 3] {
            #expect(
                GitCLI.lines(try StatusReader.snapshot(directory: directory.path, workers: workers).entries) == expected
            )
        }
    }

    @Test func directoriesAppearingAndVanishingAreComparedWhole() throws {
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + """
                git rm -q -r c/d
                mkdir -p e/f && printf 'e\\n' > e/f/e.txt && git add e
                git rm -q top.txt && mkdir top.txt && printf 'x\\n' > top.txt/inner && git add top.txt/inner
                """, in: directory.path)
        // c/d's files one by one (its tree is read), e and the file-become-directory top.txt whole.
        #expect(try Self.plan(directory.path).hasSuffix(" paths"))
        let expected = try GitCLI.porcelain(in: directory.path)
        for workers in [1, 3] {
            #expect(
                GitCLI.lines(try StatusReader.snapshot(directory: directory.path, workers: workers).entries) == expected
            )
        }
    }

    @Test func intentToAddEntriesAreComparedInAVersion3Index() throws {
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + "printf 'i\\n' > c/d/ita && git add -N c/d/ita && printf 's\\n' >> a/b/f2 && git add a/b/f2",
            in: directory.path)
        try Self.withIndex(directory.path) { _, index, _ in
            #expect(git_index_version(index) == 3)
            #expect(CacheTree.read(index: index, scan: IndexScan(index: index)) != nil)
            #expect(IndexScan(index: index).intentToAdd == [Array("c/d/ita".utf8)])
        }
        let expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected == [" A c/d/ita", "M  a/b/f2"])
        for workers in [1, 2] {
            #expect(
                GitCLI.lines(try StatusReader.snapshot(directory: directory.path, workers: workers).entries) == expected
            )
        }
    }

    @Test func headMovedUnderAnUnchangedIndexIsFound() throws {
        // `git reset --soft` leaves the index (and its valid cached trees) as they were while
        // HEAD moves: the cached trees are complete but are not HEAD's.
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + """
                printf 'second\\n' >> c/d/g1 && git commit -q -am second
                git reset -q --soft HEAD~1
                """, in: directory.path)
        #expect(try Self.plan(directory.path) == "1 paths")
        let expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected == ["M  c/d/g1"])
        #expect(GitCLI.lines(try StatusReader.snapshot(directory: directory.path, workers: 2).entries) == expected)
    }

    @Test func conflictsAndMissingCachedTreesCompareEverything() throws {
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + """
                git checkout -q -b other && printf 'other\\n' > top.txt && git commit -q -am other
                git checkout -q main && printf 'main\\n' > top.txt && git commit -q -am main
                git merge -q other >/dev/null 2>&1 || true
                """, in: directory.path)
        #expect(try Self.plan(directory.path) == "all")
        // An index rebuilt from scratch: its cached trees are invalid (or absent) throughout.
        let rebuilt = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + "rm .git/index && git add -A && printf 'n\\n' > n.txt && git add n.txt", in: rebuilt.path)
        let expected = try GitCLI.porcelain(in: rebuilt.path)
        #expect(expected == ["A  n.txt"])
        for workers in [1, 2] {
            #expect(
                GitCLI.lines(try StatusReader.snapshot(directory: rebuilt.path, workers: workers).entries) == expected)
        }
    }

    /// A tree with a submodule (a gitlink entry) is read by one run whatever is asked: libgit2's
    /// submodule code reaches the index's owning repository, which a shared index lacks.
    @Test func submodulesAreReadByOneRun() throws {
        let directory = try TempDirectory(prefix: "gitkit-cachetree")
        try GitCLI.script(
            Self.base + """
                mkdir inner && cd inner && git init -q -b main . && printf 'i\\n' > i.txt && git add i.txt && git commit -q -m inner && cd ..
                git add inner 2>/dev/null && git commit -q -m "with inner"
                printf 'x\\n' >> a/b/f1 && printf 'u\\n' > c/untracked
                """, in: directory.path)
        try Self.withIndex(directory.path) { _, index, _ in #expect(IndexScan(index: index).hasGitlinks) }
        let single = try StatusReader.snapshot(directory: directory.path, workers: 1).entries
        #expect(GitCLI.lines(single).contains(" M a/b/f1"))
        #expect(try StatusReader.snapshot(directory: directory.path, workers: 3).entries == single)
    }

    @Test func varintLengthsFollowGit() {
        // encode_varint: 0...127 in one byte, 128...16511 in two, then three.
        #expect(IndexScan.varintLength(0) == 1)
        #expect(IndexScan.varintLength(127) == 1)
        #expect(IndexScan.varintLength(128) == 2)
        #expect(IndexScan.varintLength(16511) == 2)
        #expect(IndexScan.varintLength(16512) == 3)
    }

    /// The groups of a split tree cover every path exactly once, whatever the group count.
    @Test func partitionCoversTheTreeOnce() throws {
        let directory = try TempDirectory(prefix: "gitkit-partition")
        try GitCLI.script(
            Self.base + """
                mkdir -p untracked/x && printf 'u\\n' > untracked/x/u && printf 'l\\n' > c/d/loose
                ln -s a link-to-a
                """, in: directory.path)
        try Self.withIndex(directory.path) { repository, index, _ in
            let workdir = try #require(git_repository_workdir(repository.pointer).map { String(cString: $0) })
            for count in 1...6 {
                let groups = StatusPartition(index: index, workdir: workdir).groups(count)
                #expect(groups.count <= count)
                let units = groups.flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
                #expect(Set(units).count == units.count, "a unit in two groups: \(units)")
                // Every tracked and untracked file lies under exactly one unit.
                for path in ["a/b/f1", "c/d/g2", "c/h3", "top.txt", "untracked/x/u", "c/d/loose", "link-to-a"] {
                    let covering = units.filter { path == $0 || path.hasPrefix($0 + "/") }
                    #expect(covering.count == 1, "\(path) is under \(covering) (\(count) groups)")
                }
                #expect(!units.contains(".git"))
            }
        }
    }

    /// Untracked directories weigh 1 whatever they hold: units of one weight are dealt across the
    /// groups, so no group gets all of them (kept side by side, three of four went to one run).
    @Test func untrackedDirectoriesAreDealtAcrossTheGroups() throws {
        let directory = try TempDirectory(prefix: "gitkit-partition-balance")
        try GitCLI.script(
            """
            git init -q -b main .
            printf '1\\n' > t1 && printf '2\\n' > t2 && git add -A && git commit -q -m init
            for d in u1 u2 u3 u4; do mkdir "$d" && printf 'u\\n' > "$d/file"; done
            """, in: directory.path)
        try Self.withIndex(directory.path) { repository, index, _ in
            let workdir = try #require(git_repository_workdir(repository.pointer).map { String(cString: $0) })
            let groups = StatusPartition(index: index, workdir: workdir).groups(2)
                .map { $0.map { String(decoding: $0, as: UTF8.self) } }
            #expect(groups.count == 2)
            for group in groups {
                #expect(group.filter { $0.hasPrefix("u") }.count == 2, "groups: \(groups)")
                #expect(group.filter { $0.hasPrefix("t") }.count == 1, "groups: \(groups)")
            }
        }
    }
}
