// Primary responsibilities: tests of the manual clock — start values, advancing, wall-clock shifts,
// and whole-second wall time.

import ResolverTestKit
import Testing

/// The manual clock.
@Suite struct ManualClockTests {
    /// A new clock reads monotonic zero and the default wall start, 2026-06-01T00:00:00Z.
    @Test func startsAtTheGivenTimes() {
        let clock = ManualClock()
        #expect(clock.monotonicNow == .zero)
        #expect(clock.wallSeconds == 1_780_272_000)
        #expect(ManualClock(wallSeconds: 1_000).wallSeconds == 1_000)
    }

    /// Advancing moves both readings; the wall reading counts whole seconds elapsed.
    @Test func advancesBothReadings() {
        let clock = ManualClock(wallSeconds: 100)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.monotonicNow == .milliseconds(1500))
        #expect(clock.wallSeconds == 101)
        clock.advance(by: .milliseconds(500))
        #expect(clock.wallSeconds == 102)
        clock.advance(by: .seconds(3600))
        #expect(clock.monotonicNow == .seconds(3602))
        #expect(clock.wallSeconds == 3702)
    }

    /// A wall-clock shift moves only the wall reading, either way.
    @Test func shiftsTheWallClockAlone() {
        let clock = ManualClock(wallSeconds: 100)
        clock.shiftWallClock(bySeconds: -50)
        #expect(clock.wallSeconds == 50)
        #expect(clock.monotonicNow == .zero)
        clock.shiftWallClock(bySeconds: 86_400)
        #expect(clock.wallSeconds == 86_450)
    }

    /// Concurrent advances all count (the Mutex makes them atomic).
    @Test func isThreadSafe() async {
        let clock = ManualClock()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 { group.addTask { clock.advance(by: .milliseconds(10)) } }
        }
        #expect(clock.monotonicNow == .seconds(1))
    }
}
