import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct HomePlacementTests {
    static let mounts = """
        /dev/vda / ext4 rw,relatime 0 0
        tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
        tmpfs /run/user/1000 tmpfs rw,nosuid 0 0
        /dev/vdb /srv/my\\040data xfs rw 0 0
        """

    @Test func filesystemTypeIsTheLongestMountPointHoldingThePath() {
        #expect(HomePlacement.filesystemType(of: "/dev/shm", mounts: Self.mounts) == "tmpfs")
        #expect(HomePlacement.filesystemType(of: "/dev/shm/codex-stage-x", mounts: Self.mounts) == "tmpfs")
        #expect(
            HomePlacement.filesystemType(of: "/dev/shmem", mounts: Self.mounts) == "ext4", "a prefix is not a parent")
        #expect(HomePlacement.filesystemType(of: "/tmp/work", mounts: Self.mounts) == "ext4")
        #expect(HomePlacement.filesystemType(of: "/srv/my data/x", mounts: Self.mounts) == "xfs", "escaped spaces")
        #expect(HomePlacement.filesystemType(of: "/x", mounts: "garbage\n") == nil)
    }

    @Test func keptHomeStaysInTheWorkDirectory() throws {
        let placement = try HomePlacement.choose(name: "install", work: "/w", keep: true, scratch: "/elsewhere")
        #expect(placement.path == "/w/codex-home-install" && placement.removable == placement.path)
    }

    @Test func throwawayHomeGoesInAPrivateDirectoryUnderScratch() throws {
        let temp = try TempDirectory(prefix: "home-placement")
        try FileManager.default.createDirectory(atPath: temp.file("scratch"), withIntermediateDirectories: true)
        let placement = try HomePlacement.choose(
            name: "install", work: temp.file("work"), keep: false, scratch: temp.file("scratch"))
        #expect(placement.removable.hasPrefix(temp.file("scratch") + "/codex-stage-install-"))
        #expect(placement.path == placement.removable + "/codex-home-install")
        let mode =
            (try FileManager.default.attributesOfItem(atPath: placement.removable)[.posixPermissions] as? NSNumber)?
            .intValue
        #expect(mode == 0o700)
    }

    @Test func unusableScratchIsAnErrorNamingIt() {
        #expect {
            _ = try HomePlacement.choose(name: "x", work: "/w", keep: false, scratch: "/nonexistent/scratch")
        } throws: { error in
            let error = error as? SmokeError
            return error?.code == .writeFailed && error?.message.contains("--scratch /nonexistent/scratch") == true
        }
    }

    @Test func aStageThatFailsBeforeCodexStartsLeavesNoHomeBehind() async throws {
        let temp = try TempDirectory(prefix: "home-placement")
        try temp.write("stages.json", #"{"stages": [{"name": "s", "prompt": "p", "expectations": []}]}"#)
        try FileManager.default.createDirectory(atPath: temp.file("repo"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: temp.file("scratch"), withIntermediateDirectories: true)
        var options = CodexStage.RunOptions(
            stagesPath: temp.file("stages.json"), name: "s", cd: temp.file("repo"), mcpURL: "http://127.0.0.1:9/mcp")
        options.codex = "/bin/true"
        options.work = temp.file("work")
        options.scratch = temp.file("scratch")
        options.codexHomeTemplate = temp.file("no-such-template")
        await #expect(throws: SmokeError.self) { _ = try await CodexStage.run(options) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.file("scratch")).isEmpty)
    }
}
