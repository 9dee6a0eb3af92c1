// Primary responsibilities: the one notion of time the cache knows — a caller-supplied instant in
// whole seconds — so that expiry is absolute and every decision can be replayed with a manual clock.

/// An instant in whole seconds since the Unix epoch, handed to every cache call.
///
/// The cache never reads a clock: the resolver is tested against a manual clock, and a cache that
/// looked at the wall clock would make those tests lie. Seconds are the unit DNS TTLs use
/// (RFC 1035 §3.2.1), so nothing finer is needed; expiries are stored as absolute instants so that
/// a lookup computes the remaining TTL with one subtraction and a dump keeps its meaning across a
/// restart. `Int64` avoids the 2038 and 2106 wrap-arounds and makes `expiry - now` never overflow.
public struct CacheTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64

    /// Creates an instant.
    public init(seconds: Int64) { self.seconds = seconds }

    /// The instant `ttl` seconds after this one: where an RRset received now with that TTL expires.
    @inlinable
    public func adding(_ ttl: UInt32) -> CacheTime { CacheTime(seconds: seconds + Int64(ttl)) }

    /// Seconds left until `expiry`, 0 when it has passed: the decremented TTL a cached record is
    /// served with (RFC 1035 §4.1.3 TTL semantics, RFC 2181 §8 range).
    @inlinable
    public func remaining(until expiry: CacheTime) -> UInt32 {
        let left = expiry.seconds - seconds
        return left <= 0 ? 0 : UInt32(clamping: left)
    }

    /// Orders instants.
    @inlinable
    public static func < (lhs: CacheTime, rhs: CacheTime) -> Bool { lhs.seconds < rhs.seconds }

    /// The seconds value, as logs print it.
    public var description: String { "\(seconds)s" }
}
