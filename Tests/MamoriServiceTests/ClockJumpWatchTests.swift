// Primary responsibilities: telling a wall-clock jump from drift, by the monotonic clock.

import MamoriService
import Testing

@Suite("Clock jumps")
struct ClockJumpWatchTests {
    @Test("wall time that keeps pace with monotonic time is no jump; 40 days back or a day ahead is")
    func jumps() {
        let start = (monotonic: Duration.seconds(100), wall: Int64(1_700_000_000))
        #expect(ClockJumpWatch.jump(from: start, to: (.seconds(105), 1_700_000_005)) == nil)
        #expect(ClockJumpWatch.jump(from: start, to: (.seconds(105), 1_700_000_030)) == nil)  // slewing
        #expect(ClockJumpWatch.jump(from: start, to: (.seconds(105), 1_700_000_005 - 40 * 86400)) == -40 * 86400)
        #expect(ClockJumpWatch.jump(from: start, to: (.seconds(105), 1_700_000_005 + 86400)) == 86400)
    }
}
