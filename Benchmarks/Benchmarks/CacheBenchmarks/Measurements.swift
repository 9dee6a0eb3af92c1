// Primary responsibilities: the one-shot measurements — bytes per entry from mallinfo2 against the
// cache's accounting, and eviction hit ratios under a Zipf workload.

import DNSCache
import DNSSEC
import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// Bytes malloc holds (`uordblks + hblkhd` of `mallinfo2()`), or 0 where it cannot be read.
///
/// `<malloc.h>` is not in the Glibc module, so `mallinfo2` is found with `dlsym`; its 10-word
/// result comes back through a hidden first-argument pointer on x86_64 (System V ABI).
func mallocInUse() -> Int {
    #if arch(x86_64) && canImport(Glibc)
        guard let symbol = dlsym(nil, "mallinfo2") else { return 0 }
        typealias Function = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
        let function = unsafeBitCast(symbol, to: Function.self)
        var words = [Int](repeating: 0, count: 10)
        words.withUnsafeMutableBytes { _ = function($0.baseAddress!) }
        return words[7] + words[4]
    #else
        return 0
    #endif
}

/// Fills a fresh cache with `count` RRsets and returns (malloc delta, accounted bytes), each per entry.
/// Everything the entries need is created after the first reading, so the delta is their full cost.
func bytesPerEntry(dnskey: Bool, count: Int) -> (Int, Int) {
    let before = mallocInUse()
    var configuration = CacheConfiguration()
    configuration.maxBytes = 4 << 30
    let cache = ResolverCache(configuration: configuration)
    let now = CacheTime(seconds: 1_800_000_000)
    for index in 0..<count {
        let owner = try! DomainName("host\(index).zone\(index % 1000).example.")
        let set: RRSet
        if dnskey {
            let algorithm = DNSSECAlgorithm(rawValue: 13)
            set = RRSet(
                name: owner, type: .dnskey, ttl: 3600,
                rdatas: [
                    .dnskey(DNSKEY(flags: 257, algorithm: algorithm, publicKey: [UInt8](repeating: 1, count: 64))),
                    .dnskey(DNSKEY(flags: 256, algorithm: algorithm, publicKey: [UInt8](repeating: 2, count: 64))),
                ],
                signatures: [
                    RRSIG(
                        typeCovered: .dnskey, algorithm: algorithm, labels: 3, originalTTL: 3600,
                        expiration: 1_900_000_000, inception: 1_700_000_000, keyTag: 1, signerName: owner,
                        signature: [UInt8](repeating: 3, count: 64))
                ])
        } else {
            set = RRSet(name: owner, type: .a, ttl: 3600, rdatas: [.a(A(address: UInt32(index)))])
        }
        cache.insert(set, rank: .validated, status: .secure, now: now)
    }
    let measured = mallocInUse() - before
    let accounted = cache.bytesUsed
    withExtendedLifetime(cache) {}
    return (measured / count, accounted / count)
}

/// A small fast PRNG (xorshift64*) with a fixed seed, so every policy sees the same requests.
struct XorShift {
    /// State.
    var state: UInt64
    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}

/// The universe of names and the Zipf CDF shared by all hit-ratio runs.
enum ZipfWorkload {
    /// Distinct names requested.
    static let universe = 1_000_000
    /// The names.
    static let names: [DomainName] = (0..<universe).map { try! DomainName("n\($0).zipf.example.") }

    /// The cumulative distribution of Zipf(`alpha`) over the universe.
    static func cdf(alpha: Double) -> [Double] {
        var weights = (1...universe).map { 1 / pow(Double($0), alpha) }
        let total = weights.reduce(0, +)
        var running = 0.0
        for index in weights.indices {
            running += weights[index] / total
            weights[index] = running
        }
        return weights
    }
}

/// Hit ratio of `policy` for Zipf(`alpha`) requests over a million names with room for about 5 %
/// of them: 300 k requests warm up, 1 M are counted; a miss inserts the name's A RRset.
func hitRatio(policy: EvictionPolicy, alpha: Double) -> Double {
    let cdf = ZipfWorkload.cdf(alpha: alpha)
    var configuration = CacheConfiguration()
    configuration.shardCount = 16
    configuration.evictionPolicy = policy
    configuration.maxBytes = 50_000 * 330  // about 50 k A RRsets at ~330 accounted bytes each
    let cache = ResolverCache(configuration: configuration)
    let now = CacheTime(seconds: 1_800_000_000)
    var random = XorShift(state: 0x9E37_79B9_7F4A_7C15)
    var hits = 0
    let warmup = 300_000
    let counted = 1_000_000
    for request in 0..<(warmup + counted) {
        let uniform = Double(random.next() >> 11) / Double(1 << 53)
        var low = 0
        var high = cdf.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cdf[middle] < uniform { low = middle + 1 } else { high = middle }
        }
        // Scatter ranks over names so popularity does not follow insertion order.
        let name = ZipfWorkload.names[(low &* 7919) % ZipfWorkload.universe]
        if cache.lookup(name, .a, now: now) != nil {
            if request >= warmup { hits += 1 }
        } else {
            cache.insert(
                RRSet(name: name, type: .a, ttl: 86400, rdatas: [.a(A(address: 1))]),
                rank: .answerAuthoritative, status: .insecure, now: now)
        }
    }
    return Double(hits) / Double(counted)
}
