// Primary responsibilities: every tunable of the cache with its default and the reason for it, in
// one value the daemon builds from the `cache:` section of mamori.yaml (architecture §6).

/// The cache's settings. Defaults follow architecture §5–§6 and the peers (peers.md §1b).
public struct CacheConfiguration: Hashable, Sendable {
    /// Upper bound on the cache's memory in bytes: RRsets, negative answers, keys, DS results and
    /// bogus results together, data structures included (default 128 MiB). The accounting counts
    /// what malloc really hands out (see ``MemoryEstimate``), so RSS follows this figure within 10 %.
    public var maxBytes: Int = 128 << 20
    /// Lowest TTL a positive RRset is kept for (`cache-min-ttl`, default 0 as in Unbound and BIND).
    /// Raising it above the owner's TTL serves data longer than its owner allowed (RFC 2181 §8).
    public var minTTL: UInt32 = 0
    /// Highest TTL any entry is kept for (`cache-max-ttl`, default 86400 as in all four peers): it
    /// bounds how long poisoned or out-of-date data can live.
    public var maxTTL: UInt32 = 86400
    /// Highest TTL of a negative answer (`cache-max-negative-ttl`, default 3600, RFC 2308 §5 says
    /// one to three hours are sensible and "values of one day or longer" are not).
    public var maxNegativeTTL: UInt32 = 3600
    /// How long a bogus result is remembered (architecture §5, Unbound's `val-bogus-ttl` 60 s):
    /// long enough to stop repeating expensive failing validations, short enough to recover once
    /// the zone is fixed (RFC 4035 §4.5, RFC 9520 §3.2).
    public var bogusTTL: UInt32 = 60
    /// How long a resolution failure other than bogus data is remembered (RFC 9520 §3.2: at least
    /// one second, at most five minutes). Two seconds at one-second resolution means one to two
    /// seconds: enough that a flood of one failing question (TsuNAME, a dead zone) starts one
    /// resolution per interval rather than one per query, short enough that a client's retry soon
    /// gets a fresh attempt (BIND's `servfail-ttl` is 1 s).
    public var failureTTL: UInt32 = 2
    /// The longest a resolution failure is remembered when it keeps coming back: each failure of a
    /// question whose previous failure ended less than five minutes ago is remembered twice as long,
    /// up to this (RFC 9520 §3.2: back off for persistent failures, never past five minutes). 30 s,
    /// BIND's `servfail-ttl` ceiling: a zone that comes back is seen within half a minute.
    public var maxFailureTTL: UInt32 = 30
    /// How long a failure is kept, unserved, after it expires, so the next one can back off.
    public var failureMemory: UInt32 = 300
    /// Keep expired entries for ``staleWindow`` seconds so they can be served stale (RFC 8767).
    /// Off by default, as in every peer.
    public var serveStale: Bool = false
    /// How long past expiry an entry is kept when ``serveStale`` is on (RFC 8767 §5 suggests 1–3
    /// days; 86400 as Unbound's `serve-expired-ttl` and BIND's `max-stale-ttl`).
    public var staleWindow: UInt32 = 86400
    /// The TTL a stale record is served with (RFC 8767 §4 recommends 30 s).
    public var staleReplyTTL: UInt32 = 30
    /// Number of lock shards; rounded up to a power of two. More shards mean less lock contention
    /// between listener threads; each shard gets `maxBytes / shardCount` of the bound.
    public var shardCount: Int = 64
    /// Most records in one RRset that is cached (architecture §5, PowerDNS `max-rrset-size` 256).
    public var maxRecordsPerRRset: Int = 256
    /// Most entries of distinct types cached for one owner name (architecture §5, BIND
    /// `max-types-per-name` 100).
    public var maxTypesPerName: Int = 100
    /// Most NSEC/NSEC3 proof RRsets kept with one negative answer or no-DS result. A real denial
    /// needs at most three NSEC3 RRsets (RFC 5155 §7.2.1) or two NSEC RRsets plus the wildcard one;
    /// eight leaves room and bounds what an attacker can make us keep.
    public var maxProofRRsets: Int = 8
    /// The eviction policy; SIEVE by measurement (see ``EvictionPolicy``). Settable for benchmarks.
    public var evictionPolicy: EvictionPolicy = .sieve

    /// Creates the default configuration.
    public init() {}

    /// The shard count actually used: a power of two between 1 and 4096.
    var effectiveShardCount: Int {
        var count = 1
        while count < min(max(shardCount, 1), 4096) { count <<= 1 }
        return count
    }
}
