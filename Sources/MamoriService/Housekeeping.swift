// Primary responsibilities: the service's periodic work while the daemon runs — negative trust
// anchors that reach their end (every second), wall-clock jumps (every 5 s), and freed heap given
// back after a flood (every 10 s) — each a function the tests call directly.

import DNSCache
import DNSWire
import Dispatch
import Logging
import ResolverServer

/// The timers of a running service.
public final class Housekeeping {
    /// The service whose caches and anchors are kept.
    let service: ResolverService
    /// The listeners' packet cache, flushed with the service's cache.
    let packetCache: PacketCache?
    /// Where events are logged.
    let logger: Logger
    /// The NTA sweep, the clock watch and the heap watch.
    private let sweep: any DispatchSourceTimer
    private let clockWatch: ClockJumpWatch
    private let heapReturn: HeapReturn

    /// Starts the timers; the NTA sweep runs on `queue` (the daemon's, so it never overlaps a reload).
    public init(service: ResolverService, packetCache: PacketCache?, logger: Logger, queue: DispatchQueue) {
        self.service = service
        self.packetCache = packetCache
        self.logger = logger
        let sweep = DispatchSource.makeTimerSource(queue: queue)
        sweep.schedule(deadline: .now() + .seconds(1), repeating: .seconds(1), leeway: .milliseconds(200))
        self.sweep = sweep
        clockWatch = ClockJumpWatch(clock: service.clock) { [service, packetCache, logger] jump in
            Self.clockJumped(by: jump, service: service, packetCache: packetCache, logger: logger)
        }
        heapReturn = HeapReturn(logger: logger)
        sweep.setEventHandler { [service, packetCache] in
            _ = Self.endExpiredNegativeAnchors(service: service, packetCache: packetCache)
        }
        sweep.resume()
    }

    /// Ends the NTAs whose lifetime has passed (RFC 7646 §2) with what was cached under them, the
    /// packet cache's replies included.
    /// - Returns: the names whose NTA ended.
    @discardableResult
    public func endExpiredNegativeAnchors() -> [DomainName] {
        Self.endExpiredNegativeAnchors(service: service, packetCache: packetCache)
    }

    /// ``endExpiredNegativeAnchors()`` for the timer, which holds no reference to the housekeeping.
    static func endExpiredNegativeAnchors(service: ResolverService, packetCache: PacketCache?) -> [DomainName] {
        let ended = service.endExpiredNegativeAnchors()
        if !ended.isEmpty { packetCache?.flush() }
        return ended
    }

    /// ``clockJumped(by:service:packetCache:logger:)`` for this service.
    public func clockJumped(by jump: Int64) {
        Self.clockJumped(by: jump, service: service, packetCache: packetCache, logger: logger)
    }

    /// Drops what was judged against a wall clock that was wrong by `jump` seconds: expiries and
    /// RRSIG verdicts (RFC 4034 §3.1.5) are absolute instants.
    static func clockJumped(by jump: Int64, service: ResolverService, packetCache: PacketCache?, logger: Logger) {
        service.cache.flushAll()
        packetCache?.flush()
        logger.warning("wall clock jumped \(jump > 0 ? "forward" : "back") \(abs(jump)) s: caches flushed")
    }

    /// Stops every timer.
    public func stop() {
        sweep.cancel()
        clockWatch.stop()
        heapReturn.stop()
    }
}
