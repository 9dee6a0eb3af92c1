// Primary responsibilities: the `cache` section — memory bound, TTL clamps, serve-stale, prefetch,
// persistence across restarts.

import DNSCache
import Resolver

/// Cache settings (`cache`).
public struct CacheSection: Hashable, Sendable {
    /// The memory bound in bytes (`size`, e.g. `128MiB`).
    public var size: Int
    /// TTLs below this are raised to it, seconds (`min-ttl`).
    public var minTTL: UInt32
    /// TTLs above this are lowered to it, seconds (`max-ttl`).
    public var maxTTL: UInt32
    /// Negative answers (RFC 2308) are kept at most this long, seconds (`max-negative-ttl`).
    public var maxNegativeTTL: UInt32
    /// Whether expired data may be served when resolution fails (RFC 8767) (`serve-stale`).
    public var serveStale: Bool
    /// Whether popular entries are refreshed shortly before they expire (`prefetch`).
    public var prefetch: Bool
    /// Whether the cache is written to the state directory at shutdown and read back at start-up,
    /// so a restart keeps a warm cache (`persist`). Expiries are absolute; what expired meanwhile,
    /// and secure data whose signatures expired, is not loaded.
    public var persist: Bool
    /// Whether hot cached answers are also kept as whole responses keyed by the query's bytes
    /// (`packet-cache`), replayed without parsing or encoding. It takes ``packetCacheBytes`` out of
    /// ``size``; the RRset cache gets the rest (``rrsetCacheBytes``).
    public var packetCache: Bool

    /// The packet cache's share of ``size``: an eighth, or nothing when it is off.
    public var packetCacheBytes: Int { packetCache ? size / 8 : 0 }
    /// What remains of ``size`` for RRsets, negative answers and keys.
    public var rrsetCacheBytes: Int { size - packetCacheBytes }

    /// The defaults: the engine's own (``DNSCache/CacheConfiguration``,
    /// ``ResolverConfiguration``) where the engine acts on the key, so that a default is written
    /// once, where it acts; persistence and the packet cache are the daemon's and on.
    public init() {
        let cache = DNSCache.CacheConfiguration()
        size = cache.maxBytes
        minTTL = cache.minTTL
        maxTTL = cache.maxTTL
        maxNegativeTTL = cache.maxNegativeTTL
        serveStale = cache.serveStale
        prefetch = ResolverConfiguration().prefetch
        persist = true
        packetCache = true
    }
}
