import Testing

@testable import Sync

@Suite struct HLCTests {
    @Test func wireFormIsSixteenHexDigitsInClockOrder() {
        let a = HLC(millis: 1_700_000_000_000, counter: 1)
        let b = HLC(millis: 1_700_000_000_000, counter: 2)
        let c = HLC(millis: 1_700_000_000_001, counter: 0)
        #expect(a.hex == "018bcfe568000001")
        #expect(HLC(hex: a.hex) == a)
        #expect(a.hex < b.hex && b.hex < c.hex)
        #expect(a < b && b < c)
        #expect(HLC(hex: "018BCFE568000001") == nil)
        #expect(HLC(hex: "18bcfe568000001") == nil)
    }

    @Test func ticksAreMonotonicWhenTheWallClockStepsBack() {
        var clock = HybridClock()
        let first = clock.tick(wallMillis: 10_000)
        let second = clock.tick(wallMillis: 9_000)
        let third = clock.tick(wallMillis: 9_000)
        #expect(first < second && second < third)
        #expect(second.millis == 10_000 && second.counter == 1)
        let fourth = clock.tick(wallMillis: 20_000)
        #expect(fourth == HLC(millis: 20_000, counter: 0))
    }

    @Test func aFullCounterCarriesIntoTheMilliseconds() {
        var clock = HybridClock(last: HLC(millis: 5, counter: .max))
        #expect(clock.tick(wallMillis: 5) == HLC(millis: 6, counter: 0))
    }

    @Test func observedReadingsPushTheClockForward() {
        var clock = HybridClock()
        _ = clock.tick(wallMillis: 1_000)
        clock.observe(HLC(millis: 5_000, counter: 7))
        #expect(clock.tick(wallMillis: 1_000) == HLC(millis: 5_000, counter: 8))
    }

    @Test func remoteReadingsTooFarAheadAreRefused() throws {
        let clock = HybridClock(maxSkewMillis: 300_000)
        try clock.check(HLC(millis: 1_000_000 + 300_000, counter: 0), wallMillis: 1_000_000)
        #expect(throws: ClockSkewError.self) {
            try clock.check(HLC(millis: 1_000_000 + 300_001, counter: 0), wallMillis: 1_000_000)
        }
    }
}
