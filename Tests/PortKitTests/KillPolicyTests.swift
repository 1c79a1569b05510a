import Glibc
import PortKit
import Testing

/// The policy alone, with made-up identities: which holder may be signalled and why not.
@Suite struct KillPolicyTests {
    static func process(pid: Int32, uid: UInt32) -> ProcessRecord {
        ProcessRecord(pid: pid, parentPid: 1, uid: uid, state: "S", startTime: 1, command: "server")
    }

    let policy = KillPolicy(force: false, selfPid: 500, parentPid: 400, selfUid: 1000)
    let forced = KillPolicy(force: true, selfPid: 500, parentPid: 400, selfUid: 1000)

    @Test func ownProcessIsSignalled() {
        let target = Self.process(pid: 600, uid: 1000)
        #expect(policy.decide(pid: 600, process: target) == .signal(target))
    }

    @Test func otherUsersProcessNeedsForce() {
        let target = Self.process(pid: 600, uid: 65534)
        #expect(policy.decide(pid: 600, process: target) == .skip(.otherUser))
        #expect(forced.decide(pid: 600, process: target) == .signal(target))
    }

    @Test(arguments: [(Int32(1), KillPolicy.SkipReason.pid1), (500, .isSelf), (400, .parent)])
    func initSelfAndParentAreNeverSignalledEvenWithForce(pid: Int32, reason: KillPolicy.SkipReason) {
        let target = Self.process(pid: pid, uid: 1000)
        #expect(policy.decide(pid: pid, process: target) == .skip(reason))
        #expect(forced.decide(pid: pid, process: target) == .skip(reason))
    }

    @Test func unseenOwnerAndVanishedProcessAreSkipped() {
        #expect(forced.decide(pid: nil, process: nil) == .skip(.ownerUnknown))
        #expect(forced.decide(pid: 600, process: nil) == .skip(.exited))
    }

    @Test func defaultsAreThisProcess() {
        let live = KillPolicy(force: false)
        #expect(live.selfPid == getpid())
        #expect(live.parentPid == getppid())
        #expect(live.selfUid == getuid())
    }
}
