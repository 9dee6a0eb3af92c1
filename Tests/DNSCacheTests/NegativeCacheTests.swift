// Primary responsibilities: the negative cache (RFC 2308) — NXDOMAIN and NODATA with SOA and
// NSEC proofs, max-negative-ttl, RFC 8020 below-NXDOMAIN, and positive/negative exclusion.

import DNSCache
import DNSSEC
import DNSWire
import Testing

@Suite("Negative cache")
struct NegativeCacheTests {
    /// A signed NXDOMAIN for `owner` in example.
    func nxdomain(_ owner: String, ttl: UInt32 = 300, status: SecurityStatus = .secure) -> NegativeAnswer {
        let expiration: Int64 = 1_900_000_000
        return NegativeAnswer(
            name: name(owner), denial: .nxdomain,
            soa: soaSet("example.", signatures: [signature(.soa, expiration: expiration)]),
            proofs: [
                nsecSet(
                    "a.example.", next: "d.example.", types: [.a, .rrsig, .nsec],
                    signatures: [signature(.nsec, expiration: expiration)]),
                nsecSet(
                    "example.", next: "a.example.", types: [.soa, .ns, .rrsig, .nsec, .dnskey],
                    signatures: [signature(.nsec, expiration: expiration)]),
            ], ttl: ttl, rank: status == .secure ? .validated : .authorityAuthoritative, status: status)
    }

    @Test("a secure NXDOMAIN comes back with its SOA, its proofs and a decremented TTL")
    func nxdomainWithProofs() {
        let cache = ResolverCache(configuration: testConfiguration())
        let answer = nxdomain("b.example.")
        #expect(cache.insert(answer, now: at(0)) == .inserted)
        let hit = cache.lookupNegative(name("b.example."), .aaaa, now: at(100))
        #expect(hit?.denial == .nxdomain)
        #expect(hit?.status == .secure)
        #expect(hit?.ttl == 200)
        #expect(hit?.soa?.ttl == 200)
        #expect(hit?.soa?.rdatas == answer.soa?.rdatas)
        #expect(hit?.soa?.signatures == answer.soa?.signatures)
        #expect(hit?.proofs == answer.proofs)
        #expect(hit?.proofsWithRemainingTTL.allSatisfy { $0.ttl == 200 } == true)
        #expect(hit?.coversDescendant == false)
        #expect(cache.lookupNegative(name("b.example."), .a, now: at(300)) == nil)
    }

    @Test("NODATA answers only for its type")
    func nodata() {
        let cache = ResolverCache(configuration: testConfiguration())
        let answer = NegativeAnswer(
            name: name("www.example."), denial: .nodata(.aaaa), soa: soaSet("example."), ttl: 300,
            rank: .authorityAuthoritative, status: .insecure)
        cache.insert(answer, now: at(0))
        #expect(cache.lookupNegative(name("www.example."), .aaaa, now: at(1))?.denial == .nodata(.aaaa))
        #expect(cache.lookupNegative(name("www.example."), .a, now: at(1)) == nil)
    }

    @Test("negative TTLs are clamped to max-negative-ttl")
    func maxNegativeTTL() {
        var configuration = testConfiguration()
        configuration.maxNegativeTTL = 900
        let cache = ResolverCache(configuration: configuration)
        cache.insert(nxdomain("b.example.", ttl: 86400), now: at(0))
        #expect(cache.lookupNegative(name("b.example."), .a, now: at(0))?.ttl == 900)
        #expect(cache.lookupNegative(name("b.example."), .a, now: at(900)) == nil)
    }

    @Test("RFC 8020: a secure NXDOMAIN denies names below it; an insecure one only under .always")
    func belowNXDOMAIN() {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(nxdomain("b.example."), now: at(0))
        cache.insert(nxdomain("c.example.", status: .insecure), now: at(0))
        let below = cache.lookupNegative(name("x.y.b.example."), .a, now: at(1))
        #expect(below?.coversDescendant == true)
        #expect(below?.name == name("b.example."))
        #expect(cache.lookupNegative(name("x.b.example."), .a, now: at(1), belowNXDOMAIN: .never) == nil)
        #expect(cache.lookupNegative(name("x.c.example."), .a, now: at(1)) == nil)
        #expect(
            cache.lookupNegative(name("x.c.example."), .a, now: at(1), belowNXDOMAIN: .always)?.name
                == name("c.example."))
    }

    @Test("positive data removes a contradicting denial of lower or equal rank, and vice versa")
    func exclusion() {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(nxdomain("new.example.", status: .insecure), now: at(0))
        #expect(
            cache.insert(aSet("new.example."), rank: .answerAuthoritative, status: .insecure, now: at(1)) == .inserted)
        #expect(cache.lookupNegative(name("new.example."), .a, now: at(1)) == nil)
        // A lower-ranked NODATA cannot push out the fresh authoritative answer.
        let weak = NegativeAnswer(
            name: name("new.example."), denial: .nodata(.a), soa: soaSet("example."), ttl: 300,
            rank: .authorityNonAuthoritative, status: .insecure)
        #expect(cache.insert(weak, now: at(2)) == .keptExisting)
        #expect(cache.lookup(name("new.example."), .a, now: at(2)) != nil)
        // A validated NODATA replaces it.
        var strong = weak
        strong.rank = .validated
        strong.status = .secure
        #expect(cache.insert(strong, now: at(3)) == .inserted)
        #expect(cache.lookup(name("new.example."), .a, now: at(3)) == nil)
        #expect(cache.lookupNegative(name("new.example."), .a, now: at(3))?.status == .secure)
    }

    @Test("a denial with too many proofs is not cached and is counted")
    func tooManyProofs() {
        let cache = ResolverCache(configuration: testConfiguration())
        var answer = nxdomain("b.example.")
        answer.proofs = (0..<9).map { nsecSet("p\($0).example.", next: "q\($0).example.", types: [.a]) }
        #expect(cache.insert(answer, now: at(0)) == .rejectedTooLarge)
        #expect(cache.statistics(now: at(0)).counters.rejectedOversize == 1)
    }
}
