// Primary responsibilities: noticing when the wall clock jumps (an operator or NTP correcting it, a
// VM resumed) by comparing it with the monotonic clock, so that verdicts and TTLs judged against
// the wrong time are dropped instead of served for as long as the jump.

import Dispatch
import MamoriSystem
import Resolver
import ResolverServer

/// Compares wall-clock and monotonic progress every ``interval`` and calls `onJump` with the
/// difference (seconds, positive when the wall clock went forward) when it exceeds ``threshold``.
///
/// Why it matters: expiries are absolute wall-clock instants and RRSIG validity (RFC 4034 §3.1.5)
/// is judged against the wall clock, so after a clock that ran 40 days ahead is corrected, "signature
/// expired" verdicts (EDE 7) and entries stored under the wrong time would otherwise be served on.
package final class ClockJumpWatch {
    /// How often the clocks are compared.
    package static let interval: Duration = .seconds(5)
    /// Differences up to this are drift and slewing, not jumps.
    package static let threshold: Int64 = 30

    /// The timer, kept alive.
    private let timer: any DispatchSourceTimer

    /// The previous readings. `@unchecked Sendable`: touched only by the timer's serial queue.
    private final class Readings: @unchecked Sendable {
        /// Monotonic and wall time at the last comparison.
        var last: (monotonic: Duration, wall: Int64)
        /// Starts from `last`.
        init(_ last: (monotonic: Duration, wall: Int64)) { self.last = last }
    }

    /// Starts watching on a utility queue.
    package init(clock: any ResolverClock = SystemClock(), onJump: @escaping @Sendable (Int64) -> Void) {
        let readings = Readings((clock.monotonicNow, clock.wallSeconds))
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "mamori.clock-watch", qos: .utility))
        timer.schedule(deadline: .now() + .seconds(5), repeating: .seconds(5), leeway: .seconds(1))
        timer.setEventHandler {
            let now = (monotonic: clock.monotonicNow, wall: clock.wallSeconds)
            let jump = Self.jump(from: readings.last, to: now)
            readings.last = now
            if let jump { onJump(jump) }
        }
        timer.resume()
        self.timer = timer
    }

    /// The wall clock's jump between two readings, or nil when it kept pace with the monotonic one.
    package static func jump(
        from previous: (monotonic: Duration, wall: Int64), to now: (monotonic: Duration, wall: Int64)
    ) -> Int64? {
        let elapsed = (now.monotonic - previous.monotonic).components.seconds
        let difference = (now.wall - previous.wall) - elapsed
        return abs(difference) > threshold ? difference : nil
    }

    /// Stops watching.
    package func stop() { timer.cancel() }
}
