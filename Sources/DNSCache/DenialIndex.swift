// Primary responsibilities: the validated NSEC and NSEC3 records of each signed zone in the order their
// spans follow (canonical name order, hash order), with the zone's validated SOA, so that a name a cached
// span covers can be denied without asking (RFC 8198 §4, §5) — bounded in bytes, evicted whole zones first.

public import DNSWire
import Synchronization

/// Validated NSEC and NSEC3 RRsets by zone, ordered for the lookup RFC 8198 needs: the record at a name or
/// the one before it, whose span may cover it.
///
/// Only records the validator found secure with their zone's keys are inserted (RFC 8198 §4), each under
/// the zone whose keys signed it, so a span never answers for another zone. The index proves nothing
/// itself: it hands candidate records to the DNSSEC proof checks.
///
/// **Memory.** Its bytes (``MemoryEstimate``) count against the ``ResolverCache``'s bound: the cache
/// gives it ``CacheConfiguration/maxBytes`` / ``ResolverCache/denialIndexShare`` and the shards the rest.
/// Over its share it drops expired records, then whole zones, least recently used first, down to
/// seven eighths, so eviction is amortised over many insertions.
///
/// **Concurrency.** One `Mutex`: it is asked only after an ordinary cache miss, never on the cached path.
public final class DenialIndex: Sendable {
    /// One indexed RRset.
    struct Entry {
        /// The sort key: the owner's canonical position (NSEC) or its hash (NSEC3).
        var key: Key
        /// The RRset with its RRSIGs, TTL as inserted.
        var rrset: RRSet
        /// When it stops being usable (seconds).
        var expiry: Int64
        /// Its accounted heap bytes.
        var bytes: Int
    }

    /// Where an entry sorts.
    enum Key {
        /// An NSEC owner, in canonical order (RFC 4034 §6.1).
        case name(DomainName)
        /// An NSEC3 owner hash, in hash order (RFC 5155 §3.1.7).
        case hash([UInt8])

        /// Negative, zero or positive as `self` sorts before, with or after `other`.
        func compare(_ other: Key) -> Int {
            switch (self, other) {
            case (.name(let left), .name(let right)): return left.canonicalCompare(right)
            case (.hash(let left), .hash(let right)):
                if left == right { return 0 }
                return left.lexicographicallyPrecedes(right) ? -1 : 1
            default: return 0
            }
        }
    }

    /// One zone's records.
    struct Zone {
        /// NSEC records in canonical order.
        var nsec: [Entry] = []
        /// NSEC3 records of one chain in hash order.
        var nsec3: [Entry] = []
        /// The salt and iterations of ``nsec3`` (one chain per zone, RFC 5155 §7.2).
        var nsec3Parameters: NSEC3Parameters?
        /// The zone's validated SOA and when it expires.
        var soa: (rrset: RRSet, expiry: Int64)?
        /// Accounted heap bytes of everything above.
        var bytes = 0
        /// The use counter at the last lookup or insertion, for eviction.
        var lastUse: UInt64 = 0
    }

    /// The state under the lock.
    struct State {
        /// Zones by apex.
        var zones: [DomainName: Zone] = [:]
        /// Bytes of every zone plus the table.
        var bytes = 0
        /// A counter standing for time in LRU order.
        var uses: UInt64 = 0
        /// Zones dropped to stay within the bound.
        var evictions = 0
    }

    /// The salt and iteration count of an NSEC3 chain, which a name's hash depends on (RFC 5155 §5).
    public struct NSEC3Parameters: Hashable, Sendable {
        /// The salt.
        public var salt: [UInt8]
        /// The extra iterations.
        public var iterations: UInt16

        /// Creates parameters.
        public init(salt: [UInt8], iterations: UInt16) {
            self.salt = salt
            self.iterations = iterations
        }
    }

    /// The bound in bytes.
    public let maxBytes: Int
    /// The records.
    private let state = Mutex(State())

    /// Creates an empty index holding at most `maxBytes`.
    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    // MARK: - Insertion

    /// Indexes a validated NSEC or NSEC3 RRset of `zone` for `ttl` seconds (the TTL its signatures
    /// allow, RFC 4035 §5.3.3). An NSEC3 RRset of other parameters than the zone's indexed chain
    /// replaces that chain: the zone was re-signed. NSEC3 owners must be one hashed label below the
    /// zone (RFC 5155 §3); anything else is ignored.
    public func insert(_ rrset: RRSet, zone: DomainName, ttl: UInt32, now: CacheTime) {
        guard ttl > 0, rrset.name.isSubdomain(of: zone), let first = rrset.rdatas.first else { return }
        let key: Key
        var parameters: NSEC3Parameters? = nil
        switch first {
        case .nsec:
            key = .name(rrset.name.lowercased)
        case .nsec3(let nsec3):
            guard rrset.name.parent == zone, let label = rrset.name.labels.first,
                let hash = BaseEncoding.decodeBase32Hex(Array(label))
            else { return }
            key = .hash(hash)
            parameters = NSEC3Parameters(salt: nsec3.salt, iterations: nsec3.iterations)
        default:
            return
        }
        let entry = Entry(
            key: key, rrset: rrset, expiry: now.seconds + Int64(ttl), bytes: Self.bytes(of: rrset) + Self.entryBytes)
        state.withLock { state in
            state.uses += 1
            let existing = state.zones.removeValue(forKey: zone)
            if existing == nil { state.bytes += Self.zoneBytes(zone) }
            var zoneEntry = existing ?? Zone()
            state.bytes -= zoneEntry.bytes
            if let parameters {
                if zoneEntry.nsec3Parameters != parameters {
                    zoneEntry.bytes -= zoneEntry.nsec3.reduce(0) { $0 + $1.bytes }
                    zoneEntry.nsec3 = []
                    zoneEntry.nsec3Parameters = parameters
                }
                Self.place(entry, in: &zoneEntry.nsec3, bytes: &zoneEntry.bytes)
            } else {
                Self.place(entry, in: &zoneEntry.nsec, bytes: &zoneEntry.bytes)
            }
            zoneEntry.lastUse = state.uses
            state.bytes += zoneEntry.bytes
            state.zones[zone] = zoneEntry
            if state.bytes > maxBytes { Self.shrink(&state, to: maxBytes - maxBytes / 8, now: now.seconds) }
        }
    }

    /// Records the validated SOA of `zone` for `ttl` seconds: a synthesised denial carries it
    /// (RFC 8198 §5.1, RFC 2308 §3), and it is only synthesised while it is known.
    public func insertSOA(_ rrset: RRSet, zone: DomainName, ttl: UInt32, now: CacheTime) {
        guard ttl > 0, rrset.type == .soa, rrset.name == zone else { return }
        state.withLock { state in
            guard var zoneEntry = state.zones[zone] else {
                // A zone is indexed for its NSEC/NSEC3 records; an SOA alone denies nothing, and
                // arrives before the proofs it goes with, so it opens the zone's entry.
                state.uses += 1
                var fresh = Zone()
                fresh.soa = (rrset, now.seconds + Int64(ttl))
                fresh.bytes = Self.bytes(of: rrset)
                fresh.lastUse = state.uses
                state.bytes += fresh.bytes + Self.zoneBytes(zone)
                state.zones[zone] = fresh
                if state.bytes > maxBytes { Self.shrink(&state, to: maxBytes - maxBytes / 8, now: now.seconds) }
                return
            }
            let old = zoneEntry.soa.map { Self.bytes(of: $0.rrset) } ?? 0
            zoneEntry.soa = (rrset, now.seconds + Int64(ttl))
            zoneEntry.bytes += Self.bytes(of: rrset) - old
            state.bytes += Self.bytes(of: rrset) - old
            state.zones[zone] = zoneEntry
        }
    }

    /// Inserts `entry` in key order, replacing an entry with the same key.
    private static func place(_ entry: Entry, in entries: inout [Entry], bytes: inout Int) {
        let at = lowerBound(entry.key, in: entries)
        if at < entries.count, entries[at].key.compare(entry.key) == 0 {
            bytes += entry.bytes - entries[at].bytes
            entries[at] = entry
        } else {
            bytes += entry.bytes
            entries.insert(entry, at: at)
        }
    }

    // MARK: - Lookup

    /// The deepest zone at or above `name` with indexed records, if any.
    public func closestZone(enclosing name: DomainName) -> DomainName? {
        state.withLock { state in
            guard !state.zones.isEmpty else { return nil }
            var current: DomainName? = name
            // Bounded by the name's labels (at most 127).
            while let candidate = current {
                if state.zones[candidate] != nil { return candidate }
                current = candidate.parent
            }
            return nil
        }
    }

    /// The zone's SOA with its remaining TTL, while unexpired.
    public func soa(zone: DomainName, now: CacheTime) -> RRSet? {
        state.withLock { state in
            guard let soa = state.zones[zone]?.soa, soa.expiry > now.seconds else { return nil }
            var rrset = soa.rrset
            rrset.ttl = UInt32(clamping: soa.expiry - now.seconds)
            return rrset
        }
    }

    /// The NSEC of `zone` at `name`, or else the one before it in canonical order (wrapping to the
    /// last): the only record whose span can cover `name` (RFC 4034 §4.1.1). Its TTL is what remains;
    /// nil when none is indexed or that record expired.
    public func nsec(zone: DomainName, atOrBefore name: DomainName, now: CacheTime) -> RRSet? {
        find(.name(name), zone: zone, nsec3: false, now: now)
    }

    /// The NSEC3 of `zone` whose owner hash is `hash`, or else the one before it in hash order
    /// (wrapping): the only record whose span can cover it (RFC 5155 §3.1.7). Nil as for ``nsec(zone:atOrBefore:now:)``.
    public func nsec3(zone: DomainName, atOrBefore hash: [UInt8], now: CacheTime) -> RRSet? {
        find(.hash(hash), zone: zone, nsec3: true, now: now)
    }

    /// The parameters of the zone's indexed NSEC3 chain.
    public func nsec3Parameters(zone: DomainName) -> NSEC3Parameters? {
        state.withLock { $0.zones[zone]?.nsec3Parameters }
    }

    /// The entry at or before `key`, marking the zone used.
    private func find(_ key: Key, zone: DomainName, nsec3: Bool, now: CacheTime) -> RRSet? {
        state.withLock { state in
            guard var zoneEntry = state.zones[zone] else { return nil }
            let entries = nsec3 ? zoneEntry.nsec3 : zoneEntry.nsec
            guard !entries.isEmpty else { return nil }
            var at = Self.lowerBound(key, in: entries)
            if at == entries.count || entries[at].key.compare(key) != 0 {
                at = at == 0 ? entries.count - 1 : at - 1
            }
            let entry = entries[at]
            state.uses += 1
            zoneEntry.lastUse = state.uses
            state.zones[zone] = zoneEntry
            guard entry.expiry > now.seconds else { return nil }
            var rrset = entry.rrset
            rrset.ttl = UInt32(clamping: entry.expiry - now.seconds)
            return rrset
        }
    }

    /// The first index whose key is not before `key`.
    private static func lowerBound(_ key: Key, in entries: [Entry]) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key.compare(key) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: - Eviction, flushes, statistics

    /// Drops expired records, then least recently used zones, until at most `target` bytes remain.
    private static func shrink(_ state: inout State, to target: Int, now: Int64) {
        for (zone, var entry) in state.zones {
            let before = entry.bytes
            entry.nsec.removeAll { $0.expiry <= now }
            entry.nsec3.removeAll { $0.expiry <= now }
            if let soa = entry.soa, soa.expiry <= now { entry.soa = nil }
            entry.bytes =
                entry.nsec.reduce(0) { $0 + $1.bytes } + entry.nsec3.reduce(0) { $0 + $1.bytes }
                + (entry.soa.map { bytes(of: $0.rrset) } ?? 0)
            state.bytes -= before - entry.bytes
            if entry.bytes == 0 {
                state.zones[zone] = nil
                state.bytes -= zoneBytes(zone)
            } else {
                state.zones[zone] = entry
            }
        }
        let byAge = state.zones.sorted { $0.value.lastUse < $1.value.lastUse }
        for (zone, entry) in byAge where state.bytes > target {
            state.zones[zone] = nil
            state.bytes -= entry.bytes + zoneBytes(zone)
            state.evictions += 1
        }
    }

    /// Forgets every zone at or below `zone`.
    public func removeAll(under zone: DomainName) {
        state.withLock { state in
            for (apex, entry) in state.zones where apex.isSubdomain(of: zone) {
                state.zones[apex] = nil
                state.bytes -= entry.bytes + Self.zoneBytes(apex)
            }
        }
    }

    /// Forgets everything.
    public func removeEverything() {
        state.withLock { state in
            state.zones = [:]
            state.bytes = 0
        }
    }

    /// Accounted bytes now.
    public var bytesUsed: Int { state.withLock { $0.bytes } }

    /// Indexed NSEC and NSEC3 RRsets now, expired ones not yet dropped included.
    public var recordCount: Int {
        state.withLock { state in state.zones.values.reduce(0) { $0 + $1.nsec.count + $1.nsec3.count } }
    }

    /// Zones dropped to stay within the bound since start.
    public var evictions: Int { state.withLock { $0.evictions } }

    // MARK: - Accounting

    /// Fixed bytes per entry beyond its RRset: its slot in the zone's array and the key's buffer.
    static let entryBytes = MemoryLayout<Entry>.stride + MemoryEstimate.mallocChunk(32 + 32)

    /// Bytes of one RRset kept here (owner name included).
    static func bytes(of rrset: RRSet) -> Int { MemoryEstimate.rrset(rrset) }

    /// Bytes of one zone's table slot and apex name.
    static func zoneBytes(_ zone: DomainName) -> Int {
        MemoryLayout<Zone>.stride * 2 + MemoryLayout<DomainName>.stride * 2 + MemoryEstimate.name(zone)
    }
}
