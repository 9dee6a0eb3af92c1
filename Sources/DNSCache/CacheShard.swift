// Primary responsibilities: one lock's worth of the cache — the name index, the slot array, the
// eviction list (LRU, CLOCK or SIEVE), the byte accounting against the shard's share of the bound,
// and the RFC 2181 §5.4.1 replacement rule. Everything here runs with the shard's lock held.

import DNSSEC
import DNSWire

/// The state behind one shard's `Mutex`.
///
/// Layout: `index` maps an owner name to the first slot of that name's chain; the chain links
/// every entry of the name (each type, each kind) through ``CacheSlot/nextSameName``. Sharding by
/// name rather than by (name, type) keeps all of a name's entries under one lock, which makes the
/// types-per-name limit, "flush this name" and the positive/negative interplay single-lock
/// operations, and makes a lookup hash the name once. Chains are short: at most
/// ``CacheConfiguration/maxTypesPerName`` entries, usually one to three.
///
/// Slots live in one array and are threaded into a doubly linked eviction list by index (head =
/// newest). Freed slots go on a free list and are reused, so a full shard stops allocating slots.
struct CacheShard: ~Copyable {
    /// Owner name → first slot of its chain.
    var index: [NameKey: Int32] = [:]
    /// All slots, live and free.
    var slots: [CacheSlot] = []
    /// First free slot (linked through ``CacheSlot/older``), or -1.
    var freeHead: Int32 = -1
    /// Newest entry in the eviction list, or -1.
    var head: Int32 = -1
    /// Oldest entry in the eviction list, or -1.
    var tail: Int32 = -1
    /// SIEVE's hand: the next entry to examine, or -1 to start from the tail.
    var hand: Int32 = -1
    /// Live entries.
    var count = 0
    /// Heap bytes owned by live entries (their ``CacheSlot/bytes``).
    var entryBytes = 0
    /// Heap bytes of the names used as index keys, one per distinct name.
    var nameBytes = 0
    /// This shard's share of the memory bound.
    let limit: Int
    /// The settings, copied so the lock holder needs nothing else.
    let configuration: CacheConfiguration
    /// Counters, read by ``ResolverCache/statistics(now:)``.
    var counters = CacheStatistics.Counters()

    /// Creates an empty shard with a share of the bound.
    init(limit: Int, configuration: CacheConfiguration) {
        self.limit = limit
        self.configuration = configuration
    }

    // MARK: - Accounting

    /// Fixed bytes of one shard: its box object holding the mutex and this struct.
    static var fixedBytes: Int { MemoryEstimate.mallocChunk(16 + MemoryLayout<CacheShard>.size + 8) }

    /// Bytes this shard accounts for: entries, names, the slot array and the index's storage.
    var accountedBytes: Int {
        Self.fixedBytes + entryBytes + nameBytes + MemoryEstimate.array(slots)
            + MemoryEstimate.dictionary(capacity: index.capacity, key: NameKey.self, value: Int32.self)
    }

    /// The instant after which the entry in `slot` is useless even as stale data: its expiry, plus
    /// the stale window when serve-stale is on (RFC 8767 §5). Bogus results are never served stale;
    /// resolution failures are kept, unserved, to back off.
    @inline(__always)
    func keepUntil(_ slot: Int32) -> Int64 {
        let expiry = slots[Int(slot)].expiry
        // A failure is kept (never served) past its expiry, so the next one of the same question
        // can back off (RFC 9520 §3.2).
        if slots[Int(slot)].kind == .failure { return expiry + Int64(configuration.failureMemory) }
        guard configuration.serveStale, slots[Int(slot)].kind != .bogus else { return expiry }
        let (sum, overflow) = expiry.addingReportingOverflow(Int64(configuration.staleWindow))
        return overflow ? Int64.max : sum
    }

    /// Whether the entry in `slot` may be dropped: past its stale window.
    @inline(__always)
    func isDead(_ slot: Int32, now: Int64) -> Bool { now >= keepUntil(slot) }

    // MARK: - Finding

    /// The slot holding `kind` for (`name`, `type`, `rrClass`), live or stale, or -1.
    @inline(__always)
    func find(_ name: DomainName, _ type: RRType, _ rrClass: RRClass, _ kind: CacheEntryKind) -> Int32 {
        guard var at = index[NameKey(name)] else { return -1 }
        // Fields are read one by one: copying the whole slot would retain its arrays.
        while at >= 0 {
            if slots[Int(at)].type == type && slots[Int(at)].kind == kind && slots[Int(at)].rrClass == rrClass {
                return at
            }
            at = slots[Int(at)].nextSameName
        }
        return -1
    }

    /// Looks up an entry for serving: fresh → hit (marks it used); stale and `allowStale` → stale
    /// hit; past the stale window → removed, miss.
    /// - Returns: the slot and whether it is stale, or nil on a miss.
    mutating func lookup(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass, _ kind: CacheEntryKind, now: Int64, allowStale: Bool
    ) -> (slot: Int32, stale: Bool)? {
        let at = find(name, type, rrClass, kind)
        guard at >= 0 else {
            counters.misses += 1
            return nil
        }
        if slots[Int(at)].isFresh(at: now) {
            touch(at)
            counters.hits += 1
            return (at, false)
        }
        if isDead(at, now: now) {
            remove(at)
            counters.expiredRemovals += 1
            counters.misses += 1
            return nil
        }
        guard allowStale else {
            counters.misses += 1
            return nil
        }
        touch(at)
        counters.staleHits += 1
        return (at, true)
    }

    // MARK: - Inserting

    /// Stores `entry` (a fully built slot without links or byte count) under the RFC 2181 §5.4.1
    /// rule: a fresh entry of better rank stays; equal or better rank, or an expired old entry, is
    /// replaced. Positive and negative data for the same name exclude each other (RFC 2308 §5):
    /// a positive RRset removes the NODATA for its type and the NXDOMAIN for its name, a NODATA
    /// removes the RRset of its type and the NXDOMAIN, an NXDOMAIN removes every RRset and NODATA of
    /// the name — each only when the newcomer's rank is at least the old entry's, or the old entry
    /// has expired; a fresh better-ranked opposite entry makes the newcomer ``CacheInsertResult/keptExisting``.
    mutating func insert(_ entry: CacheSlot, now: Int64) -> CacheInsertResult {
        var entry = entry
        guard let kind = entry.kind else { return .rejectedTooLarge }
        let bytes = Int(entry.bytes)
        // One entry may not take more than half a shard: it would flush everything else.
        guard bytes + MemoryEstimate.name(entry.name) <= limit / 2 else {
            counters.rejectedOversize += 1
            return .rejectedTooLarge
        }
        var existing: Int32 = -1
        var others = 0
        var conflicts: [Int32] = []
        if let first = index[NameKey(entry.name)] {
            entry.name = slots[Int(first)].name
            var at = first
            while at >= 0 {
                let slot = slots[Int(at)]
                defer { at = slot.nextSameName }
                guard slot.rrClass == entry.rrClass else {
                    others += 1
                    continue
                }
                if slot.kind == kind && slot.type == entry.type {
                    existing = at
                    continue
                }
                others += 1
                guard let opposite = slot.kind, Self.excludes(kind, entry.type, opposite, slot.type) else { continue }
                if slot.isFresh(at: now) && slot.rank > entry.rank {
                    counters.keptExisting += 1
                    return .keptExisting
                }
                conflicts.append(at)
            }
        }
        if existing >= 0 {
            let old = slots[Int(existing)]
            if old.isFresh(at: now) && old.rank > entry.rank {
                counters.keptExisting += 1
                return .keptExisting
            }
        } else if others - conflicts.count >= configuration.maxTypesPerName {
            counters.rejectedTooManyTypes += 1
            return .rejectedTooManyTypes
        }
        for conflict in conflicts { remove(conflict) }
        counters.inserts += 1
        let result: CacheInsertResult
        var protected: Int32
        if existing >= 0 {
            // A removal above may have relinked the chain but never moves a slot.
            let old = slots[Int(existing)]
            entryBytes -= Int(old.bytes)
            entry.newer = old.newer
            entry.older = old.older
            entry.nextSameName = old.nextSameName
            entry.visited = true
            entry.name = old.name
            slots[Int(existing)] = entry
            entryBytes += bytes
            if configuration.evictionPolicy == .lru { moveToHead(existing) }
            protected = existing
            counters.replacements += 1
            result = .replaced
        } else {
            protected = allocate(entry)
            result = .inserted
        }
        while accountedBytes > limit && count > 1 {
            guard evictOne(now: now, protecting: protected) else { break }
        }
        return result
    }

    /// Whether an entry of `kind`/`type` and one of `other`/`otherType` at the same name and class
    /// contradict each other (RFC 2308 §5): data of a type versus "no data of that type", and
    /// anything versus "no such name". Keys, DS results and bogus results contradict nothing.
    static func excludes(_ kind: CacheEntryKind, _ type: RRType, _ other: CacheEntryKind, _ otherType: RRType) -> Bool {
        switch (kind, other) {
        case (.rrset, .nodata), (.nodata, .rrset): type == otherType
        case (.rrset, .nxdomain), (.nxdomain, .rrset), (.nodata, .nxdomain), (.nxdomain, .nodata): true
        default: false
        }
    }

    /// Puts a new entry in a free (or new) slot, links it into its name chain and at the head of the
    /// eviction list, and counts its bytes.
    /// - Returns: the slot index.
    mutating func allocate(_ entry: CacheSlot) -> Int32 {
        var entry = entry
        let at: Int32
        if let first = index[NameKey(entry.name)] {
            entry.nextSameName = first
        } else {
            entry.nextSameName = -1
            nameBytes += MemoryEstimate.name(entry.name)
        }
        entryBytes += Int(entry.bytes)
        let name = entry.name
        if freeHead >= 0 {
            at = freeHead
            freeHead = slots[Int(at)].older
            slots[Int(at)] = entry
        } else {
            if slots.count == slots.capacity {
                // Grow by an eighth rather than doubling: the slot array is accounted against the
                // bound, and a doubled, half-empty array would cost live entries their place.
                slots.reserveCapacity(slots.count + max(16, slots.count / 8))
            }
            at = Int32(slots.count)
            slots.append(entry)
        }
        index[NameKey(name)] = at
        linkAtHead(at)
        count += 1
        return at
    }

    // MARK: - Removing

    /// Removes the entry in `slot`: out of its name chain, out of the eviction list, bytes released,
    /// slot put on the free list.
    mutating func remove(_ slot: Int32) {
        let entry = slots[Int(slot)]
        guard entry.kind != nil else { return }
        // Name chain.
        if let first = index[NameKey(entry.name)] {
            if first == slot {
                if entry.nextSameName >= 0 {
                    index[NameKey(entry.name)] = entry.nextSameName
                } else {
                    if let key = index.index(forKey: NameKey(entry.name)) {
                        nameBytes -= MemoryEstimate.name(index[key].key.name)
                        index.remove(at: key)
                    }
                }
            } else {
                var at = first
                while at >= 0 {
                    let next = slots[Int(at)].nextSameName
                    if next == slot {
                        slots[Int(at)].nextSameName = entry.nextSameName
                        break
                    }
                    at = next
                }
            }
        }
        unlink(slot)
        entryBytes -= Int(entry.bytes)
        count -= 1
        slots[Int(slot)] = .free
        slots[Int(slot)].older = freeHead
        freeHead = slot
    }

    /// Removes every entry of `name` (all types, all kinds, all classes).
    /// - Returns: how many were removed.
    @discardableResult
    mutating func removeAll(named name: DomainName) -> Int {
        var removed = 0
        while let first = index[NameKey(name)] {
            remove(first)
            removed += 1
        }
        return removed
    }

    /// Removes every entry whose name is `zone` or below it.
    /// - Returns: how many were removed.
    @discardableResult
    mutating func removeAll(under zone: DomainName) -> Int {
        var removed = 0
        for at in slots.indices where slots[at].kind != nil && slots[at].name.isSubdomain(of: zone) {
            remove(Int32(at))
            removed += 1
        }
        return removed
    }

    /// Drops everything and gives the memory back.
    mutating func removeEverything() {
        index = [:]
        slots = []
        freeHead = -1
        head = -1
        tail = -1
        hand = -1
        count = 0
        entryBytes = 0
        nameBytes = 0
    }

    // MARK: - Eviction list

    /// Records a use of `slot`: LRU moves it to the head, CLOCK and SIEVE set its visited bit.
    @inline(__always)
    mutating func touch(_ slot: Int32) {
        if configuration.evictionPolicy == .lru {
            moveToHead(slot)
        } else {
            slots[Int(slot)].visited = true
        }
    }

    /// Links `slot` in as the newest entry.
    mutating func linkAtHead(_ slot: Int32) {
        slots[Int(slot)].newer = -1
        slots[Int(slot)].older = head
        if head >= 0 { slots[Int(head)].newer = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    /// Takes `slot` out of the eviction list, moving SIEVE's hand off it first.
    mutating func unlink(_ slot: Int32) {
        let newer = slots[Int(slot)].newer
        let older = slots[Int(slot)].older
        if hand == slot { hand = newer }
        if newer >= 0 { slots[Int(newer)].older = older } else { head = older }
        if older >= 0 { slots[Int(older)].newer = newer } else { tail = newer }
        slots[Int(slot)].newer = -1
        slots[Int(slot)].older = -1
    }

    /// Moves `slot` to the head of the eviction list.
    mutating func moveToHead(_ slot: Int32) {
        guard head != slot else { return }
        unlink(slot)
        linkAtHead(slot)
    }

    /// Evicts one entry other than `protected` (the one being inserted). An entry past its stale
    /// window among the oldest eight goes first, whatever the policy; then the policy decides.
    /// - Returns: false when nothing could be evicted.
    mutating func evictOne(now: Int64, protecting protected: Int32) -> Bool {
        var probe = tail
        var probes = 0
        while probe >= 0 && probes < 8 {
            if probe != protected && isDead(probe, now: now) {
                remove(probe)
                counters.expiredRemovals += 1
                return true
            }
            probe = slots[Int(probe)].newer
            probes += 1
        }
        let victim: Int32
        switch configuration.evictionPolicy {
        case .lru:
            victim = tail == protected ? slots[Int(tail)].newer : tail
        case .clock:
            victim = clockVictim(protecting: protected)
        case .sieve:
            victim = sieveVictim(protecting: protected)
        }
        guard victim >= 0 else { return false }
        if configuration.evictionPolicy == .sieve { hand = slots[Int(victim)].newer }
        remove(victim)
        counters.evictions += 1
        return true
    }

    /// CLOCK (FIFO with reinsertion): from the tail, a visited entry gets its bit cleared and goes
    /// back to the head; the first unvisited one is the victim. Two passes visit every entry, so
    /// the loop is bounded by twice the count.
    mutating func clockVictim(protecting protected: Int32) -> Int32 {
        var steps = 0
        while tail >= 0 && steps <= 2 * count + 1 {
            let at = tail
            steps += 1
            if at == protected || slots[Int(at)].visited {
                slots[Int(at)].visited = false
                moveToHead(at)
                continue
            }
            return at
        }
        return tail == protected ? -1 : tail
    }

    /// SIEVE: the hand walks from the tail towards the head (wrapping to the tail), clearing
    /// visited bits; the first unvisited entry is the victim. Entries keep their place.
    mutating func sieveVictim(protecting protected: Int32) -> Int32 {
        var at = hand >= 0 ? hand : tail
        var steps = 0
        while at >= 0 && steps <= 2 * count + 1 {
            steps += 1
            if at == protected || slots[Int(at)].visited {
                if at != protected { slots[Int(at)].visited = false }
                at = slots[Int(at)].newer
                if at < 0 { at = tail }
                continue
            }
            return at
        }
        return -1
    }
}
