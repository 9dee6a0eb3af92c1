// Primary responsibilities: the cache the resolver and the listeners share — RRsets with trust rank
// and DNSSEC status, negative answers (RFC 2308), the key cache (DNSKEY sets, DS and no-DS results),
// bogus results — spread over power-of-two `Mutex` shards under one memory bound; TTL clamps,
// serve-stale (RFC 8767), flushes and statistics. Dump/load and the server cache live beside it.

public import DNSSEC
public import DNSWire
import Synchronization

/// The resolver's cache of everything learnt from upstream except server behaviour
/// (``InfrastructureCache``).
///
/// **Concurrency.** `shardCount` shards, each a `Mutex` around a ``CacheShard``; an owner name's
/// hash picks the shard, so every entry of one name sits under one lock. Every call takes one
/// lock at a time (walks up the tree take one per label), never awaits and never hops tasks: a
/// listener thread calls ``lookup(_:_:_:now:allowStale:)`` synchronously. A `Mutex` rather than an
/// actor because operations are short and the fast path must not suspend (style.md §3.7).
///
/// **Time.** Nothing here reads a clock; every call takes `now`. Expiries are absolute.
///
/// **Memory.** Each shard holds `maxBytes / shardCount` and evicts (preferring expired entries,
/// then by ``EvictionPolicy``) when an insertion takes it over. Byte figures come from
/// ``MemoryEstimate``: malloc chunks, not payload sizes.
///
/// **TTL clamps.** Positive data is kept `[minTTL, maxTTL]` seconds; negative answers and no-DS
/// proofs at most `maxNegativeTTL` (RFC 2308 §5); anything bogus at most `bogusTTL`
/// (RFC 4035 §4.5: bogus data may be cached, but not for long). Validated data arrives with its
/// TTL already capped by its signatures' expiration (RFC 4035 §5.3.3, done by the validator).
public final class ResolverCache: Sendable {
    /// The settings this cache was created with.
    public let configuration: CacheConfiguration
    /// The shards; `shards.count` is a power of two.
    let shards: [ShardBox]
    /// `shards.count - 1`, to pick a shard from a hash.
    let shardMask: Int
    /// Random per cache, so which names share a shard cannot be predicted from outside.
    let shardSeed = UInt64.random(in: 0...UInt64.max)
    /// False until a bogus result is first stored; then true for good. While false, no bogus entry
    /// can exist, so ``lookupBogus(_:_:_:now:)`` answers without taking a shard lock: on the
    /// listener's fast path that lookup came before every cache hit (1.2 % of the daemon's CPU under
    /// dnsperf, Benchmarks/e2e).
    let mayHoldBogus = Atomic(false)
    /// The same for resolution failures: ``lookupFailure(_:_:_:now:)`` is on the fast path too.
    let mayHoldFailures = Atomic(false)
    /// The same for DNAME RRsets: until one is stored, ``lookupDNAME(above:_:now:allowStale:)``
    /// answers without walking the name's ancestors.
    let mayHoldDNAME = Atomic(false)
    /// Validated NSEC/NSEC3 records by zone for aggressive negative caching (RFC 8198), within
    /// ``denialIndexShare`` of the bound; flushed with the cache.
    public let denialIndex: DenialIndex
    /// The fraction of ``CacheConfiguration/maxBytes`` the denial index may take (1/16): the spans
    /// of a zone are few next to the names they deny, so a sixteenth holds many zones' chains.
    public static let denialIndexShare = 16

    /// One shard's lock and state, boxed so the shards can sit in an array.
    final class ShardBox: Sendable {
        /// The shard.
        let state: Mutex<CacheShard>

        /// Creates an empty shard.
        init(limit: Int, configuration: CacheConfiguration) {
            state = Mutex(CacheShard(limit: limit, configuration: configuration))
        }
    }

    /// Creates an empty cache.
    public init(configuration: CacheConfiguration = CacheConfiguration()) {
        self.configuration = configuration
        let count = configuration.effectiveShardCount
        let indexBytes = configuration.maxBytes / Self.denialIndexShare
        denialIndex = DenialIndex(maxBytes: indexBytes)
        let limit = max((configuration.maxBytes - indexBytes) / count, 1)
        shards = (0..<count).map { _ in ShardBox(limit: limit, configuration: configuration) }
        shardMask = count - 1
    }

    /// The shard holding every entry of `name`.
    @inline(__always)
    func shard(for name: DomainName) -> ShardBox {
        shards[Int(truncatingIfNeeded: NameKey.foldedHash(name, seed: shardSeed)) & shardMask]
    }

    // MARK: - TTL clamps

    /// The TTL a positive entry is kept for: `[minTTL, maxTTL]`, and at most `bogusTTL` when bogus.
    func positiveTTL(_ ttl: UInt32, status: SecurityStatus) -> UInt32 {
        let clamped = min(max(ttl, configuration.minTTL), configuration.maxTTL)
        return status == .bogus ? min(clamped, configuration.bogusTTL) : clamped
    }

    /// The TTL a negative entry is kept for: at most `maxNegativeTTL` (RFC 2308 §5) and `maxTTL`,
    /// at most `bogusTTL` when bogus. `minTTL` is not applied: stretching a denial hides new data.
    func negativeTTL(_ ttl: UInt32, status: SecurityStatus) -> UInt32 {
        let clamped = min(ttl, configuration.maxNegativeTTL, configuration.maxTTL)
        return status == .bogus ? min(clamped, configuration.bogusTTL) : clamped
    }

    /// Whether an RRset is within the records-per-RRset limit (architecture §5); signatures are
    /// bounded by the same number.
    func withinLimits(_ rrset: RRSet) -> Bool {
        rrset.rdatas.count <= configuration.maxRecordsPerRRset
            && rrset.signatures.count <= configuration.maxRecordsPerRRset
    }

    /// Builds a slot with its byte count.
    func makeSlot(
        kind: CacheEntryKind, name: DomainName, type: RRType, rrClass: RRClass, rdatas: [RData] = [],
        signatures: [RRSIG] = [], extra: [RRSet] = [], ttl: UInt32, expiry: Int64, rank: TrustRank,
        status: SecurityStatus, reason: ValidationReason?, failure: ResolutionFailure? = nil
    ) -> CacheSlot {
        // The verdict a reason explains is the entry's status, which is all a dump keeps of it.
        assert(reason == nil || reason?.status == status, "a \(status) entry with a reason for another verdict")
        var bytes = MemoryEstimate.rrsetBody(rdatas: rdatas, signatures: signatures) + MemoryEstimate.array(extra)
        for rrset in extra { bytes += MemoryEstimate.rrset(rrset) }
        var box: CacheSlot.ReasonBox? = nil
        if let reason {
            box = CacheSlot.ReasonBox(.validation(reason))
            bytes += MemoryEstimate.reason(site: reason.site, detail: reason.detail)
        } else if let failure {
            box = CacheSlot.ReasonBox(.failure(failure))
            bytes += MemoryEstimate.reason(site: failure.site, detail: failure.detail)
        }
        return CacheSlot(
            name: name, rdatas: rdatas, signatures: signatures, extra: extra, reasonBox: box, expiry: expiry, ttl: ttl,
            bytes: UInt32(clamping: bytes), newer: -1, older: -1, nextSameName: -1, type: type, rrClass: rrClass,
            kind: kind, rank: rank, status: status, visited: false)
    }

    /// Stores a slot in its shard, counting an oversize refusal there.
    func store(_ slot: CacheSlot, now: CacheTime) -> CacheInsertResult {
        // Set before the entry is visible, so a lookup that can see the entry sees the flag.
        if slot.kind == .bogus && !mayHoldBogus.load(ordering: .relaxed) {
            mayHoldBogus.store(true, ordering: .releasing)
        }
        if slot.kind == .failure && !mayHoldFailures.load(ordering: .relaxed) {
            mayHoldFailures.store(true, ordering: .releasing)
        }
        if slot.kind == .rrset && slot.type == .dname && !mayHoldDNAME.load(ordering: .relaxed) {
            mayHoldDNAME.store(true, ordering: .releasing)
        }
        return shard(for: slot.name).state.withLock { $0.insert(slot, now: now.seconds) }
    }

    /// Counts an oversize refusal in the shard of `name`.
    func countOversize(_ name: DomainName) -> CacheInsertResult {
        shard(for: name).state.withLock { $0.counters.rejectedOversize += 1 }
        return .rejectedTooLarge
    }

    /// The TTL to report for an entry: the seconds left, or the stale reply TTL. Never more than
    /// the TTL the entry was stored with (`ttl`): after the wall clock stepped back, `expiry - now`
    /// would exceed it, and a record must not be served with a TTL its zone never gave it.
    @inline(__always)
    func reportedTTL(expiry: Int64, ttl: UInt32, stale: Bool, now: CacheTime) -> UInt32 {
        stale ? configuration.staleReplyTTL : min(now.remaining(until: CacheTime(seconds: expiry)), ttl)
    }

    // MARK: - RRsets

    /// Caches an RRset with its RRSIGs (RFC 2181 §5, RFC 4035 §4.5).
    ///
    /// Replacement follows RFC 2181 §5.4.1 (see ``TrustRank``): a fresh entry of higher rank stays;
    /// an equal or higher rank replaces it (new data wins, and the same data from a better source
    /// upgrades the entry); an expired entry is always replaced. A positive RRset also removes a
    /// NODATA for its type and an NXDOMAIN for its name when it ranks at least as high.
    /// - Parameters:
    ///   - rrset: the records and their RRSIGs; its TTL is the one to keep (already capped by the
    ///     validator for validated data), clamped here to the configured bounds.
    ///   - rank: where it came from (RFC 2181 §5.4.1).
    ///   - status: the validator's verdict; bogus data is kept at most ``CacheConfiguration/bogusTTL``.
    ///   - reason: the reason for a non-secure verdict, returned with every hit.
    ///   - proofs: for an RRset a wildcard synthesised, the NSEC/NSEC3 RRsets (with their RRSIGs)
    ///     proving that no closer name exists: an answer from the cache carries them as the first
    ///     one did (RFC 4035 §3.1.3.3, §3.2; RFC 5155 §7.2.6). Empty for every other RRset, which
    ///     then costs nothing more. At most ``CacheConfiguration/maxProofRRsets``, like a denial's.
    ///   - now: the current time.
    /// - Returns: what happened; oversize RRsets (architecture §5) are refused and counted.
    @discardableResult
    public func insert(
        _ rrset: RRSet, rank: TrustRank, status: SecurityStatus, reason: ValidationReason? = nil,
        proofs: [RRSet] = [], now: CacheTime
    ) -> CacheInsertResult {
        guard withinLimits(rrset), proofs.count <= configuration.maxProofRRsets, proofs.allSatisfy(withinLimits) else {
            return countOversize(rrset.name)
        }
        let ttl = positiveTTL(rrset.ttl, status: status)
        return store(
            makeSlot(
                kind: .rrset, name: rrset.name, type: rrset.type, rrClass: rrset.rrClass, rdatas: rrset.rdatas,
                signatures: rrset.signatures, extra: proofs, ttl: ttl, expiry: now.adding(ttl).seconds, rank: rank,
                status: status, reason: reason), now: now)
    }

    /// Looks up an RRset: the fast path, safe to call on a listener thread.
    ///
    /// Costs one shard lock, one dictionary probe and a walk of the name's short chain; allocates
    /// nothing (the result shares the cache's arrays).
    /// - Parameters:
    ///   - allowStale: also return an entry past its expiry but inside the stale window (RFC 8767),
    ///     flagged ``CachedRRset/isStale``. Only meaningful with ``CacheConfiguration/serveStale``.
    /// - Returns: the entry with its TTL decremented, or nil.
    public func lookup(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in, now: CacheTime, allowStale: Bool = false
    ) -> CachedRRset? {
        lookupSet(name, type, rrClass, kind: .rrset, now: now, allowStale: allowStale)
    }

    /// Shared lookup for kinds stored as an RRset (RRsets and keys).
    func lookupSet(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass, kind: CacheEntryKind, now: CacheTime, allowStale: Bool
    ) -> CachedRRset? {
        shard(for: name).state.withLock { shard -> CachedRRset? in
            guard let (at, stale) = shard.lookup(name, type, rrClass, kind, now: now.seconds, allowStale: allowStale)
            else { return nil }
            // Fields are read one at a time: copying the slot would retain and release every array.
            let index = Int(at)
            let expiry = shard.slots[index].expiry
            return CachedRRset(
                rrset: RRSet(
                    name: shard.slots[index].name, type: type, rrClass: rrClass,
                    ttl: reportedTTL(expiry: expiry, ttl: shard.slots[index].ttl, stale: stale, now: now),
                    rdatas: shard.slots[index].rdatas,
                    signatures: shard.slots[index].signatures),
                rank: shard.slots[index].rank, status: shard.slots[index].status, reason: shard.slots[index].reason,
                isStale: stale, originalTTL: shard.slots[index].ttl, expiry: CacheTime(seconds: expiry),
                proofs: kind == .rrset ? shard.slots[index].extra : [])
        }
    }

    /// The DNAME RRset cached at the closest strict ancestor of `name` that has one: the DNAME that
    /// rewrites `name` (RFC 6672 §2.2), from which the resolver synthesises the CNAME again rather
    /// than caching it apart from its DNAME (§3.1, §5.3.1). A walk of one lookup per label of
    /// `name` (at most 127, RFC 1035 §3.1), skipped entirely until a DNAME has been cached.
    public func lookupDNAME(
        above name: DomainName, _ rrClass: RRClass = .in, now: CacheTime, allowStale: Bool = false
    ) -> CachedRRset? {
        guard mayHoldDNAME.load(ordering: .acquiring) else { return nil }
        var current = name
        while let parent = current.parent {
            if let found = lookup(parent, .dname, rrClass, now: now, allowStale: allowStale) { return found }
            current = parent
        }
        return nil
    }

    /// The closest cached zone cut at or above `name`: the NS RRset of the longest ancestor (or
    /// `name` itself) that has one — where iteration starts (RFC 1034 §5.3.3 step 2).
    /// - Returns: the NS RRset found, or nil when not even the root's is cached (prime from hints).
    public func closestZoneCut(
        for name: DomainName, rrClass: RRClass = .in, now: CacheTime, allowStale: Bool = false
    ) -> CachedRRset? {
        var current = name
        while true {
            if let found = lookup(current, .ns, rrClass, now: now, allowStale: allowStale) { return found }
            guard let parent = current.parent else { return nil }
            current = parent
        }
    }

    // MARK: - Negative answers

    /// Caches an NXDOMAIN or NODATA with its SOA and proofs (RFC 2308 §5).
    ///
    /// The TTL is the answer's, clamped to ``CacheConfiguration/maxNegativeTTL``. A denial with
    /// more than ``CacheConfiguration/maxProofRRsets`` proofs, or an oversize proof, is refused.
    /// Ranking works as for RRsets, and a denial does not push out a fresh positive entry of
    /// higher rank (it is refused instead), but removes lower-ranked ones it contradicts.
    @discardableResult
    public func insert(_ negative: NegativeAnswer, now: CacheTime) -> CacheInsertResult {
        guard negative.proofs.count <= configuration.maxProofRRsets, negative.proofs.allSatisfy(withinLimits),
            negative.soa.map(withinLimits) ?? true
        else { return countOversize(negative.name) }
        let ttl = negativeTTL(negative.ttl, status: negative.status)
        var extra: [RRSet] = []
        extra.reserveCapacity(negative.proofs.count + 1)
        if let soa = negative.soa { extra.append(soa) }
        extra.append(contentsOf: negative.proofs)
        let kind: CacheEntryKind
        let type: RRType
        switch negative.denial {
        case .nxdomain:
            kind = .nxdomain
            type = RRType(0)
        case .nodata(let denied):
            kind = .nodata
            type = denied
        }
        return store(
            makeSlot(
                kind: kind, name: negative.name, type: type, rrClass: negative.rrClass, extra: extra, ttl: ttl,
                expiry: now.adding(ttl).seconds, rank: negative.rank, status: negative.status,
                reason: negative.reason), now: now)
    }

    /// Looks up a cached denial for (`name`, `type`): a NODATA for the type, an NXDOMAIN for the
    /// name, or — per `belowNXDOMAIN` — an NXDOMAIN cached for an ancestor (RFC 8020).
    /// - Returns: the denial with its SOA and proofs, or nil.
    public func lookupNegative(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in, now: CacheTime, allowStale: Bool = false,
        belowNXDOMAIN: BelowNXDOMAIN = .secureOnly
    ) -> CachedNegative? {
        if let found = negative(name, type, rrClass, kind: .nodata, now: now, allowStale: allowStale) { return found }
        if let found = negative(name, RRType(0), rrClass, kind: .nxdomain, now: now, allowStale: allowStale) {
            return found
        }
        guard belowNXDOMAIN != .never else { return nil }
        var current = name
        while let parent = current.parent {
            current = parent
            if var found = negative(current, RRType(0), rrClass, kind: .nxdomain, now: now, allowStale: allowStale),
                belowNXDOMAIN == .always || found.status == .secure
            {
                found.coversDescendant = true
                return found
            }
        }
        return nil
    }

    /// One negative entry under one lock.
    func negative(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass, kind: CacheEntryKind, now: CacheTime, allowStale: Bool
    ) -> CachedNegative? {
        shard(for: name).state.withLock { shard -> CachedNegative? in
            guard let (at, stale) = shard.lookup(name, type, rrClass, kind, now: now.seconds, allowStale: allowStale)
            else { return nil }
            let slot = shard.slots[Int(at)]
            let ttl = reportedTTL(expiry: slot.expiry, ttl: slot.ttl, stale: stale, now: now)
            var soa: RRSet?
            var proofs = slot.extra
            if let first = proofs.first, first.type == .soa {
                soa = first
                soa?.ttl = ttl
                proofs = Array(proofs.dropFirst())
            }
            return CachedNegative(
                denial: kind == .nxdomain ? .nxdomain : .nodata(slot.type), name: slot.name, coversDescendant: false,
                soa: soa, proofs: proofs, ttl: ttl, rank: slot.rank, status: slot.status, reason: slot.reason,
                isStale: stale, expiry: CacheTime(seconds: slot.expiry))
        }
    }

    // MARK: - Key cache

    /// Caches a zone's DNSKEY set as the validator judged it (the key cache, RFC 4035 §5.2).
    ///
    /// The zone is `keys.name`. A set that failed (no key matched the DS, signatures bogus) is
    /// cached as well, with its status and reason, so the failure is not recomputed for every query;
    /// its TTL is then capped by ``CacheConfiguration/bogusTTL``. Pass an RRset with no records for
    /// "no usable keys". Rank is ``TrustRank/validated`` for a secure set, answer-AA otherwise.
    @discardableResult
    public func insertKeys(
        _ keys: RRSet, status: SecurityStatus, reason: ValidationReason? = nil, now: CacheTime
    ) -> CacheInsertResult {
        storeJudged(keys, kind: .keys, type: .dnskey, status: status, reason: reason, now: now)
    }

    /// The key cache entry for `zone`: its DNSKEY set (possibly empty for "no usable keys") with
    /// the verdict on it.
    public func lookupKeys(
        zone: DomainName, rrClass: RRClass = .in, now: CacheTime, allowStale: Bool = false
    ) -> CachedRRset? {
        lookupSet(zone, .dnskey, rrClass, kind: .keys, now: now, allowStale: allowStale)
    }

    /// Caches the DS RRset of a zone cut as validated against the parent (RFC 4035 §5.2). The
    /// zone is `ds.name`.
    @discardableResult
    public func insertDelegationSigner(
        _ ds: RRSet, status: SecurityStatus, reason: ValidationReason? = nil, now: CacheTime
    ) -> CacheInsertResult {
        storeJudged(ds, kind: .delegationSigner, type: .ds, status: status, reason: reason, now: now)
    }

    /// Stores a DNSKEY or DS set the validator judged, under `kind` and `type`: rank validated when
    /// secure, answer-AA otherwise; its TTL clamped as a positive one (bogus capped by `bogusTTL`).
    private func storeJudged(
        _ rrset: RRSet, kind: CacheEntryKind, type: RRType, status: SecurityStatus, reason: ValidationReason?,
        now: CacheTime
    ) -> CacheInsertResult {
        guard withinLimits(rrset) else { return countOversize(rrset.name) }
        let ttl = positiveTTL(rrset.ttl, status: status)
        return store(
            makeSlot(
                kind: kind, name: rrset.name, type: type, rrClass: rrset.rrClass, rdatas: rrset.rdatas,
                signatures: rrset.signatures, ttl: ttl, expiry: now.adding(ttl).seconds,
                rank: status == .secure ? .validated : .answerAuthoritative, status: status, reason: reason), now: now)
    }

    /// Caches the proven absence of DS at `zone` (an insecure delegation, RFC 4035 §5.2), with the
    /// NSEC/NSEC3 proofs. The TTL is a negative TTL (RFC 2308 §5): clamped to `maxNegativeTTL`.
    @discardableResult
    public func insertNoDelegationSigner(
        zone: DomainName, rrClass: RRClass = .in, proofs: [RRSet], ttl: UInt32, status: SecurityStatus,
        reason: ValidationReason? = nil, now: CacheTime
    ) -> CacheInsertResult {
        guard proofs.count <= configuration.maxProofRRsets, proofs.allSatisfy(withinLimits) else {
            return countOversize(zone)
        }
        let ttl = negativeTTL(ttl, status: status)
        return store(
            makeSlot(
                kind: .delegationSigner, name: zone, type: .ds, rrClass: rrClass, extra: proofs, ttl: ttl,
                expiry: now.adding(ttl).seconds, rank: status >= .insecure ? .validated : .answerAuthoritative,
                status: status, reason: reason), now: now)
    }

    /// The DS result for the zone cut at `zone`: the DS set, or the proven absence of one.
    public func lookupDelegationSigner(
        zone: DomainName, rrClass: RRClass = .in, now: CacheTime, allowStale: Bool = false
    ) -> CachedDelegationSigner? {
        shard(for: zone).state.withLock { shard -> CachedDelegationSigner? in
            guard
                let (at, stale) = shard.lookup(
                    zone, .ds, rrClass, .delegationSigner, now: now.seconds, allowStale: allowStale)
            else { return nil }
            let slot = shard.slots[Int(at)]
            let ttl = reportedTTL(expiry: slot.expiry, ttl: slot.ttl, stale: stale, now: now)
            let ds: RRSet? =
                slot.rdatas.isEmpty
                ? nil
                : RRSet(
                    name: slot.name, type: .ds, rrClass: slot.rrClass, ttl: ttl, rdatas: slot.rdatas,
                    signatures: slot.signatures)
            return CachedDelegationSigner(
                zone: slot.name, ds: ds, proofs: slot.extra, ttl: ttl, status: slot.status, reason: slot.reason,
                isStale: stale, expiry: CacheTime(seconds: slot.expiry))
        }
    }

    // MARK: - Bogus results

    /// Remembers that resolving (`name`, `type`) ended bogus, for ``CacheConfiguration/bogusTTL``
    /// seconds (or `ttl` when shorter), so the next queries get SERVFAIL with the same EDE without
    /// repeating the validation (RFC 4035 §4.5, RFC 9520 §3).
    @discardableResult
    public func insertBogus(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in, reason: ValidationReason, ttl: UInt32? = nil,
        now: CacheTime
    ) -> CacheInsertResult {
        storeReason(
            name, type, rrClass, kind: .bogus, status: .bogus, reason: reason,
            ttl: min(ttl ?? configuration.bogusTTL, configuration.bogusTTL), now: now)
    }

    /// The reason (`name`, `type`) was found bogus, while that result is fresh.
    public func lookupBogus(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in, now: CacheTime
    ) -> ValidationReason? {
        guard mayHoldBogus.load(ordering: .acquiring) else { return nil }
        guard case .validation(let reason)? = lookupReason(name, type, rrClass, kind: .bogus, now: now) else {
            return nil
        }
        return reason
    }

    // MARK: - Resolution failures

    /// Remembers that resolving (`name`, `type`) failed for a reason other than bogus data, with the
    /// failure the client is to get while it is remembered (RFC 9520 §3.2): for ``CacheConfiguration/failureTTL`` seconds, or twice
    /// as long as the previous failure of the same question when that one ended less than
    /// ``CacheConfiguration/failureMemory`` ago, up to ``CacheConfiguration/maxFailureTTL``.
    @discardableResult
    public func insertFailure(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in, failure: ResolutionFailure, now: CacheTime
    ) -> CacheInsertResult {
        // Read without counting: this is bookkeeping, not a lookup for a client.
        let previous = shard(for: name).state.withLock { shard -> UInt32? in
            let at = shard.find(name, type, rrClass, .failure)
            guard at >= 0, !shard.isDead(at, now: now.seconds) else { return nil }
            return shard.slots[Int(at)].ttl
        }
        let ttl = previous.map { min(max($0, 1) * 2, configuration.maxFailureTTL) } ?? configuration.failureTTL
        return storeReason(
            name, type, rrClass, kind: .failure, status: .indeterminate, failure: failure, ttl: ttl, now: now)
    }

    /// Forgets the failures of (`name`, `type`): it resolved, so a later failure starts over.
    public func clearFailure(_ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in) {
        guard mayHoldFailures.load(ordering: .acquiring) else { return }
        shard(for: name).state.withLock { shard in
            let at = shard.find(name, type, rrClass, .failure)
            if at >= 0 { shard.remove(at) }
        }
    }

    /// Why resolving (`name`, `type`) failed, while that failure is remembered.
    public func lookupFailure(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass = .in, now: CacheTime
    ) -> ResolutionFailure? {
        guard mayHoldFailures.load(ordering: .acquiring) else { return nil }
        guard case .failure(let failure)? = lookupReason(name, type, rrClass, kind: .failure, now: now) else {
            return nil
        }
        return failure
    }

    /// Stores an entry that is only a reason (a bogus result's, or a resolution failure) for `ttl` seconds.
    private func storeReason(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass, kind: CacheEntryKind, status: SecurityStatus,
        reason: ValidationReason? = nil, failure: ResolutionFailure? = nil, ttl: UInt32, now: CacheTime
    ) -> CacheInsertResult {
        store(
            makeSlot(
                kind: kind, name: name, type: type, rrClass: rrClass, ttl: ttl, expiry: now.adding(ttl).seconds,
                rank: .answerAuthoritative, status: status, reason: reason, failure: failure), now: now)
    }

    /// The reason a fresh entry of `kind` holds for (`name`, `type`).
    private func lookupReason(
        _ name: DomainName, _ type: RRType, _ rrClass: RRClass, kind: CacheEntryKind, now: CacheTime
    ) -> CacheSlot.ReasonBox.Content? {
        shard(for: name).state.withLock { shard -> CacheSlot.ReasonBox.Content? in
            guard let (at, _) = shard.lookup(name, type, rrClass, kind, now: now.seconds, allowStale: false) else {
                return nil
            }
            return shard.slots[Int(at)].reasonBox?.content
        }
    }

    // MARK: - Operations

    /// Removes every entry of `name`, all types and kinds (`mamorictl flush NAME`).
    /// - Returns: how many entries were removed.
    @discardableResult
    public func flush(name: DomainName) -> Int {
        // The NSEC/NSEC3 records of the name's zone could still deny it: forget that zone's (and any
        // zone below the name), so the flushed name is asked afresh.
        denialIndex.removeAll(under: denialIndex.closestZone(enclosing: name) ?? name)
        return shard(for: name).state.withLock { $0.removeAll(named: name) }
    }

    /// Removes every entry at `zone` or below (`mamorictl flush-zone NAME`). Visits every shard.
    /// - Returns: how many entries were removed.
    @discardableResult
    public func flushZone(_ zone: DomainName) -> Int {
        var removed = 0
        denialIndex.removeAll(under: zone)
        for box in shards { removed += box.state.withLock { $0.removeAll(under: zone) } }
        return removed
    }

    /// Removes every entry judged bogus: the remembered bogus results (RFC 4035 §4.5, RFC 9520 §3)
    /// and data, keys and DS sets stored with a bogus status (`mamorictl flush bogus`), so the next
    /// query validates afresh. Visits every shard.
    /// - Returns: how many entries were removed.
    @discardableResult
    public func flushBogus() -> Int {
        flush { kind, status in kind == .bogus || status == .bogus }
    }

    /// Removes every negative answer, NXDOMAIN and NODATA (RFC 2308), and the validated NSEC/NSEC3
    /// records that would synthesise them again (RFC 8198) (`mamorictl flush negative`).
    /// - Returns: how many entries were removed (the denial records not counted).
    @discardableResult
    public func flushNegative() -> Int {
        denialIndex.removeEverything()
        return flush { kind, _ in kind == .nxdomain || kind == .nodata }
    }

    /// Removes every entry whose kind and status `matches`, shard by shard.
    private func flush(where matches: (CacheEntryKind, SecurityStatus) -> Bool) -> Int {
        var removed = 0
        for box in shards {
            removed += box.state.withLock { shard in
                var count = 0
                for at in shard.slots.indices {
                    guard let kind = shard.slots[at].kind, matches(kind, shard.slots[at].status) else { continue }
                    shard.remove(Int32(at))
                    count += 1
                }
                return count
            }
        }
        return removed
    }

    /// Empties the cache and releases its memory. Counters are kept.
    public func flushAll() {
        denialIndex.removeEverything()
        for box in shards { box.state.withLock { $0.removeEverything() } }
    }

    /// Counts entries per kind, bytes and events, shard by shard.
    /// - Parameter now: to count entries past their expiry.
    public func statistics(now: CacheTime) -> CacheStatistics {
        var statistics = CacheStatistics()
        statistics.bytesLimit = configuration.maxBytes
        statistics.bytesUsed = denialIndex.bytesUsed
        statistics.denialRecords = denialIndex.recordCount
        for box in shards {
            box.state.withLock { shard in
                statistics.bytesUsed += shard.accountedBytes
                statistics.counters.add(shard.counters)
                for slot in shard.slots {
                    guard let kind = slot.kind else { continue }
                    statistics.count(kind)
                    if slot.expiry <= now.seconds { statistics.expiredEntries += 1 }
                }
            }
        }
        return statistics
    }

    /// Bytes accounted for right now (cheaper than ``statistics(now:)``).
    public var bytesUsed: Int {
        shards.reduce(denialIndex.bytesUsed) { total, box in total + box.state.withLock { $0.accountedBytes } }
    }

    /// Every entry not yet past its stale window, shard by shard (for dumps).
    func liveSlots(now: CacheTime) -> [CacheSlot] {
        var result: [CacheSlot] = []
        for box in shards {
            box.state.withLock { shard in
                for at in shard.slots.indices
                where shard.slots[at].kind != nil && !shard.isDead(Int32(at), now: now.seconds) {
                    result.append(shard.slots[at])
                }
            }
        }
        return result
    }
}
