import Foundation
import GitKit
import SmokeCore
import SmokeTestSupport
import Testing

/// Each case builds a tree with the git CLI, then checks that libgit2's snapshot lists exactly
/// what `git status --porcelain=v1 -uall` lists, and that git itself shows the case's code (so
/// the fixture really exercises it).
@Suite struct StatusAgreementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var script: String
        /// A line git must print for this fixture (`XY path`).
        var expectedLine: String?
        var testDescription: String { name }
    }

    static let base = """
        git init -q -b main .
        printf 'alpha\\n' > a.txt
        printf 'beta\\n' > b.txt
        mkdir -p sub/deeper
        printf 'gamma\\n' > sub/deeper/c.txt
        printf '*.log\\nbuild/\\n' > .gitignore
        git add -A && git commit -q -m init

        """

    static let cases: [Case] = [
        Case(name: "modified", script: base + "printf 'changed\\n' >> a.txt", expectedLine: " M a.txt"),
        Case(name: "deleted", script: base + "rm b.txt", expectedLine: " D b.txt"),
        Case(name: "staged add", script: base + "printf 'new\\n' > n.txt && git add n.txt", expectedLine: "A  n.txt"),
        Case(name: "staged delete", script: base + "git rm -q b.txt", expectedLine: "D  b.txt"),
        Case(name: "staged rename", script: base + "git mv a.txt renamed.txt", expectedLine: "R  a.txt -> renamed.txt"),
        Case(
            name: "staged rename then modified", script: base + "git mv a.txt r.txt && printf 'more\\n' >> r.txt",
            expectedLine: "RM a.txt -> r.txt"),
        Case(
            name: "added then modified (AM)",
            script: base + "printf 'x\\n' > n.txt && git add n.txt && printf 'y\\n' >> n.txt",
            expectedLine: "AM n.txt"),
        Case(
            name: "staged and modified again (MM)",
            script: base + "printf '1\\n' >> a.txt && git add a.txt && printf '2\\n' >> a.txt", expectedLine: "MM a.txt"
        ),
        Case(
            name: "untracked nested directories",
            script: base + "mkdir -p new/one/two && printf 'u\\n' > new/one/two/u.txt && printf 'v\\n' > new/v.txt",
            expectedLine: "?? new/one/two/u.txt"),
        Case(
            name: "ignored files are not listed",
            script: base
                + "printf 'log\\n' > debug.log && mkdir -p build/x && printf 'o\\n' > build/x/out.o && printf 'l\\n' > sub/deeper/trace.log",
            expectedLine: nil),
        Case(
            name: "names with spaces and non-ASCII",
            script: base
                + "printf 's\\n' > 'with space.txt' && printf 'u\\n' > 'naïve 日本.txt' && git add 'naïve 日本.txt' && git mv b.txt 'bé ta.txt'",
            expectedLine: "A  naïve 日本.txt"),
        Case(
            name: "empty repository with no commits",
            script:
                "git init -q -b main . && printf 'a\\n' > staged.txt && git add staged.txt && mkdir -p d/e && printf 'b\\n' > d/e/loose.txt",
            expectedLine: "A  staged.txt"),
        Case(
            name: "removed from the index but kept on disk",
            script: base + "git rm -q --cached a.txt", expectedLine: "D  a.txt"),
        Case(
            name: "type change (file becomes symlink)", script: base + "rm a.txt && ln -s b.txt a.txt",
            expectedLine: " T a.txt"),
        Case(
            name: "intent to add", script: base + "printf 'i\\n' > ita.txt && git add -N ita.txt",
            expectedLine: " A ita.txt"),
        Case(
            name: "intent to add, then deleted",
            script: base + "printf 'i\\n' > ita.txt && git add -N ita.txt && rm ita.txt",
            expectedLine: " D ita.txt"),
        Case(name: "clean tree", script: base, expectedLine: nil),
    ]

    /// How the tree is read: one libgit2 status run, and several runs over path groups at once
    /// (what large trees get), split down to single files so every group boundary is exercised.
    static let readings: [Int?] = [nil, 1, 3]

    @Test(arguments: cases)
    func agreesWithGitStatus(_ fixture: Case) throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(fixture.script, in: directory.path)
        let expected = try GitCLI.porcelain(in: directory.path)
        for workers in Self.readings {
            let snapshot = try StatusReader.snapshot(directory: directory.path, workers: workers)
            #expect(GitCLI.lines(snapshot.entries) == expected, "workers: \(workers.map(String.init) ?? "automatic")")
            #expect(snapshot.clean == expected.isEmpty)
        }
        if let line = fixture.expectedLine {
            #expect(expected.contains(line), "fixture does not produce \(line): git printed \(expected)")
        }
    }

    @Test func ignoredOnlyChangesCountAsClean() throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(
            Self.base + "printf 'x\\n' > noise.log && mkdir -p build && printf 'o\\n' > build/o", in: directory.path)
        let snapshot = try StatusReader.snapshot(directory: directory.path)
        #expect(snapshot.clean)
        #expect(snapshot.entries.isEmpty)
        #expect(try GitCLI.porcelain(in: directory.path).isEmpty)
    }

    @Test func emptyRepositoryHasNullHeadAndItsUnbornBranch() throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.run(["init", "-q", "-b", "trunk", "."], in: directory.path)
        let snapshot = try StatusReader.snapshot(directory: directory.path)
        #expect(snapshot.head == nil)
        #expect(snapshot.branch == "trunk")
        #expect(snapshot.clean)
        #expect(snapshot.fields["head"] == .null)
    }

    @Test func headAndBranchMatchGit() throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(Self.base + "printf 'two\\n' >> a.txt && git commit -q -am two", in: directory.path)
        var snapshot = try StatusReader.snapshot(directory: directory.path)
        #expect(snapshot.head == (try GitCLI.revParse("HEAD", in: directory.path)))
        #expect(snapshot.branch == "main")
        try GitCLI.run(["checkout", "-q", "--detach", "HEAD~1"], in: directory.path)
        snapshot = try StatusReader.snapshot(directory: directory.path)
        #expect(snapshot.head == (try GitCLI.revParse("HEAD", in: directory.path)))
        #expect(snapshot.branch == nil)
    }

    @Test func mergeConflictsUseGitsUnmergedCodes() throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(
            """
            git init -q -b main .
            for f in both delus delthem; do printf 'base\\n' > $f; done
            git add -A && git commit -q -m base
            git checkout -q -b other
            printf 'other\\n' > both && git rm -q delus && printf 'them\\n' > delthem && printf 'oa\\n' > added
            git add -A && git commit -q -m other
            git checkout -q main
            printf 'main\\n' > both && printf 'us\\n' > delus && git rm -q delthem && printf 'ma\\n' > added
            git add -A && git commit -q -m main
            git merge -q other >/dev/null 2>&1 || true
            """, in: directory.path)
        let expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected == ["AA added", "DU delthem", "UD delus", "UU both"].sorted())
        for workers in Self.readings {
            let snapshot = try StatusReader.snapshot(directory: directory.path, workers: workers)
            #expect(GitCLI.lines(snapshot.entries) == expected)
        }
    }

    /// A tree large enough for the automatic choice to read it with several runs at once (one
    /// per core), every kind of change spread over many directories, then the same tree after
    /// the changes are committed (nothing staged: HEAD is not compared entry by entry).
    @Test func largeTreeAgreesWithGitStatus() throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(
            """
            git init -q -b main .
            printf '*.log\\nbuild/\\n' > .gitignore
            for d in $(seq 0 39); do
              mkdir -p "src$((d % 4))/mod $d/deep"
              for f in $(seq 0 29); do printf '%s\\n' "$d $f" > "src$((d % 4))/mod $d/f$f.txt"; done
              printf 'deep %s\\n' "$d" > "src$((d % 4))/mod $d/deep/é $d.txt"
            done
            for f in $(seq 0 9); do printf 'top %s\\n' "$f" > "top$f.txt"; done
            git add -A && git commit -q -m base
            mkdir -p build/out && printf 'o\\n' > build/out/x.o && printf 'l\\n' > src1/trace.log
            printf 'changed\\n' >> "src0/mod 0/f1.txt"
            rm "src3/mod 7/f2.txt"
            rm -r "src2/mod 10/deep" && ln -s nowhere "src2/mod 10/deep"
            rm -r "src2/mod 14" && ln -s ../src1 "src2/mod 14"
            printf 'u\\n' > "src1/mod 5/untracked.txt"
            mkdir -p new/a/b && printf 'n\\n' > new/a/b/n.txt && printf 'n\\n' > top-new.txt
            """, in: directory.path)
        var expected = try GitCLI.porcelain(in: directory.path)
        // A directory replaced by a symlink (to a real directory, so a careless split would list
        // what the link points to): its files are deleted, the link is untracked.
        for line in [
            " M src0/mod 0/f1.txt", " D src3/mod 7/f2.txt", "?? src2/mod 10/deep", " D src2/mod 14/f0.txt",
            "?? src2/mod 14", "?? src1/mod 5/untracked.txt", "?? new/a/b/n.txt", "?? top-new.txt",
        ] {
            #expect(expected.contains(line), "git printed \(expected)")
        }
        for workers in Self.readings + [2, 8] {
            let snapshot = try StatusReader.snapshot(directory: directory.path, workers: workers)
            #expect(GitCLI.lines(snapshot.entries) == expected, "workers: \(workers.map(String.init) ?? "automatic")")
        }
        try GitCLI.script(
            """
            git mv "src0/mod 4/f3.txt" "src3/moved.txt"
            git rm -q --cached "src1/mod 9/f4.txt"
            printf 's\\n' > "src2/staged.txt" && git add "src2/staged.txt" && printf 'm\\n' >> "src2/staged.txt"
            printf 'i\\n' > "src3/ita.txt" && git add -N "src3/ita.txt"
            """, in: directory.path)
        expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected.contains("R  src0/mod 4/f3.txt -> src3/moved.txt"))
        for workers in Self.readings + [2, 8] {
            let snapshot = try StatusReader.snapshot(directory: directory.path, workers: workers)
            #expect(GitCLI.lines(snapshot.entries) == expected, "workers: \(workers.map(String.init) ?? "automatic")")
        }
        try GitCLI.script("git add -A && git commit -q -m changes", in: directory.path)
        expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected.isEmpty)
        for workers in Self.readings {
            #expect(try StatusReader.snapshot(directory: directory.path, workers: workers).clean)
        }
    }
}
