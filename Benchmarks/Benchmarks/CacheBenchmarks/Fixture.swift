// Primary responsibilities: the caches and names the cache benchmarks share, built once per size
// outside the measured code.

import DNSCache
import DNSSEC
import DNSWire
import Synchronization

/// A cache holding `size` A RRsets, the names to look up in a scattered order, and a full cache
/// at its memory bound with spare RRsets to insert (every insert evicts).
final class Fixture: Sendable {
    /// The benchmark instant.
    static let now = CacheTime(seconds: 1_800_000_000)
    /// Built fixtures by size.
    static let built = Mutex<[Int: Fixture]>([:])

    /// The fixture for `size`, built on first use.
    static func of(_ size: Int) -> Fixture {
        built.withLock { fixtures in
            if let fixture = fixtures[size] { return fixture }
            let fixture = Fixture(size: size)
            fixtures[size] = fixture
            return fixture
        }
    }

    /// Entries.
    let size: Int
    /// Names of the cached RRsets.
    let names: [DomainName]
    /// RRsets not in ``fullCache``, inserted by the insert benchmark.
    let spares: [RRSet]
    /// A cache with every name's A RRset, room to spare.
    let cache: ResolverCache
    /// A cache of the same entries with its bound set to what they take: inserts evict.
    let fullCache: ResolverCache

    /// Builds the caches.
    init(size: Int) {
        self.size = size
        names = (0..<size).map { try! DomainName("host\($0).zone\($0 % 1000).example.") }
        spares = (0..<size).map {
            RRSet(
                name: try! DomainName("spare\($0).zone\($0 % 1000).example."), type: .a, ttl: 86400,
                rdatas: [.a(A(address: UInt32($0)))])
        }
        var configuration = CacheConfiguration()
        configuration.maxBytes = 4 << 30
        cache = ResolverCache(configuration: configuration)
        for (index, name) in names.enumerated() {
            cache.insert(
                RRSet(name: name, type: .a, ttl: 86400, rdatas: [.a(A(address: UInt32(index)))]),
                rank: .answerAuthoritative, status: .insecure, now: Self.now)
        }
        configuration.maxBytes = cache.bytesUsed
        fullCache = ResolverCache(configuration: configuration)
        for (index, name) in names.enumerated() {
            fullCache.insert(
                RRSet(name: name, type: .a, ttl: 86400, rdatas: [.a(A(address: UInt32(index)))]),
                rank: .answerAuthoritative, status: .insecure, now: Self.now)
        }
    }

    /// The `index`th name in a scattered order (a stride coprime with the size).
    @inline(__always)
    func name(_ index: Int) -> DomainName { names[(index &* 7919) % size] }

    /// The `index`th spare RRset, cycling.
    @inline(__always)
    func spare(_ index: Int) -> RRSet { spares[index % size] }
}
