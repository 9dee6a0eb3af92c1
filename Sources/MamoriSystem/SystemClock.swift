// Primary responsibilities: the daemon's clock for the engine — monotonic time for timeouts and
// round trips, wall time for TTL expiry and signature validity.

import Resolver

#if canImport(Glibc)
    import Glibc
#endif

/// The system's clocks, read with clock_gettime.
///
/// The wall reading is CLOCK_REALTIME, so a faked system time (libfaketime, a test VM) moves
/// signature validity with it; the monotonic reading never jumps.
package struct SystemClock: ResolverClock {
    /// Creates the clock.
    package init() {}

    /// CLOCK_MONOTONIC.
    package var monotonicNow: Duration {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }

    /// CLOCK_REALTIME, whole seconds since the epoch.
    package var wallSeconds: Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
