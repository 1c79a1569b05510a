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
        Case(name: "staged rename then modified", script: base + "git mv a.txt r.txt && printf 'more\\n' >> r.txt",
             expectedLine: "RM a.txt -> r.txt"),
        Case(name: "added then modified (AM)", script: base + "printf 'x\\n' > n.txt && git add n.txt && printf 'y\\n' >> n.txt",
             expectedLine: "AM n.txt"),
        Case(name: "staged and modified again (MM)",
             script: base + "printf '1\\n' >> a.txt && git add a.txt && printf '2\\n' >> a.txt", expectedLine: "MM a.txt"),
        Case(name: "untracked nested directories",
             script: base + "mkdir -p new/one/two && printf 'u\\n' > new/one/two/u.txt && printf 'v\\n' > new/v.txt",
             expectedLine: "?? new/one/two/u.txt"),
        Case(name: "ignored files are not listed",
             script: base + "printf 'log\\n' > debug.log && mkdir -p build/x && printf 'o\\n' > build/x/out.o && printf 'l\\n' > sub/deeper/trace.log",
             expectedLine: nil),
        Case(name: "names with spaces and non-ASCII",
             script: base + "printf 's\\n' > 'with space.txt' && printf 'u\\n' > 'naïve 日本.txt' && git add 'naïve 日本.txt' && git mv b.txt 'bé ta.txt'",
             expectedLine: "A  naïve 日本.txt"),
        Case(name: "empty repository with no commits",
             script: "git init -q -b main . && printf 'a\\n' > staged.txt && git add staged.txt && mkdir -p d/e && printf 'b\\n' > d/e/loose.txt",
             expectedLine: "A  staged.txt"),
        Case(name: "removed from the index but kept on disk",
             script: base + "git rm -q --cached a.txt", expectedLine: "D  a.txt"),
        Case(name: "type change (file becomes symlink)", script: base + "rm a.txt && ln -s b.txt a.txt", expectedLine: " T a.txt"),
        Case(name: "intent to add", script: base + "printf 'i\\n' > ita.txt && git add -N ita.txt", expectedLine: " A ita.txt"),
        Case(name: "intent to add, then deleted", script: base + "printf 'i\\n' > ita.txt && git add -N ita.txt && rm ita.txt",
             expectedLine: " D ita.txt"),
        Case(name: "clean tree", script: base, expectedLine: nil),
    ]

    @Test(arguments: cases)
    func agreesWithGitStatus(_ fixture: Case) throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(fixture.script, in: directory.path)
        let snapshot = try StatusReader.snapshot(directory: directory.path)
        let expected = try GitCLI.porcelain(in: directory.path)
        #expect(GitCLI.lines(snapshot.entries) == expected)
        if let line = fixture.expectedLine {
            #expect(expected.contains(line), "fixture does not produce \(line): git printed \(expected)")
        }
        #expect(snapshot.clean == expected.isEmpty)
    }

    @Test func ignoredOnlyChangesCountAsClean() throws {
        let directory = try TempDirectory(prefix: "gitkit-status")
        try GitCLI.script(Self.base + "printf 'x\\n' > noise.log && mkdir -p build && printf 'o\\n' > build/o", in: directory.path)
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
        try GitCLI.script("""
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
        let snapshot = try StatusReader.snapshot(directory: directory.path)
        let expected = try GitCLI.porcelain(in: directory.path)
        #expect(expected == ["AA added", "DU delthem", "UD delus", "UU both"].sorted())
        #expect(GitCLI.lines(snapshot.entries) == expected)
    }
}
