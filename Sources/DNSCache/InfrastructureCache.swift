// Primary responsibilities: remember per upstream address how it behaves — smoothed RTT and RTO
// (RFC 6298), timeouts with exponential back-off and hold-down, EDNS and TCP needs, lameness per
// zone, its last DNS server cookie — and forget it after a while, so a server that recovers gets
// another chance.

public import DNSWire
import Synchronization

/// The per-server cache (Unbound's infra cache, BIND's ADB): what the resolver's server selection
/// reads and what every upstream exchange updates.
///
/// Entries age out ``Configuration/hostTTL`` seconds after their last update (Unbound's
/// `infra-host-ttl`, 900 s): a server's network path changes, and a bad verdict must not be
/// permanent. The number of servers is bounded (``Configuration/maxServers``); when full the
/// least recently updated entry goes. Shards are `Mutex`es, as in ``ResolverCache``.
public final class InfrastructureCache: Sendable {
    /// Settings for the server cache.
    public struct Configuration: Hashable, Sendable {
        /// Seconds an entry (and a lameness mark) lives after its last update (Unbound 900).
        public var hostTTL: UInt32 = 900
        /// The RTO of a server never heard from, in ms. RFC 6298 §2.1 says 1 s for TCP; DNS
        /// resolvers start lower because a retry to another server is cheap (Unbound uses 376 ms).
        public var initialRTO: UInt32 = 400
        /// Lowest RTO in ms: answers faster than this do not make retries more eager.
        public var minimumRTO: UInt32 = 50
        /// Highest RTO in ms after back-off (RFC 6298 §2.5 allows an upper bound; a resolver
        /// waiting longer than this on one server has already answered SERVFAIL to its client).
        public var maximumRTO: UInt32 = 12_000
        /// Consecutive timeouts after which the server is held down (only probed occasionally).
        public var timeoutsBeforeHoldDown: Int = 4
        /// First hold-down in seconds; doubles with each further timeout up to ``maximumHoldDown``.
        public var holdDown: UInt32 = 5
        /// Longest hold-down in seconds. A probe is let through at the end of each hold-down, so a
        /// server that recovers is used again at most this long after it came back.
        public var maximumHoldDown: UInt32 = 120
        /// Seconds a held-down server stays held while its one probe is out (longer than any query
        /// timeout, so the probe's own timeout is recorded before another probe can start).
        public var probeWindow: UInt32 = 15
        /// Most servers remembered.
        public var maxServers: Int = 65_536
        /// Most zones a server can be marked lame for at once.
        public var maxLameZonesPerServer: Int = 16

        /// The defaults.
        public init() {}
    }

    /// One server's state.
    struct Entry {
        /// SRTT in ms, 0 before the first sample (see ``hasSample``).
        var srtt: UInt32 = 0
        /// RTTVAR in ms.
        var rttvar: UInt32 = 0
        /// Whether an RTT sample has been taken.
        var hasSample = false
        /// Current RTO in ms.
        var rto: UInt32
        /// Timeouts since the last answer.
        var timeouts = 0
        /// Hold-down end, seconds; 0 when none.
        var heldDownUntil: Int64 = 0
        /// EDNS behaviour.
        var edns = EDNSSupport.unknown
        /// TCP-only flag.
        var tcpOnly = false
        /// Zone → expiry (seconds) of a lameness mark.
        var lame: [DomainName: Int64] = [:]
        /// Last update, seconds.
        var updated: Int64
        /// The server cookie it last sent us (RFC 7873 §5.3), 8–32 octets; nil while none was seen.
        var serverCookie: [UInt8]? = nil
        /// Why the last failed exchange failed; nil after an answer.
        var lastFailure: String? = nil
    }

    /// The settings.
    public let configuration: Configuration
    /// Shards of address → entry.
    let shards: [Box]

    /// One shard's lock.
    final class Box: Sendable {
        /// Address → entry.
        let state = Mutex<[ServiceAddress: Entry]>([:])
    }

    /// Creates an empty server cache with 16 shards.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        shards = (0..<16).map { _ in Box() }
    }

    /// The shard for `address`.
    func box(_ address: ServiceAddress) -> Box { shards[address.hashValue & 15] }

    /// Runs `body` on the live entry for `address`, creating a fresh one (and replacing an aged
    /// one) as needed; makes room when the shard is full.
    func update<T>(_ address: ServiceAddress, now: CacheTime, _ body: (inout Entry) -> T) -> T {
        box(address).state.withLock { entries in
            var entry = entries[address]
            if let existing = entry, now.seconds - existing.updated >= Int64(configuration.hostTTL) { entry = nil }
            if entry == nil, entries.count >= max(1, configuration.maxServers / shards.count) {
                // Full: drop the entry updated longest ago (rare: only when a new server appears).
                if let oldest = entries.min(by: { $0.value.updated < $1.value.updated })?.key {
                    entries.removeValue(forKey: oldest)
                }
            }
            var current = entry ?? Entry(rto: configuration.initialRTO, updated: now.seconds)
            current.updated = now.seconds
            let result = body(&current)
            entries[address] = current
            return result
        }
    }

    /// Reads the live entry for `address`, or nil (dropping an aged one).
    func read<T>(_ address: ServiceAddress, now: CacheTime, _ body: (Entry) -> T) -> T? {
        box(address).state.withLock { entries in
            guard let entry = entries[address] else { return nil }
            guard now.seconds - entry.updated < Int64(configuration.hostTTL) else {
                entries.removeValue(forKey: address)
                return nil
            }
            return body(entry)
        }
    }

    /// Records an answer that took `milliseconds` (RFC 6298 §2.2–2.3): the first sample sets
    /// SRTT = R and RTTVAR = R/2; later ones RTTVAR = ¾·RTTVAR + ¼·|SRTT − R| and SRTT = ⅞·SRTT + ⅛·R;
    /// then RTO = SRTT + 4·RTTVAR, clamped. An answer ends any back-off (RFC 6298 §5.7) and hold-down.
    public func recordRTT(_ milliseconds: UInt32, for address: ServiceAddress, now: CacheTime) {
        let sample = min(milliseconds, configuration.maximumRTO)
        update(address, now: now) { entry in
            if entry.hasSample {
                let deviation = entry.srtt > sample ? entry.srtt - sample : sample - entry.srtt
                entry.rttvar = (3 * entry.rttvar + deviation) / 4
                entry.srtt = (7 * entry.srtt + sample) / 8
            } else {
                entry.srtt = sample
                entry.rttvar = sample / 2
                entry.hasSample = true
            }
            let rto = UInt64(entry.srtt) + 4 * UInt64(entry.rttvar)
            entry.rto = UInt32(min(max(rto, UInt64(configuration.minimumRTO)), UInt64(configuration.maximumRTO)))
            entry.timeouts = 0
            entry.heldDownUntil = 0
            entry.lastFailure = nil
        }
    }

    /// Records a timeout: the RTO doubles (RFC 6298 §5.5, "back off the timer"), clamped; after
    /// ``Configuration/timeoutsBeforeHoldDown`` in a row the server is held down for
    /// ``Configuration/holdDown`` seconds, doubling with each further timeout. A failure that is
    /// not a timeout (a refused connection, a TLS server that cannot prove who it is) counts the
    /// same, and `reason` says what it was, so that the failure given while the server is held
    /// down names the cause rather than "timeouts".
    public func recordTimeout(for address: ServiceAddress, now: CacheTime, reason: String = "timed out") {
        update(address, now: now) { entry in
            entry.lastFailure = reason
            entry.rto = UInt32(min(UInt64(entry.rto) * 2, UInt64(configuration.maximumRTO)))
            entry.timeouts += 1
            let over = entry.timeouts - configuration.timeoutsBeforeHoldDown
            if over >= 0 {
                let hold = min(
                    UInt64(configuration.holdDown) << UInt64(min(over, 20)), UInt64(configuration.maximumHoldDown))
                entry.heldDownUntil = now.seconds + Int64(hold)
            }
        }
    }

    /// Whether a query may go to `address` now. A server that is not held down always may. A held-down
    /// server may not, except that once its hold-down has ended exactly one query is let through as
    /// a probe: the claim holds the server down for ``Configuration/probeWindow`` more seconds, so
    /// that the queries of a flood (random names under a dead zone) fail at once instead of each
    /// paying a timeout and a socket, while the probe's answer (``recordRTT(_:for:now:)``) ends the
    /// hold-down and its timeout (``recordTimeout(for:now:)``) lengthens it. Unbound's infra cache
    /// likewise lets one probe through to a server it has "timed out".
    /// - Returns: true when the caller may send (and must then record the answer or the timeout).
    public func claimQuery(to address: ServiceAddress, now: CacheTime) -> Bool {
        box(address).state.withLock { entries in
            guard var entry = entries[address], now.seconds - entry.updated < Int64(configuration.hostTTL) else {
                return true
            }
            guard entry.timeouts >= configuration.timeoutsBeforeHoldDown else { return true }
            guard entry.heldDownUntil <= now.seconds else { return false }
            entry.heldDownUntil = now.seconds + Int64(configuration.probeWindow)
            entries[address] = entry
            return true
        }
    }

    /// Records what EDNS behaviour the server showed (RFC 6891 §7 fallback).
    public func setEDNS(_ support: EDNSSupport, for address: ServiceAddress, now: CacheTime) {
        update(address, now: now) { $0.edns = support }
    }

    /// Remembers the server cookie the server sent with a reply that echoed our client cookie, to send
    /// back in the next query (RFC 7873 §5.3, §5.1), or forgets it (nil). It ages out with the entry.
    public func setServerCookie(_ cookie: [UInt8]?, for address: ServiceAddress, now: CacheTime) {
        update(address, now: now) { $0.serverCookie = cookie }
    }

    /// Marks the server as reachable only over TCP (or clears the mark).
    public func setTCPOnly(_ tcpOnly: Bool, for address: ServiceAddress, now: CacheTime) {
        update(address, now: now) { $0.tcpOnly = tcpOnly }
    }

    /// Marks the server lame for `zone`: it was delegated to but does not answer authoritatively
    /// for it (RFC 1034 §4.2.2, RFC 2308 §2.2 "lame delegation"). Ages out after ``Configuration/hostTTL``.
    /// When the server already has the maximum number of lame zones, the one expiring first is dropped.
    public func markLame(_ address: ServiceAddress, zone: DomainName, now: CacheTime) {
        update(address, now: now) { entry in
            entry.lame = entry.lame.filter { $0.value > now.seconds }
            if entry.lame[zone] == nil, entry.lame.count >= configuration.maxLameZonesPerServer,
                let first = entry.lame.min(by: { $0.value < $1.value })?.key
            {
                entry.lame.removeValue(forKey: first)
            }
            entry.lame[zone] = now.seconds + Int64(configuration.hostTTL)
        }
    }

    /// Whether the server is marked lame for exactly `zone` at `now`.
    public func isLame(_ address: ServiceAddress, zone: DomainName, now: CacheTime) -> Bool {
        read(address, now: now) { entry in (entry.lame[zone] ?? 0) > now.seconds } ?? false
    }

    /// What is known about the server, or the defaults for an unknown one (no RTT, initial RTO).
    public func info(for address: ServiceAddress, now: CacheTime) -> ServerInfo {
        read(address, now: now) { entry in
            ServerInfo(
                smoothedRTT: entry.hasSample ? entry.srtt : nil, rttVariation: entry.rttvar,
                retransmissionTimeout: entry.rto, consecutiveTimeouts: entry.timeouts,
                heldDownUntil: entry.heldDownUntil > now.seconds ? CacheTime(seconds: entry.heldDownUntil) : nil,
                edns: entry.edns, tcpOnly: entry.tcpOnly, lastUpdate: CacheTime(seconds: entry.updated),
                serverCookie: entry.serverCookie, lastFailure: entry.lastFailure)
        }
            ?? ServerInfo(
                smoothedRTT: nil, rttVariation: 0, retransmissionTimeout: configuration.initialRTO,
                consecutiveTimeouts: 0, heldDownUntil: nil, edns: .unknown, tcpOnly: false, lastUpdate: now)
    }

    /// Forgets one server.
    public func flush(_ address: ServiceAddress) {
        _ = box(address).state.withLock { $0.removeValue(forKey: address) }
    }

    /// Forgets every server.
    public func flushAll() {
        for box in shards { box.state.withLock { $0 = [:] } }
    }

    /// Servers remembered (aged entries not yet dropped included).
    public var count: Int { shards.reduce(0) { $0 + $1.state.withLock { $0.count } } }
}
