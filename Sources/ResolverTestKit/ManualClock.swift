// Primary responsibilities: a clock that moves only when a test (or the scripted network, on a
// timeout or a delayed reply) says so, giving the engine deterministic monotonic and wall time.

import Resolver
import Synchronization

/// A ``ResolverClock`` whose time moves only by ``advance(by:)`` and ``shiftWallClock(bySeconds:)``.
///
/// The monotonic reading starts at zero. The wall reading starts at the given epoch second and
/// follows the monotonic reading in whole seconds (the elapsed time rounded down), so that a TTL
/// or an RRSIG window ages exactly as much as the timeouts say. A wall-clock jump, which a real
/// system can make and a monotonic clock never does, is made with ``shiftWallClock(bySeconds:)``.
///
/// Thread-safe: the readings live behind a `Mutex`, so the engine may read the clock from any task.
package final class ManualClock: ResolverClock {
    /// The default start of wall time: 2026-06-01T00:00:00Z as seconds since the Unix epoch.
    package static let defaultWallSeconds: Int64 = 1_780_272_000

    /// The mutable readings.
    private struct State {
        /// Monotonic time since the clock was made; never negative, never goes back.
        var monotonic: Duration
        /// Wall seconds at monotonic zero, including every shift made since.
        var wallOrigin: Int64
    }

    /// The readings, guarded.
    private let state: Mutex<State>

    /// Creates a clock at monotonic zero.
    /// - Parameter wallSeconds: the wall time at the start, in seconds since the Unix epoch.
    package init(wallSeconds: Int64 = ManualClock.defaultWallSeconds) {
        state = Mutex(State(monotonic: .zero, wallOrigin: wallSeconds))
    }

    /// Monotonic time since the clock was made.
    package var monotonicNow: Duration { state.withLock { $0.monotonic } }

    /// Seconds since the Unix epoch: the start plus the whole seconds elapsed, plus any shift.
    package var wallSeconds: Int64 {
        state.withLock { $0.wallOrigin + $0.monotonic.components.seconds }
    }

    /// Moves both readings forward.
    /// - Parameter duration: how far; must not be negative (a monotonic clock never goes back).
    package func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock cannot go back in time")
        state.withLock { $0.monotonic += duration }
    }

    /// Moves the wall reading alone, as an operator or NTP stepping the system time would.
    /// - Parameter seconds: the jump, forward when positive, backward when negative.
    package func shiftWallClock(bySeconds seconds: Int64) {
        state.withLock { $0.wallOrigin += seconds }
    }
}
