// Primary responsibilities: small builders for the cache tests — names, RRsets, signatures, SOA
// and NSEC proofs — so each test states only what it checks.

import DNSCache
import DNSSEC
import DNSWire

/// An instant: tests count seconds from a round epoch so numbers stay readable.
func at(_ seconds: Int64) -> CacheTime { CacheTime(seconds: 1_800_000_000 + seconds) }

/// A name from text.
func name(_ text: String) -> DomainName { try! DomainName(text) }

/// An A RRset with `count` addresses starting at 192.0.2.`first`.
func aSet(_ owner: String, ttl: UInt32 = 300, first: UInt8 = 1, count: Int = 1, signatures: [RRSIG] = []) -> RRSet {
    RRSet(
        name: name(owner), type: .a, ttl: ttl,
        rdatas: (0..<count).map { .a(A(address: 0xC000_0200 | UInt32(first) &+ UInt32($0))) }, signatures: signatures)
}

/// An RRSIG covering `type` with the given expiration (absolute seconds).
func signature(_ type: RRType, signer: String = "example.", expiration: Int64, keyTag: UInt16 = 12345) -> RRSIG {
    RRSIG(
        typeCovered: type, algorithm: DNSSECAlgorithm(rawValue: 13), labels: 2, originalTTL: 300,
        expiration: UInt32(truncatingIfNeeded: expiration),
        inception: UInt32(truncatingIfNeeded: expiration - 86400 * 30),
        keyTag: keyTag, signerName: name(signer), signature: [UInt8](repeating: 0xAB, count: 64))
}

/// The SOA RRset of `zone`.
func soaSet(_ zone: String, ttl: UInt32 = 3600, minimum: UInt32 = 300, signatures: [RRSIG] = []) -> RRSet {
    RRSet(
        name: name(zone), type: .soa, ttl: ttl,
        rdatas: [
            .soa(
                SOA(
                    mname: name("ns1." + zone), rname: name("hostmaster." + zone), serial: 1, refresh: 7200,
                    retry: 3600, expire: 1_209_600, minimum: minimum))
        ], signatures: signatures)
}

/// An NSEC RRset from `owner` to `next` listing `types`.
func nsecSet(_ owner: String, next: String, types: [RRType], signatures: [RRSIG] = []) -> RRSet {
    RRSet(
        name: name(owner), type: .nsec, ttl: 300,
        rdatas: [.nsec(NSEC(nextDomainName: name(next), types: TypeBitmap(types)))], signatures: signatures)
}

/// A DNSKEY RRset for `zone` with a KSK and a ZSK, signed once.
func dnskeySet(_ zone: String, ttl: UInt32 = 3600, expiration: Int64) -> RRSet {
    RRSet(
        name: name(zone), type: .dnskey, ttl: ttl,
        rdatas: [
            .dnskey(
                DNSKEY(
                    flags: 257, algorithm: DNSSECAlgorithm(rawValue: 13), publicKey: [UInt8](repeating: 1, count: 64))),
            .dnskey(
                DNSKEY(
                    flags: 256, algorithm: DNSSECAlgorithm(rawValue: 13), publicKey: [UInt8](repeating: 2, count: 64))),
        ], signatures: [signature(.dnskey, signer: zone, expiration: expiration)])
}

/// A small configuration for tests: few shards, so per-shard bounds are not tiny.
func testConfiguration(maxBytes: Int = 1 << 20, shards: Int = 4) -> CacheConfiguration {
    var configuration = CacheConfiguration()
    configuration.maxBytes = maxBytes
    configuration.shardCount = shards
    return configuration
}
