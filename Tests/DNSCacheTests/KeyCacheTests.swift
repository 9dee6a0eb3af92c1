// Primary responsibilities: the key cache (DNSKEY sets per zone, DS and proven-no-DS per zone
// cut) and the bogus-result cache with its short TTL.

import DNSCache
import DNSSEC
import DNSWire
import Testing

@Suite("Key, DS and bogus caches")
struct KeyCacheTests {
    @Test("validated DNSKEY sets are kept per zone with their status, apart from the RRset cache")
    func keys() {
        let cache = ResolverCache(configuration: testConfiguration())
        let keys = dnskeySet("example.", expiration: 1_900_000_000)
        #expect(cache.insertKeys(keys, status: .secure, now: at(0)) == .inserted)
        let hit = cache.lookupKeys(zone: name("example."), now: at(10))
        #expect(hit?.status == .secure)
        #expect(hit?.rank == .validated)
        #expect(hit?.rrset.rdatas == keys.rdatas)
        #expect(hit?.rrset.signatures == keys.signatures)
        #expect(hit?.rrset.ttl == 3590)
        #expect(cache.lookup(name("example."), .dnskey, now: at(10)) == nil)
        #expect(cache.lookupKeys(zone: name("other."), now: at(10)) == nil)
    }

    @Test("a failed key set is remembered with its reason for at most the bogus TTL")
    func badKeys() {
        let cache = ResolverCache(configuration: testConfiguration())
        let reason = ValidationReason(bogus: .dnskeyMissing, site: "KEYM", "no DNSKEY matches DS 12345")
        let empty = RRSet(name: name("broken."), type: .dnskey, ttl: 3600, rdatas: [])
        cache.insertKeys(empty, status: .bogus, reason: reason, now: at(0))
        #expect(cache.lookupKeys(zone: name("broken."), now: at(59))?.reason == reason)
        #expect(cache.lookupKeys(zone: name("broken."), now: at(60)) == nil)
    }

    @Test("DS sets and proven absence of DS are cached per zone cut")
    func delegationSigner() {
        let cache = ResolverCache(configuration: testConfiguration())
        let ds = RRSet(
            name: name("example."), type: .ds, ttl: 86400,
            rdatas: [
                .ds(
                    DS(
                        keyTag: 1, algorithm: DNSSECAlgorithm(rawValue: 13), digestType: DigestType(rawValue: 2),
                        digest: [UInt8](repeating: 7, count: 32)))
            ],
            signatures: [signature(.ds, signer: ".", expiration: 1_900_000_000)])
        cache.insertDelegationSigner(ds, status: .secure, now: at(0))
        let proof = nsecSet("insecure.", next: "z.", types: [.ns, .rrsig, .nsec])
        cache.insertNoDelegationSigner(
            zone: name("insecure."), proofs: [proof], ttl: 86400, status: .insecure, now: at(0))
        let secure = cache.lookupDelegationSigner(zone: name("example."), now: at(5))
        #expect(secure?.ds?.rdatas == ds.rdatas)
        #expect(secure?.ds?.ttl == 86395)
        #expect(secure?.isProvenAbsent == false)
        let none = cache.lookupDelegationSigner(zone: name("insecure."), now: at(5))
        #expect(none?.isProvenAbsent == true)
        #expect(none?.proofs == [proof])
        #expect(none?.ttl == 3595)  // a negative TTL: clamped to max-negative-ttl
    }

    @Test("bogus results live for the bogus TTL (default 60 s, configurable)")
    func bogus() {
        let reason = ValidationReason(bogus: .signatureExpired, site: "SIGX", "RRSIG A example. expired")
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insertBogus(name("www.example."), .a, reason: reason, now: at(0))
        #expect(cache.lookupBogus(name("www.example."), .a, now: at(59)) == reason)
        #expect(cache.lookupBogus(name("www.example."), .aaaa, now: at(1)) == nil)
        #expect(cache.lookupBogus(name("www.example."), .a, now: at(60)) == nil)
        var configuration = testConfiguration()
        configuration.bogusTTL = 5
        let short = ResolverCache(configuration: configuration)
        short.insertBogus(name("www.example."), .a, reason: reason, now: at(0))
        #expect(short.lookupBogus(name("www.example."), .a, now: at(4)) == reason)
        #expect(short.lookupBogus(name("www.example."), .a, now: at(5)) == nil)
    }

    @Test("resolution failures live for the failure TTL (2 s), per name and type, and are never dumped")
    func failures() throws {
        let failure = ResolutionFailure(.noReachableAuthority, site: "ZUNR", "no reachable authority for example.")
        let cache = ResolverCache(configuration: testConfiguration())
        #expect(cache.lookupFailure(name("www.example."), .a, now: at(0)) == nil)
        cache.insertFailure(name("www.example."), .a, failure: failure, now: at(0))
        #expect(cache.lookupFailure(name("www.example."), .a, now: at(1)) == failure)
        #expect(cache.lookupFailure(name("www.example."), .aaaa, now: at(1)) == nil)
        #expect(cache.lookupBogus(name("www.example."), .a, now: at(1)) == nil)
        #expect(cache.lookupFailure(name("www.example."), .a, now: at(2)) == nil)
        cache.insertFailure(name("www.example."), .a, failure: failure, now: at(10))
        #expect(
            try ResolverCache(configuration: testConfiguration()).load(cache.dump(now: at(10)), now: at(10)).entries
                == 0)
        #expect(cache.flush(name: name("www.example.")) == 1)
        #expect(cache.lookupFailure(name("www.example."), .a, now: at(10)) == nil)
    }

    @Test("a failure that keeps coming back is remembered twice as long each time, up to 30 s; success starts over")
    func failureBackOff() {
        let failure = ResolutionFailure(.noReachableAuthority, site: "ZUNR", "no reachable authority")
        let cache = ResolverCache(configuration: testConfiguration())
        let www = name("www.example.")
        var now: Int64 = 0
        var lifetimes: [Int64] = []
        for _ in 0..<10 {
            cache.insertFailure(www, .a, failure: failure, now: at(now))
            var end = now
            while cache.lookupFailure(www, .a, now: at(end)) != nil { end += 1 }
            lifetimes.append(end - now)
            now = end + 1  // the next failure comes a second after this one is forgotten
        }
        #expect(lifetimes == [2, 4, 8, 16, 30, 30, 30, 30, 30, 30])
        cache.clearFailure(www, .a)
        cache.insertFailure(www, .a, failure: failure, now: at(now))
        #expect(cache.lookupFailure(www, .a, now: at(now + 1)) == failure)
        #expect(cache.lookupFailure(www, .a, now: at(now + 2)) == nil)
        // A failure long after the last one was forgotten starts over too.
        cache.insertFailure(www, .a, failure: failure, now: at(now + 1000))
        #expect(cache.lookupFailure(www, .a, now: at(now + 1002)) == nil)
    }
}
