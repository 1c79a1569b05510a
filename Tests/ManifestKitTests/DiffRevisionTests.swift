import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

/// `render-manifest diff --base-ref`: the working tree's render against the same flags re-rooted in
/// an exported revision. The export is faked here (a directory of files); end-to-end tests use a
/// real repository through libgit2.
@Suite struct DiffRevisionTests {
    final class Export: @unchecked Sendable {
        var directory: String?
        var inputs: [String] = []
    }

    static func catalog(_ tools: [String]) -> String {
        let entries = tools.map { #""\#($0)": {"description": "\#($0)"}"# }.joined(separator: ", ")
        return #"{"toolOverrides": {"servers": {"s": {"tools": {\#(entries)}}}}}"#
    }

    /// An exporter that writes `files` as the revision's tree; input paths containing one of
    /// `ignoring` are reported as ignored by git.
    static func exporter(
        _ fixture: RenderFixture, files: [String: String], ignoring: [String] = [], workTree: String? = nil,
        record: Export
    ) -> RevisionDiff.Exporter {
        { directory, inputs throws(SmokeError) in
            record.directory = directory
            record.inputs = inputs
            for (path, contents) in files {
                try FileIO.writeAtomically(contents, to: "\(directory)/\(path)")
            }
            return ExportedRevision(
                workTree: workTree ?? fixture.path, directory: directory, revision: "REV", commit: "c0ffee",
                headCommit: "beef", ignored: Set(inputs.filter { input in ignoring.contains { input.contains($0) } }))
        }
    }

    static func fixture(_ tools: [String]) throws -> RenderFixture {
        let fixture = try RenderFixture()
        try fixture.catalog("catalog/a.json", catalog(tools))
        fixture.options.scope = .default
        return fixture
    }

    @Test func aToolTheRevisionHadIsRemoved() throws {
        let fixture = try Self.fixture(["alpha"])
        let record = Export()
        let files = [
            "config/proxy.template.json": RenderFixture.minimalTemplate,
            "catalog/a.json": Self.catalog(["alpha", "beta"]),
        ]
        let report = try RevisionDiff.run(
            fixture.options, revision: "REV", export: Self.exporter(fixture, files: files, record: record))
        #expect(report.changes.map(\.kind) == [.toolRemoved])
        #expect(report.changes.map(\.tool) == ["beta"])
        #expect(
            report.base == [
                "kind": "revision", "revision": "REV", "commit": "c0ffee", "repository": .string(fixture.path),
                "tools": 2,
            ])
        #expect(
            report.head == [
                "kind": "working_tree", "repository": .string(fixture.path), "head_commit": "beef", "tools": 1,
            ])
        #expect(report.warnings.isEmpty)
        #expect(record.inputs.contains(fixture.directory.file("catalog/a.json")))
        let directory = try #require(record.directory)
        #expect(!FileManager.default.fileExists(atPath: directory), "the export is removed")
    }

    @Test func aCatalogTheRevisionLacksIsLeftOut() throws {
        let fixture = try Self.fixture(["alpha"])
        try fixture.catalog("catalog/b.json", Self.catalog(["gamma"]))
        let record = Export()
        let files = [
            "config/proxy.template.json": RenderFixture.minimalTemplate, "catalog/a.json": Self.catalog(["alpha"]),
        ]
        let report = try RevisionDiff.run(
            fixture.options, revision: "REV", export: Self.exporter(fixture, files: files, record: record))
        #expect(report.changes.map(\.kind) == [.toolAdded])
        #expect(report.changes.map(\.tool) == ["gamma"])
        #expect(report.warnings == ["--catalog catalog/b.json does not exist at REV; the base render goes without it"])
    }

    /// A config home git ignores (local state) is the same on both sides; one that is not ignored
    /// and not in the revision did not exist there.
    @Test(arguments: [true, false])
    func localFilesGitIgnoresAreShared(ignored: Bool) throws {
        let fixture = try Self.fixture(["alpha"])
        fixture.options.scope = .local
        fixture.options.configHome = "home"
        try fixture.write("home/catalog/local.json", aggregateFragment(name: "mine"))
        let record = Export()
        let files = [
            "config/proxy.template.json": RenderFixture.minimalTemplate, "catalog/a.json": Self.catalog(["alpha"]),
        ]
        let report = try RevisionDiff.run(
            fixture.options, revision: "REV",
            export: Self.exporter(fixture, files: files, ignoring: ignored ? ["/home"] : [], record: record))
        if ignored {
            #expect(report.changes.isEmpty, "\(report.changes.map(\.json))")
        } else {
            #expect(report.changes.map(\.kind) == [.toolAdded])
            #expect(report.changes.map(\.tool) == ["mine"])
        }
    }

    @Test func aTemplateTheRevisionLacksIsAnErrorNamingTheSide() throws {
        let fixture = try Self.fixture(["alpha"])
        let record = Export()
        #expect {
            try RevisionDiff.run(
                fixture.options, revision: "REV",
                export: Self.exporter(fixture, files: ["catalog/a.json": Self.catalog(["alpha"])], record: record))
        } throws: { error in
            let error = error as? SmokeError
            return error?.code == .fileNotFound && error?.fields["side"] == "base"
                && error?.message == "base (REV): the template config/proxy.template.json does not exist at REV"
        }
        let directory = try #require(record.directory)
        #expect(!FileManager.default.fileExists(atPath: directory), "the export is removed after a failure too")
    }

    @Test func aBrokenBaseNamesTheRevisionPath() throws {
        let fixture = try Self.fixture(["alpha"])
        let record = Export()
        let files = ["config/proxy.template.json": RenderFixture.minimalTemplate, "catalog/a.json": "{"]
        #expect {
            try RevisionDiff.run(
                fixture.options, revision: "REV", export: Self.exporter(fixture, files: files, record: record))
        } throws: { error in
            let error = error as? SmokeError
            return error?.code == .invalidJSON && error?.fields["side"] == "base"
                && error?.message.hasPrefix("base (REV): REV:catalog/a.json: malformed JSON") == true
                && error?.fields["file"] == "REV:catalog/a.json"
        }
    }

    @Test func aBaseWithNoToolIsAnEmptySurface() throws {
        let fixture = try Self.fixture(["alpha"])
        let record = Export()
        let files = ["config/proxy.template.json": RenderFixture.minimalTemplate, "catalog/a.json": "{}"]
        let report = try RevisionDiff.run(
            fixture.options, revision: "REV", export: Self.exporter(fixture, files: files, record: record))
        #expect(report.changes.map(\.kind) == [.toolAdded])
        #expect(report.warnings == ["base (REV): the render enables no tool"])
    }

    @Test func inputsOutsideTheRepositoryAreTheSameOnBothSides() throws {
        let fixture = try Self.fixture(["alpha"])
        let elsewhere = try TempDirectory(prefix: "manifest-kit-repo")
        let record = Export()
        let report = try RevisionDiff.run(
            fixture.options, revision: "REV",
            export: Self.exporter(fixture, files: [:], workTree: elsewhere.path, record: record))
        #expect(report.changes.isEmpty)
        #expect(
            report.warnings == [
                "no render input lies inside the repository at \(elsewhere.path): both sides read the same files"
            ])
    }
}
