import Foundation
import PortKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct RandomPortPickerTests {
    /// Published reference outputs of SplitMix64 (Vigna's splitmix64.c) for seed 0: a drift
    /// here would silently change which port every `--seed N` picks.
    @Test func splitMixMatchesTheReferenceGenerator() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func boundedDrawsStayInBoundsAndCoverThem() {
        var generator = SplitMix64(seed: 99)
        var seen: Set<UInt64> = []
        for _ in 0..<2000 {
            let value = generator.next(below: 7)
            #expect(value < 7)
            seen.insert(value)
        }
        #expect(seen.count == 7)
    }

    @Test func orderIsAPermutationOfTheCandidatesFixedBySeed() {
        let picker = RandomPortPicker(range: 20000...20100, excluded: [20000, 20050, 30000], seed: 7)
        #expect(picker.candidates.count == 99)
        #expect(Set(picker.order) == Set(picker.candidates))
        #expect(picker.order.count == picker.candidates.count)
        #expect(RandomPortPicker(range: 20000...20100, excluded: [20000, 20050], seed: 7).order == picker.order)
        let others = (8..<16).map { RandomPortPicker(range: 20000...20100, excluded: [], seed: $0).order.first }
        #expect(Set(others).count > 1, "different seeds should start in different places")
    }

    @Test func defaultsAreTheOriginalRangeAndExclusions() {
        #expect(RandomPortPicker.defaultRange == 18000...24000)
        #expect(RandomPortPicker.defaultExcluded == [8080, 9090, 9091])
    }

    /// Ports base…base+3 are held by a real listener; base+4 and base+5 are not. Whatever the
    /// seed, the pick is one of the two free ports and every skipped port was a held one.
    @Test func neverReturnsABusyPort() throws {
        let (holder, base) = try PortFixtures.consecutiveListener(count: 4)
        defer { holder.stop() }
        let held = Set(base...(base + 3))
        for seed in UInt64(0)..<24 {
            let pick = RandomPortPicker(range: base...(base + 5), excluded: [], seed: seed).pick()
            let status = try #require(pick.status)
            #expect(status.free)
            #expect(status.port == base + 4 || status.port == base + 5)
            #expect(Set(pick.busy).isSubset(of: held))
            #expect(pick.attempts == pick.busy.count + 1)
        }
    }

    @Test func sameSeedSameFreePortsSamePort() throws {
        let (holder, base) = try PortFixtures.consecutiveListener(count: 2)
        defer { holder.stop() }
        let range = base...(base + 40)
        for seed in [UInt64(1), 2, 3, 12345] {
            let first = RandomPortPicker(range: range, excluded: [base + 2], seed: seed).pick()
            let second = RandomPortPicker(range: range, excluded: [base + 2], seed: seed).pick()
            #expect(first.status?.port != nil)
            #expect(first.status?.port == second.status?.port)
            #expect(first.busy == second.busy)
            #expect(first.status?.port != base + 2)
        }
    }

    @Test func exclusionsAreNeverChosen() throws {
        // A run of five ports that were all bindable, released again for the picker to find.
        let (holder, base) = try PortFixtures.consecutiveListener(count: 5)
        holder.stop()
        let range = base...(base + 4)
        for seed in UInt64(0)..<10 {
            let pick = RandomPortPicker(range: range, excluded: [base, base + 1, base + 3, base + 4], seed: seed).pick()
            #expect(pick.status?.port == base + 2)
        }
    }

    @Test func aRangeThatIsAllBusyGivesUpAfterTryingEachPortOnce() throws {
        let (holder, base) = try PortFixtures.consecutiveListener(count: 3)
        defer { holder.stop() }
        let pick = RandomPortPicker(range: base...(base + 2), excluded: [], seed: 5).pick()
        #expect(pick.status == nil)
        #expect(pick.attempts == 3)
        #expect(Set(pick.busy) == Set(base...(base + 2)))
    }

    @Test func attemptsAreBounded() {
        var inspected = 0
        let picker = RandomPortPicker(range: 1...65535, excluded: [], seed: 1, maxAttempts: 10)
        let pick = picker.pick { port in
            inspected += 1
            return PortStatus(
                port: port, listeners: [], otherSockets: [],
                bindChecks: [BindCheck(address: "127.0.0.1:\(port)", status: .inUse, detail: nil)])
        }
        #expect(inspected == 10)
        #expect(pick.status == nil)
    }
}
