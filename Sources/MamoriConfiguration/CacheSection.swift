// Primary responsibilities: the `cache` section — memory bound, TTL clamps, serve-stale, prefetch,
// persistence across restarts.

import DNSCache
import Resolver

/// Cache settings (`cache`).
package struct CacheSection: Hashable, Sendable {
    /// The memory bound in bytes (`size`, e.g. `128MiB`).
    package var size: Int
    /// TTLs below this are raised to it, seconds (`min-ttl`).
    package var minTTL: UInt32
    /// TTLs above this are lowered to it, seconds (`max-ttl`).
    package var maxTTL: UInt32
    /// Negative answers (RFC 2308) are kept at most this long, seconds (`max-negative-ttl`).
    package var maxNegativeTTL: UInt32
    /// Whether expired data may be served when resolution fails (RFC 8767) (`serve-stale`).
    package var serveStale: Bool
    /// Whether popular entries are refreshed shortly before they expire (`prefetch`).
    package var prefetch: Bool
    /// Whether the cache is written to the state directory at shutdown and read back at start-up,
    /// so a restart keeps a warm cache (`persist`). Expiries are absolute; what expired meanwhile,
    /// and secure data whose signatures expired, is not loaded.
    package var persist: Bool
    /// Whether hot cached answers are also kept as whole responses keyed by the query's bytes
    /// (`packet-cache`), replayed without parsing or encoding. It takes ``packetCacheBytes`` out of
    /// ``size``; the RRset cache gets the rest (``rrsetCacheBytes``).
    package var packetCache: Bool

    /// The packet cache's share of ``size``: an eighth, or nothing when it is off.
    package var packetCacheBytes: Int { packetCache ? size / 8 : 0 }
    /// What remains of ``size`` for RRsets, negative answers and keys.
    package var rrsetCacheBytes: Int { size - packetCacheBytes }

    /// The defaults: the engine's own (``DNSCache/CacheConfiguration``,
    /// ``ResolverConfiguration``) where the engine acts on the key, so that a default is written
    /// once, where it acts; persistence and the packet cache are the daemon's and on.
    package init() {
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
