import Foundation
import GitKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct VerifyTests {
    /// A committed repository with files a.txt, b.txt, sub/c.txt; `extra` runs after the commit.
    static func repository(_ extra: String = "") throws -> TempDirectory {
        let directory = try TempDirectory(prefix: "gitkit-verify")
        try GitCLI.script(
            """
            git init -q -b main .
            printf 'a\\n' > a.txt && printf 'b\\n' > b.txt && mkdir -p sub && printf 'c\\n' > sub/c.txt
            printf '*.log\\n' > .gitignore
            git add -A && git commit -q -m init
            \(extra)
            """, in: directory.path)
        return directory
    }

    static func verdict(_ directory: TempDirectory, baseline: StatusSnapshot? = nil) throws -> CleanVerdict {
        CleanVerdict(current: try StatusReader.snapshot(directory: directory.path), baseline: baseline)
    }

    /// Writes the snapshot the way `snapshot --out` does and reads it back as a baseline.
    static func roundTrip(_ snapshot: StatusSnapshot, in directory: TempDirectory) throws -> StatusSnapshot {
        let file = directory.path + "-baseline.json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try FileIO.writeJSON(.object(snapshot.fields), to: file)
        return try StatusSnapshot.loadBaseline(path: file)
    }

    @Test func cleanTreePasses() throws {
        let directory = try Self.repository("printf 'ignored\\n' > noise.log")
        let verdict = try Self.verdict(directory)
        #expect(verdict.passed)
        #expect(verdict.failure == nil)
        #expect(verdict.changed.isEmpty)
    }

    @Test func dirtyTreeWithoutBaselineListsEveryEntry() throws {
        let directory = try Self.repository("printf 'x\\n' >> a.txt && printf 'n\\n' > new.txt && git rm -q b.txt")
        let verdict = try Self.verdict(directory)
        #expect(!verdict.passed)
        #expect(verdict.changed.map(\.current) == verdict.current.entries)
        #expect(verdict.changed.map(\.current.code) == [" M", "D ", "??"])
        let failure = try #require(verdict.failure)
        #expect(failure.code == .dirtyWorktree)
        #expect(failure.exit == .checkFailed)
        #expect(
            failure.message.contains("a.txt") && failure.message.contains("b.txt")
                && failure.message.contains("new.txt"))
        #expect(failure.fields["changed"]?.arrayValue?.count == 3)
        // Without a baseline there is nothing to compare against: no `baseline` key.
        #expect(failure.fields["changed"]?.arrayValue?.first?["baseline"] == nil)
    }

    @Test func snapshotRoundTripsThroughAFile() throws {
        let directory = try Self.repository(
            "git mv a.txt 'renamed é.txt' && printf 'x\\n' >> b.txt && printf 'u\\n' > 'sub/new file.txt' && git rm -q --cached sub/c.txt"
        )
        let snapshot = try StatusReader.snapshot(directory: directory.path)
        #expect(snapshot.entries.count == 5)
        let loaded = try Self.roundTrip(snapshot, in: directory)
        #expect(loaded == snapshot)
        // An unchanged dirty tree matches its own baseline.
        let verdict = try Self.verdict(directory, baseline: loaded)
        #expect(verdict.passed)
        #expect(verdict.failure == nil)
    }

    @Test func baselineDiffListsOnlyWhatChangedSinceTheBaseline() throws {
        let directory = try Self.repository(
            "printf 'x\\n' >> a.txt && printf 'u\\n' > untracked.txt && printf 'y\\n' >> b.txt")
        let baseline = try Self.roundTrip(try StatusReader.snapshot(directory: directory.path), in: directory)
        // After the baseline: b.txt is restored (clean now), a.txt gets staged, a new file appears.
        try GitCLI.script(
            "git checkout -q -- b.txt && git add a.txt && printf 'z\\n' > sub/later.txt", in: directory.path)
        let verdict = try Self.verdict(directory, baseline: baseline)
        #expect(!verdict.passed)
        let byPath = Dictionary(uniqueKeysWithValues: verdict.changed.map { ($0.current.path, $0) })
        #expect(Set(byPath.keys) == ["a.txt", "b.txt", "sub/later.txt"])
        #expect(byPath["a.txt"]?.current.code == "M ")
        #expect(byPath["a.txt"]?.baseline?.code == " M")
        #expect(byPath["b.txt"]?.current.code == "  ")
        #expect(byPath["b.txt"]?.baseline?.code == " M")
        #expect(byPath["sub/later.txt"]?.current.code == "??")
        #expect(byPath["sub/later.txt"]?.baseline == nil)
        let failure = try #require(verdict.failure)
        #expect(failure.code == .dirtyWorktree)
        #expect(failure.message.contains("differs from the baseline"))
        let json = try #require(failure.fields["changed"]?.arrayValue)
        #expect(json.count == 3)
        #expect(json.first { $0["path"] == "sub/later.txt" }?["baseline"] == .null)
        // untracked.txt was already in the baseline and is unchanged: not reported.
        #expect(byPath["untracked.txt"] == nil)
    }

    @Test func commitSinceTheBaselineIsHeadMoved() throws {
        let directory = try Self.repository()
        let baseline = try Self.roundTrip(try StatusReader.snapshot(directory: directory.path), in: directory)
        try GitCLI.script("printf 'x\\n' >> a.txt && git commit -q -am more", in: directory.path)
        let verdict = try Self.verdict(directory, baseline: baseline)
        #expect(verdict.changed.isEmpty)
        #expect(verdict.headMoved)
        let failure = try #require(verdict.failure)
        #expect(failure.code == .headMoved)
        #expect(failure.exit == .checkFailed)
        #expect(
            failure.fields["head_moved"]?["current"]?.stringValue == (try GitCLI.revParse("HEAD", in: directory.path)))
    }

    @Test(arguments: [
        ("not json", "{ \"entries\": [", "malformed JSON"),
        ("not an object", "[1, 2]", "expected a snapshot object"),
        ("no entries", "{\"head\": null}", "missing \"entries\""),
        (
            "bad code letter", "{\"entries\": [{\"path\": \"a\", \"index\": \"X\", \"worktree\": \" \"}]}",
            "entries[0].index"
        ),
        ("entry without path", "{\"entries\": [{\"index\": \"M\", \"worktree\": \" \"}]}", "entries[0].path"),
        ("failed run", "{\"ok\": false, \"entries\": []}", "failed run"),
        ("head not a string", "{\"head\": 5, \"entries\": []}", "\"head\""),
    ])
    func malformedBaselineIsInvalidBaseline(name: String, contents: String, detail: String) throws {
        let directory = try TempDirectory(prefix: "gitkit-baseline")
        let file = try directory.write("baseline.json", contents)
        let error = expectSmokeError(.invalidBaseline, exit: .invalidInput) {
            _ = try StatusSnapshot.loadBaseline(path: file)
        }
        #expect(error?.message.contains(file) == true, "\(name): the message must name the file")
        #expect(error?.message.contains(detail) == true, "\(name): \(error?.message ?? "")")
    }

    @Test func missingBaselineFileIsFileNotFound() throws {
        let directory = try TempDirectory(prefix: "gitkit-baseline")
        let error = expectSmokeError(.fileNotFound, exit: .invalidInput) {
            _ = try StatusSnapshot.loadBaseline(path: directory.file("absent.json"))
        }
        #expect(error?.message.contains("absent.json") == true)
    }

    @Test func capturedSnapshotStdoutIsAcceptedAsBaseline() throws {
        let directory = try Self.repository("printf 'x\\n' >> a.txt")
        let snapshot = try StatusReader.snapshot(directory: directory.path)
        var document = snapshot.fields
        document["tool"] = "git-clean-check"
        document["ok"] = true
        document["elapsed_ms"] = 3
        let file = try directory.write(
            "../" + URL(fileURLWithPath: directory.path).lastPathComponent + "-stdout.json",
            JSONValue.object(document).encodedString())
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try StatusSnapshot.loadBaseline(path: file) == snapshot)
    }
}

@Suite struct RepositoryErrorTests {
    @Test func missingDirectory() throws {
        let directory = try TempDirectory(prefix: "gitkit-errors")
        let missing = directory.file("nope")
        let error = expectSmokeError(.directoryNotFound, exit: .invalidInput) {
            _ = try StatusReader.snapshot(directory: missing)
        }
        #expect(error?.message.contains(missing) == true)
    }

    @Test func fileInsteadOfDirectory() throws {
        let directory = try TempDirectory(prefix: "gitkit-errors")
        let file = try directory.write("plain.txt", "x")
        expectSmokeError(.notADirectory, exit: .invalidInput) { _ = try StatusReader.snapshot(directory: file) }
    }

    @Test func plainDirectoryIsNotARepositoryWithLibgit2sMessage() throws {
        let directory = try TempDirectory(prefix: "gitkit-errors")
        let error = expectSmokeError(.notARepository, exit: .invalidInput) {
            _ = try StatusReader.snapshot(directory: directory.path)
        }
        #expect(error?.message.contains(directory.path) == true)
        #expect(error?.message.contains("could not find repository") == true, "\(error?.message ?? "")")
    }

    @Test func subdirectoryOfARepositoryNamesTheTopLevel() throws {
        let directory = try VerifyTests.repository()
        let error = expectSmokeError(.notARepository, exit: .invalidInput) {
            _ = try StatusReader.snapshot(directory: directory.path + "/sub")
        }
        #expect(error?.hint?.contains(directory.path) == true, "\(error?.hint ?? "no hint")")
    }

    @Test func bareRepositoryHasNoWorkingTree() throws {
        let directory = try TempDirectory(prefix: "gitkit-errors")
        try GitCLI.run(["init", "-q", "--bare", "."], in: directory.path)
        expectSmokeError(.bareRepository, exit: .invalidInput) {
            _ = try StatusReader.snapshot(directory: directory.path)
        }
    }
}
