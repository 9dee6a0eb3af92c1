// Primary responsibilities: the service's periodic work while the daemon runs — negative trust
// anchors that reach their end (every second), wall-clock jumps (every 5 s), and freed heap given
// back after a flood (every 10 s) — each a function the tests call directly.

import DNSCache
import DNSWire
import Dispatch
import Logging
import ResolverServer

/// The timers of a running service.
package final class Housekeeping {
    /// The service whose caches and anchors are kept.
    let service: ResolverService
    /// Where events are logged.
    let logger: Logger
    /// The NTA sweep, the clock watch and the heap watch.
    private let sweep: any DispatchSourceTimer
    private let clockWatch: ClockJumpWatch
    private let heapReturn: HeapReturn

    /// Starts the timers; the NTA sweep runs on `queue` (the daemon's, so it never overlaps a reload).
    package init(service: ResolverService, logger: Logger, queue: DispatchQueue) {
        self.service = service
        self.logger = logger
        let sweep = DispatchSource.makeTimerSource(queue: queue)
        sweep.schedule(deadline: .now() + .seconds(1), repeating: .seconds(1), leeway: .milliseconds(200))
        self.sweep = sweep
        clockWatch = ClockJumpWatch(clock: service.clock) { [service, logger] jump in
            Self.clockJumped(by: jump, service: service, logger: logger)
        }
        heapReturn = HeapReturn(logger: logger)
        sweep.setEventHandler { [service] in _ = service.endExpiredNegativeAnchors() }
        sweep.resume()
    }

    /// Drops what was judged against a wall clock that was wrong by `jump` seconds: expiries and
    /// RRSIG verdicts (RFC 4034 §3.1.5) are absolute instants.
    package func clockJumped(by jump: Int64) {
        Self.clockJumped(by: jump, service: service, logger: logger)
    }

    /// ``clockJumped(by:)`` for the clock watch, which holds no reference to the housekeeping.
    static func clockJumped(by jump: Int64, service: ResolverService, logger: Logger) {
        service.flushAll()
        logger.warning("wall clock jumped \(jump > 0 ? "forward" : "back") \(abs(jump)) s: caches flushed")
    }

    /// Stops every timer.
    package func stop() {
        sweep.cancel()
        clockWatch.stop()
        heapReturn.stop()
    }
}
