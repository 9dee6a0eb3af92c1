// Primary responsibilities: the positive RRset cache — RFC 2181 §5.4.1 replacement by rank,
// absolute expiry with decremented TTLs, TTL clamps, serve-stale, zone cuts and size limits.

import DNSCache
import DNSSEC
import DNSWire
import Testing

@Suite("RRset cache")
struct RRsetCacheTests {
    @Test("a lookup returns the RRset with its TTL decremented, then misses after expiry")
    func expiry() {
        let cache = ResolverCache(configuration: testConfiguration())
        let set = aSet("www.example.", ttl: 300, signatures: [signature(.a, expiration: 1_900_000_000)])
        #expect(cache.insert(set, rank: .validated, status: .secure, now: at(0)) == .inserted)
        let hit = cache.lookup(name("WWW.Example."), .a, now: at(100))
        #expect(hit?.rrset.ttl == 200)
        #expect(hit?.rrset.rdatas == set.rdatas)
        #expect(hit?.rrset.signatures == set.signatures)
        #expect(hit?.status == .secure)
        #expect(hit?.rank == .validated)
        #expect(hit?.originalTTL == 300)
        #expect(cache.lookup(name("www.example."), .a, now: at(299))?.rrset.ttl == 1)
        #expect(cache.lookup(name("www.example."), .a, now: at(300)) == nil)
        #expect(cache.lookup(name("www.example."), .aaaa, now: at(0)) == nil)
        #expect(cache.lookup(name("www.example."), .a, .ch, now: at(0)) == nil)
    }

    @Test("lower rank never replaces a fresh higher rank; equal and higher rank replace", arguments: TrustRank.allCases)
    func ranking(existing: TrustRank) {
        for incoming in TrustRank.allCases {
            let cache = ResolverCache(configuration: testConfiguration())
            cache.insert(aSet("a.example.", first: 1), rank: existing, status: .insecure, now: at(0))
            let result = cache.insert(aSet("a.example.", first: 9), rank: incoming, status: .insecure, now: at(10))
            let kept = cache.lookup(name("a.example."), .a, now: at(10))
            if incoming < existing {
                #expect(result == .keptExisting)
                #expect(kept?.rrset.rdatas == aSet("a.example.", first: 1).rdatas)
                #expect(kept?.rank == existing)
            } else {
                #expect(result == .replaced)
                #expect(kept?.rrset.rdatas == aSet("a.example.", first: 9).rdatas)
                #expect(kept?.rank == incoming)
            }
        }
    }

    @Test("the same data from a better source upgrades rank, status and TTL")
    func upgrade() {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(aSet("ns.example.", ttl: 100), rank: .additional, status: .unchecked, now: at(0))
        #expect(
            cache.insert(aSet("ns.example.", ttl: 600), rank: .validated, status: .secure, now: at(50)) == .replaced)
        let hit = cache.lookup(name("ns.example."), .a, now: at(50))
        #expect(hit?.rank == .validated)
        #expect(hit?.status == .secure)
        #expect(hit?.rrset.ttl == 600)
    }

    @Test("an expired higher-ranked entry is replaced by a lower-ranked one")
    func expiredIsReplaced() {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(aSet("x.example.", ttl: 10, first: 1), rank: .validated, status: .secure, now: at(0))
        #expect(
            cache.insert(aSet("x.example.", first: 2), rank: .additional, status: .unchecked, now: at(10)) == .replaced)
        #expect(cache.lookup(name("x.example."), .a, now: at(11))?.rank == .additional)
    }

    @Test("TTLs are clamped to min-ttl and max-ttl; bogus data to the bogus TTL")
    func clamps() {
        var configuration = testConfiguration()
        configuration.minTTL = 60
        configuration.maxTTL = 3600
        let cache = ResolverCache(configuration: configuration)
        cache.insert(aSet("short.example.", ttl: 5), rank: .answerAuthoritative, status: .insecure, now: at(0))
        cache.insert(aSet("long.example.", ttl: 604_800), rank: .answerAuthoritative, status: .insecure, now: at(0))
        cache.insert(aSet("bad.example.", ttl: 3000), rank: .answerAuthoritative, status: .bogus, now: at(0))
        #expect(cache.lookup(name("short.example."), .a, now: at(0))?.rrset.ttl == 60)
        #expect(cache.lookup(name("long.example."), .a, now: at(0))?.rrset.ttl == 3600)
        #expect(cache.lookup(name("bad.example."), .a, now: at(0))?.rrset.ttl == 60)
        #expect(cache.lookup(name("bad.example."), .a, now: at(60)) == nil)
    }

    @Test("serve-stale keeps expired entries for the window and returns them only when asked")
    func serveStale() {
        var configuration = testConfiguration()
        configuration.serveStale = true
        configuration.staleWindow = 1000
        let cache = ResolverCache(configuration: configuration)
        cache.insert(aSet("s.example.", ttl: 100), rank: .answerAuthoritative, status: .insecure, now: at(0))
        #expect(cache.lookup(name("s.example."), .a, now: at(150)) == nil)
        let stale = cache.lookup(name("s.example."), .a, now: at(150), allowStale: true)
        #expect(stale?.isStale == true)
        #expect(stale?.rrset.ttl == 30)
        #expect(cache.lookup(name("s.example."), .a, now: at(1100), allowStale: true) == nil)
        #expect(cache.statistics(now: at(1100)).counters.staleHits == 1)
    }

    @Test("without serve-stale nothing expired is ever returned")
    func noServeStale() {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(aSet("s.example.", ttl: 100), rank: .answerAuthoritative, status: .insecure, now: at(0))
        #expect(cache.lookup(name("s.example."), .a, now: at(100), allowStale: true) == nil)
    }

    @Test("the closest zone cut is the NS RRset of the longest cached ancestor")
    func zoneCut() {
        let cache = ResolverCache(configuration: testConfiguration())
        func ns(_ zone: String) -> RRSet {
            RRSet(
                name: name(zone), type: .ns, ttl: 3600,
                rdatas: [.ns(NS(nameServer: name(zone == "." ? "a.root-servers.net." : "ns1." + zone)))])
        }
        cache.insert(ns("."), rank: .answerAuthoritative, status: .secure, now: at(0))
        cache.insert(ns("example."), rank: .authorityNonAuthoritative, status: .unchecked, now: at(0))
        #expect(cache.closestZoneCut(for: name("a.b.www.example."), now: at(1))?.rrset.name == name("example."))
        #expect(cache.closestZoneCut(for: name("example."), now: at(1))?.rrset.name == name("example."))
        #expect(cache.closestZoneCut(for: name("other.org."), now: at(1))?.rrset.name == .root)
        let empty = ResolverCache(configuration: testConfiguration())
        #expect(empty.closestZoneCut(for: name("example."), now: at(0)) == nil)
    }

    @Test("an RRset over 256 records is not cached and is counted")
    func oversize() {
        let cache = ResolverCache(configuration: testConfiguration())
        let big = RRSet(
            name: name("big.example."), type: .a, ttl: 300,
            rdatas: (0..<257).map { .a(A(address: UInt32($0))) })
        #expect(cache.insert(big, rank: .answerAuthoritative, status: .insecure, now: at(0)) == .rejectedTooLarge)
        #expect(cache.lookup(name("big.example."), .a, now: at(0)) == nil)
        let limit = RRSet(name: name("ok.example."), type: .a, ttl: 300, rdatas: Array(big.rdatas.prefix(256)))
        #expect(cache.insert(limit, rank: .answerAuthoritative, status: .insecure, now: at(0)) == .inserted)
        #expect(cache.statistics(now: at(0)).counters.rejectedOversize == 1)
    }

    @Test("at most 100 types are cached per name; the 101st is refused and counted")
    func typesPerName() {
        let cache = ResolverCache(configuration: testConfiguration())
        for type in 1000..<1100 {
            let set = RRSet(
                name: name("many.example."), type: RRType(UInt16(type)), ttl: 300,
                rdatas: [.unknown(RRType(UInt16(type)), [1, 2, 3])])
            #expect(cache.insert(set, rank: .answerAuthoritative, status: .insecure, now: at(0)) == .inserted)
        }
        let extra = RRSet(
            name: name("many.example."), type: RRType(2000), ttl: 300, rdatas: [.unknown(RRType(2000), [])])
        #expect(cache.insert(extra, rank: .answerAuthoritative, status: .insecure, now: at(0)) == .rejectedTooManyTypes)
        // Replacing an existing type is still allowed.
        let again = RRSet(
            name: name("many.example."), type: RRType(1000), ttl: 300, rdatas: [.unknown(RRType(1000), [9])])
        #expect(cache.insert(again, rank: .answerAuthoritative, status: .insecure, now: at(1)) == .replaced)
        #expect(cache.statistics(now: at(1)).counters.rejectedTooManyTypes == 1)
        #expect(cache.statistics(now: at(1)).entries(.rrset) == 100)
    }
}
