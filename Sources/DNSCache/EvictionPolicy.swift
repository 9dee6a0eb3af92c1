// Primary responsibilities: name the eviction policies the shards implement and record, next to
// the choice, the measurement that made it.

/// Which entry a full shard gives up. All three keep expired entries first in line (an entry past
/// its expiry — and past the stale window when serve-stale is on — is evicted before any live one).
///
/// Measured with `CacheBenchmarks` "Cache eviction hit ratio Zipf α" (Benchmarks/README.md): a million
/// distinct names requested with Zipf(α) popularity, a cache (16 shards, 16.5 MB) with room for
/// about 60 k of them (6 %), a miss inserts the name; 300 k requests warm up, the next 1 M are
/// counted. Hit ratio:
///
/// | Zipf α | LRU   | CLOCK | SIEVE |
/// |--------|-------|-------|-------|
/// | 0.8    | 0.422 | 0.438 | 0.481 |
/// | 1.0    | 0.740 | 0.750 | 0.764 |
/// | 1.2    | 0.934 | 0.934 | 0.934 |
///
/// SIEVE (Zhang et al., NSDI 2024) is best or tied at every skew, most clearly on the flatter
/// workloads where the cache matters most: one-hit wonders — the long tail of names
/// asked once, typical of resolver traffic — are evicted before they can push out popular names,
/// and a hit only sets a bit instead of relinking a list node (cheaper than LRU under the lock).
public enum EvictionPolicy: UInt8, Hashable, Sendable, CaseIterable {
    /// Least recently used: a hit moves the entry to the head; the tail is evicted.
    case lru
    /// CLOCK as FIFO with reinsertion: a hit sets a bit; an entry at the tail with its bit set is
    /// moved back to the head with the bit cleared instead of being evicted.
    case clock
    /// SIEVE: a hit sets a bit; a hand moves from the tail towards the head, clearing bits and
    /// evicting the first entry without one; surviving entries stay where they are.
    case sieve
}
