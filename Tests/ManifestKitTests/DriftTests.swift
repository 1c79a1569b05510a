import Foundation
import ManifestKit
import SmokeCore
import Testing

/// The original's drift check could not parse the live shape and reported every tool missing.
@Suite struct DriftTests {
    static let manifest: JSONValue = ["schemaVersion": 1, "tools": [["name": "grep"], ["name": "workspace_fs_read"]]]

    @Test(arguments: [
        #"{"tools": [{"name": "grep", "inputSchema": {}}, {"name": "workspace_fs_read"}]}"#,
        #"{"jsonrpc": "2.0", "id": 2, "result": {"tools": [{"name": "workspace_fs_read"}, {"name": "grep"}]}}"#,
        #"{"tools": ["grep", "workspace_fs_read"], "ok": true}"#,
    ])
    func liveShapesAreUnderstood(live: String) throws {
        let names = try Drift.liveNames(ManifestJSON.parse(Data(live.utf8), source: "live.json"), source: "live.json")
        let report = DriftReport(expected: try Drift.manifestNames(Self.manifest, source: "m"), live: names)
        #expect(!report.drifted)
        #expect(report.missing.isEmpty && report.extra.isEmpty)
        #expect(report.error == nil)
    }

    @Test func missingAndExtraAreSortedAndExitOne() {
        let report = DriftReport(expected: ["b", "a", "c"], live: ["z", "c", "y"])
        #expect(report.missing == ["a", "b"])
        #expect(report.extra == ["y", "z"])
        #expect(report.error?.code == .drift)
        #expect(report.error?.exit == .checkFailed)
        #expect(report.summary["missing"] == ["a", "b"])
    }

    @Test(arguments: [
        (#"{"result": {"content": []}}"#, "invalid_live_catalog"),
        (#"{"tools": [{"title": "no name"}]}"#, "invalid_live_catalog"),
        (
            #"{"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "Invalid params"}}"#,
            "invalid_live_catalog"
        ),
        (#"[1, 2]"#, "invalid_live_catalog"),
    ])
    func unusableLiveListingIsExitTwo(live: String, code: String) throws {
        #expect {
            try Drift.liveNames(ManifestJSON.parse(Data(live.utf8), source: "stdin"), source: "stdin")
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code.rawValue == code && error.exit == .invalidInput && error.message.hasPrefix("stdin:")
        }
    }

    @Test func unparseableLiveNamesTheInput() {
        #expect {
            try ManifestJSON.parse(Data("data: {\"x\"".utf8), source: "stdin")
        } throws: { error in
            (error as? SmokeError)?.code == .invalidJSON && (error as? SmokeError)?.message.hasPrefix("stdin:") == true
        }
    }

    @Test func manifestWithoutToolsIsInvalid() {
        #expect(throws: SmokeError.self) { try Drift.manifestNames(["schemaVersion": 1], source: "m.json") }
    }
}
