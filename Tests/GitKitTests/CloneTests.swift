import Foundation
import GitKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct CloneTests {
    /// A source repository with two commits on main, a tag on the first, a `feature` branch,
    /// and uncommitted plus untracked changes that a clone must not carry.
    final class Source {
        let directory: TempDirectory
        var path: String { directory.path + "/source" }
        init() throws {
            directory = try TempDirectory(prefix: "gitkit-clone")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try GitCLI.script(
                """
                git init -q -b main .
                printf 'one\\n' > file.txt && mkdir -p 'dir é' && printf 'x\\n' > 'dir é/nested file.txt'
                git add -A && git commit -q -m one && git tag v1
                git checkout -q -b feature && printf 'feature\\n' > feature.txt && git add feature.txt && git commit -q -m feature
                git checkout -q main
                printf 'two\\n' >> file.txt && git commit -q -am two
                printf 'uncommitted\\n' >> file.txt && printf 'untracked\\n' > loose.txt
                """, in: path)
        }
        func revParse(_ revision: String) throws -> String { try GitCLI.revParse(revision, in: path) }
        func destination(_ name: String = "clone") -> String { directory.path + "/" + name }
        /// Everything in the temp dir except the source: to prove a failed clone left nothing.
        func leftovers() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "source" }.sorted()
        }
    }

    func expectError(_ code: ErrorCode, exit: ToolExit, _ body: () throws -> Void) -> SmokeError? {
        expectSmokeError(code, exit: exit, body)
    }

    @Test func localPathCloneHasSourceHeadAndOnlyCommittedContent() throws {
        let source = try Source()
        let result = try Cloner.clone(CloneRequest(source: source.path, destination: source.destination()))
        #expect(result.head == (try source.revParse("HEAD")))
        #expect(result.branch == "main")
        #expect(result.destination == source.destination())
        #expect(result.fields["committed_only"] == true)
        // The uncommitted line and the untracked file stay behind.
        let cloned = try String(contentsOfFile: source.destination() + "/file.txt", encoding: .utf8)
        #expect(cloned == "one\ntwo\n")
        #expect(!FileManager.default.fileExists(atPath: source.destination() + "/loose.txt"))
        #expect(FileManager.default.fileExists(atPath: source.destination() + "/dir é/nested file.txt"))
        #expect(try GitCLI.revParse("HEAD", in: source.destination()) == result.head)
        // A fresh clone is clean, by libgit2 and by git.
        #expect(try StatusReader.snapshot(directory: source.destination()).clean)
        #expect(try GitCLI.porcelain(in: source.destination()).isEmpty)
        #expect(try source.leftovers() == ["clone"])
    }

    @Test func relativeSourceAndDestinationResolveAgainstTheWorkingDirectory() throws {
        let source = try Source()
        let relative = URL(fileURLWithPath: source.path).relativePath(from: FileManager.default.currentDirectoryPath)
        let result = try Cloner.clone(CloneRequest(source: relative, destination: source.destination()))
        #expect(result.source == relative)
        #expect(result.head == (try source.revParse("HEAD")))
    }

    @Test func fileURLCloneGivesTheSameHead() throws {
        let source = try Source()
        let url = URL(fileURLWithPath: source.path).absoluteString
        #expect(url.hasPrefix("file://"))
        let result = try Cloner.clone(CloneRequest(source: url, destination: source.destination()))
        #expect(result.head == (try source.revParse("HEAD")))
        #expect(result.source == url)
        #expect(try GitCLI.porcelain(in: source.destination()).isEmpty)
    }

    @Test func revisionBranchBecomesATrackingBranch() throws {
        let source = try Source()
        let result = try Cloner.clone(
            CloneRequest(source: source.path, destination: source.destination(), revision: "feature"))
        #expect(result.head == (try source.revParse("feature")))
        #expect(result.branch == "feature")
        #expect(result.fields["detached"] == false)
        let clone = source.destination()
        #expect(
            try GitCLI.run(["rev-parse", "--abbrev-ref", "HEAD"], in: clone).trimmingCharacters(
                in: .whitespacesAndNewlines) == "feature")
        #expect(
            try GitCLI.run(["rev-parse", "--abbrev-ref", "feature@{upstream}"], in: clone).trimmingCharacters(
                in: .whitespacesAndNewlines) == "origin/feature")
        #expect(FileManager.default.fileExists(atPath: clone + "/feature.txt"))
        #expect(try GitCLI.porcelain(in: clone).isEmpty)
    }

    @Test(arguments: ["v1", "tag-commit", "short-commit"])
    func revisionTagOrCommitIsDetached(kind: String) throws {
        let source = try Source()
        let revision: String
        switch kind {
        case "v1": revision = "v1"
        case "tag-commit": revision = try source.revParse("v1^{commit}")
        default: revision = String(try source.revParse("HEAD~1").prefix(10))
        }
        let result = try Cloner.clone(
            CloneRequest(source: source.path, destination: source.destination(), revision: revision))
        #expect(result.head == (try source.revParse("v1^{commit}")))
        #expect(result.branch == nil)
        #expect(result.fields["detached"] == true)
        #expect(result.fields["rev"] == .string(revision))
        let clone = source.destination()
        #expect(try GitCLI.revParse("HEAD", in: clone) == result.head)
        #expect(try String(contentsOfFile: clone + "/file.txt", encoding: .utf8) == "one\n")
        #expect(try GitCLI.porcelain(in: clone).isEmpty)
    }

    @Test func unknownRevisionLeavesNothingBehind() throws {
        let source = try Source()
        let destination = source.destination("new/deeper/clone")
        let error = expectError(.unknownRevision, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: source.path, destination: destination, revision: "no-such-rev"))
        }
        #expect(error?.message.contains("no-such-rev") == true)
        // libgit2's own words are part of the message.
        #expect(error?.message.contains("libgit2 error") == true)
        #expect(try source.leftovers().isEmpty, "created parents and the staging clone must be removed")
    }

    @Test func nonEmptyDestinationIsRefusedAndKept() throws {
        let source = try Source()
        let destination = source.destination()
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try "keep me".write(toFile: destination + "/precious.txt", atomically: false, encoding: .utf8)
        let error = expectError(.destNotEmpty, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: source.path, destination: destination))
        }
        #expect(error?.message.contains(destination) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["precious.txt"])
        #expect(try source.leftovers() == ["clone"])
    }

    @Test func emptyExistingDestinationIsUsed() throws {
        let source = try Source()
        try FileManager.default.createDirectory(atPath: source.destination(), withIntermediateDirectories: true)
        let result = try Cloner.clone(CloneRequest(source: source.path, destination: source.destination()))
        #expect(result.head == (try source.revParse("HEAD")))
    }

    @Test func forceReplacesANonEmptyDestination() throws {
        let source = try Source()
        let destination = source.destination()
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try "old".write(toFile: destination + "/old.txt", atomically: false, encoding: .utf8)
        let result = try Cloner.clone(CloneRequest(source: source.path, destination: destination, force: true))
        #expect(result.head == (try source.revParse("HEAD")))
        #expect(!FileManager.default.fileExists(atPath: destination + "/old.txt"))
        #expect(try GitCLI.porcelain(in: destination).isEmpty)
    }

    @Test func forceKeepsTheOldContentsWhenTheCloneFails() throws {
        let source = try Source()
        let destination = source.destination()
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try "old".write(toFile: destination + "/old.txt", atomically: false, encoding: .utf8)
        _ = expectError(.unknownRevision, exit: .invalidInput) {
            _ = try Cloner.clone(
                CloneRequest(source: source.path, destination: destination, revision: "nope", force: true))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["old.txt"])
        #expect(try source.leftovers() == ["clone"])
    }

    @Test func missingSourceIsBadInput() throws {
        let source = try Source()
        for missing in [source.path + "-missing", "file://" + source.path + "-missing"] {
            let error = expectError(.sourceNotFound, exit: .invalidInput) {
                _ = try Cloner.clone(CloneRequest(source: missing, destination: source.destination()))
            }
            #expect(error?.message.contains(missing) == true)
        }
        #expect(try source.leftovers().isEmpty)
    }

    @Test func directoryThatIsNoRepositoryIsBadInput() throws {
        let source = try Source()
        let plain = source.directory.path + "/plain"
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        let error = expectError(.sourceNotARepository, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: plain, destination: source.destination()))
        }
        #expect(error?.message.contains(plain) == true)
        #expect(try source.leftovers() == ["plain"])
    }

    @Test func unreachableHTTPSSourceIsAnEnvironmentFailureWithLibgit2sMessage() throws {
        let source = try Source()
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let url = "https://127.0.0.1:1/nothing.git"
        let error = expectError(.cloneFailed, exit: .environment) {
            _ = try Cloner.clone(CloneRequest(source: url, destination: source.destination()))
        }
        #expect(error?.message.contains(url) == true)
        #expect(error?.fields["libgit2_error"] != nil)
        #expect(try source.leftovers().isEmpty)
    }

    @Test func credentialsInTheURLAreRegisteredAsSecrets() throws {
        let source = try CloneSource.parse("https://user:s3cr3t-pass@127.0.0.1:1/x.git")
        #expect(source.kind == .network)
        #expect(
            Redactor.shared.redact("see https://user:s3cr3t-pass@host")
                == "see https://user:\(Redactor.placeholder)@host")
    }

    @Test(arguments: ["ssh://git@example.com/x.git", "git://example.com/x.git"])
    func unsupportedSchemesAreRefused(url: String) throws {
        let source = try Source()
        _ = expectError(.unsupportedSource, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: url, destination: source.destination()))
        }
    }

    @Test func depthIsValidatedAndRefusedWhereLibgit2CannotShallowClone() throws {
        let source = try Source()
        _ = expectError(.invalidDepth, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: source.path, destination: source.destination(), depth: 0))
        }
        let parts = LibGit2.version().split(separator: ".").compactMap { Int($0) }
        let shallowSupported = parts.count >= 2 && (parts[0] > 1 || parts[1] >= 7)
        if shallowSupported {
            let result = try Cloner.clone(
                CloneRequest(
                    source: URL(fileURLWithPath: source.path).absoluteString,
                    destination: source.destination(), depth: 1))
            #expect(result.head == (try source.revParse("HEAD")))
        } else {
            let error = expectError(.depthUnsupported, exit: .environment) {
                _ = try Cloner.clone(CloneRequest(source: source.path, destination: source.destination(), depth: 1))
            }
            #expect(error?.message.contains(LibGit2.version()) == true)
        }
        #expect(try source.leftovers().isEmpty)
    }

    @Test func destinationInsideOrEqualToTheSourceIsRefused() throws {
        let source = try Source()
        _ = expectError(.destOverlapsSource, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: source.path, destination: source.path, force: true))
        }
        // The source is untouched: still dirty exactly as before.
        #expect(try GitCLI.porcelain(in: source.path) == [" M file.txt", "?? loose.txt"])
    }

    @Test func destinationThatIsAFileIsRefused() throws {
        let source = try Source()
        let file = try source.directory.write("file-dest", "x")
        _ = expectError(.destNotDirectory, exit: .invalidInput) {
            _ = try Cloner.clone(CloneRequest(source: source.path, destination: file, force: true))
        }
    }

    @Test func emptySourceRepositoryClonesWithNullHead() throws {
        let directory = try TempDirectory(prefix: "gitkit-clone")
        let empty = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try GitCLI.run(["init", "-q", "-b", "main", "."], in: empty)
        let result = try Cloner.clone(CloneRequest(source: empty, destination: directory.path + "/clone"))
        #expect(result.head == nil)
        #expect(result.fields["head"] == .null)
        #expect(try StatusReader.snapshot(directory: directory.path + "/clone").clean)
    }
}

extension URL {
    /// This path relative to `base` (both absolute), with `..` where needed.
    func relativePath(from base: String) -> String {
        let target = standardizedFileURL.pathComponents
        let from = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, from.count), target[common] == from[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }
}

@Suite struct HTTPCloneTests {
    @Test func smartHTTPCloneMatchesTheSourceHead() throws {
        let source = try CloneTests.Source()
        let server = try GitHTTPServer(serving: source.path, tls: false)
        defer { server.stop() }
        let result = try Cloner.clone(
            CloneRequest(source: server.url, destination: source.destination(), revision: "feature"))
        #expect(result.head == (try source.revParse("feature")))
        #expect(result.branch == "feature")
        #expect(try GitCLI.porcelain(in: source.destination()).isEmpty)
    }

    @Test func missingRepositoryOnTheServerIsCloneFailed() throws {
        let source = try CloneTests.Source()
        let server = try GitHTTPServer(serving: source.path, tls: false)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/absent.git"
        let error = expectSmokeError(.cloneFailed, exit: .environment) {
            _ = try Cloner.clone(CloneRequest(source: url, destination: source.destination()))
        }
        #expect(error?.message.contains(url) == true)
        #expect(try source.leftovers().isEmpty)
    }
}
