// Primary responsibilities: the numbers an operator and the metrics endpoint read about the cache:
// entries per kind, bytes against the bound, and the event counters since start.

/// A snapshot of the cache, summed over all shards (each read under its own lock, so the sum is
/// not one atomic instant — good enough for metrics).
public struct CacheStatistics: Hashable, Sendable {
    /// Event counters of one shard or of the whole cache. All count since start (or ``ResolverCache/flushAll()``
    /// leaves them as they are: flushing is an event, not a reset).
    public struct Counters: Hashable, Sendable {
        /// Lookups that found a fresh entry.
        public var hits = 0
        /// Lookups that found nothing usable.
        public var misses = 0
        /// Lookups that returned an expired entry because the caller allowed stale data (RFC 8767).
        public var staleHits = 0
        /// Insertions that stored data (new or replacing).
        public var inserts = 0
        /// Insertions that replaced an entry under the same key.
        public var replacements = 0
        /// Insertions refused because a fresh, better-ranked entry exists (RFC 2181 §5.4.1).
        public var keptExisting = 0
        /// Live entries evicted to stay within the memory bound.
        public var evictions = 0
        /// Entries dropped because they expired (past the stale window when serve-stale is on).
        public var expiredRemovals = 0
        /// Data refused as too large: records per RRset, proofs per answer, or bytes (architecture §5).
        public var rejectedOversize = 0
        /// Data refused because its owner already had the maximum number of types cached (architecture §5).
        public var rejectedTooManyTypes = 0

        /// Creates zeroed counters.
        public init() {}

        /// Adds another shard's counters.
        mutating func add(_ other: Counters) {
            hits += other.hits
            misses += other.misses
            staleHits += other.staleHits
            inserts += other.inserts
            replacements += other.replacements
            keptExisting += other.keptExisting
            evictions += other.evictions
            expiredRemovals += other.expiredRemovals
            rejectedOversize += other.rejectedOversize
            rejectedTooManyTypes += other.rejectedTooManyTypes
        }
    }

    /// Entries per kind, indexed by ``CacheEntryKind/rawValue`` (index 0 unused); see ``entries(_:)``.
    var entriesByKind = [Int](repeating: 0, count: CacheEntryKind.allCases.count + 1)
    /// Entries past their expiry still kept for serve-stale or not yet swept.
    public var expiredEntries = 0
    /// Bytes the cache accounts for (``MemoryEstimate``): what it occupies on the heap.
    public var bytesUsed = 0
    /// Validated NSEC/NSEC3 RRsets held for aggressive negative caching (``DenialIndex``, RFC 8198).
    public var denialRecords = 0
    /// The configured bound, ``CacheConfiguration/maxBytes``.
    public var bytesLimit = 0
    /// Event counters summed over the shards.
    public var counters = Counters()

    /// Creates an empty snapshot.
    public init() {}

    /// The number of entries of `kind`.
    public func entries(_ kind: CacheEntryKind) -> Int { entriesByKind[Int(kind.rawValue)] }

    /// All entries, any kind.
    public var totalEntries: Int { entriesByKind.reduce(0, +) }

    /// Counts one more entry of `kind`.
    mutating func count(_ kind: CacheEntryKind) { entriesByKind[Int(kind.rawValue)] += 1 }
}
