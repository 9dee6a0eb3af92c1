// Primary responsibilities: the operator's operations — flush a name, a zone, everything;
// statistics; dump to a file and load back (expired entries skipped, secure entries with expired
// signatures skipped, damaged files refused).

import DNSCache
import DNSSEC
import DNSWire
import Glibc
import Testing

@Suite("Flush, statistics, dump and load")
struct FlushAndDumpTests {
    /// A cache with a few names in and below example. and one elsewhere.
    func populated() -> ResolverCache {
        let cache = ResolverCache(configuration: testConfiguration())
        for owner in ["example.", "www.example.", "a.b.example.", "example.org."] {
            cache.insert(aSet(owner), rank: .answerAuthoritative, status: .insecure, now: at(0))
            cache.insert(
                RRSet(name: name(owner), type: .txt, ttl: 300, rdatas: [.txt(TXT(strings: [[0x61]]))]),
                rank: .answerAuthoritative, status: .insecure, now: at(0))
        }
        cache.insertBogus(
            name("www.example."), .aaaa, reason: ValidationReason(bogus: .dnssecBogus, site: "TEST", "x"), now: at(0))
        return cache
    }

    @Test("flushing a name removes all its types and kinds, nothing else")
    func flushName() {
        let cache = populated()
        #expect(cache.flush(name: name("WWW.example.")) == 3)
        #expect(cache.lookup(name("www.example."), .a, now: at(1)) == nil)
        #expect(cache.lookupBogus(name("www.example."), .aaaa, now: at(1)) == nil)
        #expect(cache.lookup(name("example."), .a, now: at(1)) != nil)
        #expect(cache.statistics(now: at(1)).totalEntries == 6)
    }

    @Test("flushing a zone removes the name and everything below it")
    func flushZone() {
        let cache = populated()
        #expect(cache.flushZone(name("example.")) == 7)
        #expect(cache.lookup(name("a.b.example."), .a, now: at(1)) == nil)
        #expect(cache.lookup(name("example.org."), .a, now: at(1)) != nil)
        cache.flushAll()
        let statistics = cache.statistics(now: at(1))
        #expect(statistics.totalEntries == 0)
        // Only the shards' fixed part remains: what an empty cache of the same settings holds.
        #expect(
            statistics.bytesUsed == ResolverCache(configuration: testConfiguration()).statistics(now: at(1)).bytesUsed)
    }

    @Test("flush bogus removes bogus results and data and keys stored as bogus; flush negative the denials")
    func flushBogusAndNegative() {
        let cache = populated()
        cache.insert(aSet("cd.example."), rank: .answerAuthoritative, status: .bogus, now: at(0))
        cache.insertKeys(dnskeySet("broken.example.", expiration: 1_900_000_000), status: .bogus, now: at(0))
        cache.insertKeys(dnskeySet("example.", expiration: 1_900_000_000), status: .secure, now: at(0))
        let proof = nsecSet("a.example.", next: "z.example.", types: [.a])
        cache.insert(
            NegativeAnswer(
                name: name("nx.example."), denial: .nxdomain, soa: soaSet("example."), proofs: [proof], ttl: 600,
                rank: .authorityAuthoritative, status: .insecure, reason: nil), now: at(0))
        cache.insert(
            NegativeAnswer(
                name: name("example."), denial: .nodata(.mx), soa: soaSet("example."), proofs: [], ttl: 600,
                rank: .authorityAuthoritative, status: .insecure, reason: nil), now: at(0))
        cache.denialIndex.insert(proof, zone: name("example."), ttl: 600, now: at(0))
        #expect(cache.statistics(now: at(1)).denialRecords == 1)
        #expect(cache.flushBogus() == 3)
        #expect(cache.lookupBogus(name("www.example."), .aaaa, now: at(1)) == nil)
        #expect(cache.lookup(name("cd.example."), .a, now: at(1)) == nil)
        #expect(cache.lookupKeys(zone: name("broken.example."), now: at(1)) == nil)
        #expect(cache.lookupKeys(zone: name("example."), now: at(1)) != nil)
        #expect(cache.lookupNegative(name("nx.example."), .a, now: at(1)) != nil)
        #expect(cache.flushNegative() == 2)
        #expect(cache.lookupNegative(name("nx.example."), .a, now: at(1)) == nil)
        #expect(cache.lookupNegative(name("example."), .mx, now: at(1)) == nil)
        let statistics = cache.statistics(now: at(1))
        #expect(statistics.entries(.rrset) == 8 && statistics.entries(.keys) == 1 && statistics.totalEntries == 9)
        #expect(statistics.denialRecords == 0)
    }

    @Test("statistics count entries per kind and events")
    func statistics() {
        let cache = populated()
        _ = cache.lookup(name("example."), .a, now: at(1))
        _ = cache.lookup(name("nothere."), .a, now: at(1))
        let statistics = cache.statistics(now: at(1))
        #expect(statistics.entries(.rrset) == 8)
        #expect(statistics.entries(.bogus) == 1)
        #expect(statistics.counters.hits == 1)
        #expect(statistics.counters.misses == 1)
        #expect(statistics.counters.inserts == 9)
        #expect(statistics.bytesUsed > 0 && statistics.bytesUsed <= statistics.bytesLimit)
        #expect(cache.statistics(now: at(400)).expiredEntries == 9)  // eight RRsets and the bogus result
    }

    @Test("dump and load round-trip every kind, keep absolute expiries and skip expired entries")
    func roundTrip() throws {
        let cache = ResolverCache(configuration: testConfiguration())
        let reason = ValidationReason(bogus: .dnssecBogus, site: "TEST", "a reason longer than fifteen bytes")
        let insecure = ValidationReason(insecure: .unsupportedNSEC3Iterations, site: "TEST", "too many iterations")
        let signed = aSet("secure.example.", ttl: 3600, signatures: [signature(.a, expiration: 1_900_000_000)])
        cache.insert(signed, rank: .validated, status: .secure, now: at(0))
        cache.insert(aSet("short.example.", ttl: 10), rank: .answerAuthoritative, status: .insecure, now: at(0))
        cache.insert(aSet("glue.example."), rank: .additional, status: .unchecked, now: at(0))
        let negative = NegativeAnswer(
            name: name("nx.example."), denial: .nxdomain, soa: soaSet("example."),
            proofs: [nsecSet("a.example.", next: "z.example.", types: [.a])], ttl: 600, rank: .authorityAuthoritative,
            status: .insecure, reason: insecure)
        cache.insert(negative, now: at(0))
        cache.insertKeys(dnskeySet("example.", expiration: 1_900_000_000), status: .secure, now: at(0))
        cache.insertBogus(name("bad.example."), .a, reason: reason, now: at(0))
        let bytes = cache.dump(now: at(5))

        let restored = ResolverCache(configuration: testConfiguration())
        let summary = try restored.load(bytes, now: at(20))
        #expect(summary.entries == 6)
        #expect(summary.skippedExpired == 1)
        #expect(summary.loaded == 5)
        let hit = restored.lookup(name("secure.example."), .a, now: at(20))
        #expect(
            hit?.rrset
                == RRSet(
                    name: signed.name, type: .a, ttl: 3580, rdatas: signed.rdatas,
                    signatures: signed.signatures))
        #expect(hit?.status == .secure && hit?.rank == .validated)
        #expect(restored.lookup(name("glue.example."), .a, now: at(20))?.rank == .additional)
        let denial = restored.lookupNegative(name("nx.example."), .a, now: at(20))
        #expect(denial?.ttl == 580)
        #expect(denial?.proofs == negative.proofs)
        #expect(denial?.soa?.rdatas == negative.soa?.rdatas)
        #expect(denial?.reason == insecure && denial?.reason?.status == .insecure)
        #expect(restored.lookupKeys(zone: name("example."), now: at(20))?.rrset.rdatas.count == 2)
        #expect(restored.lookupBogus(name("bad.example."), .a, now: at(20)) == reason)
        #expect(restored.lookup(name("short.example."), .a, now: at(20)) == nil)
    }

    @Test("a secure entry whose RRSIG expired before the load is not loaded")
    func expiredSignature() throws {
        let cache = ResolverCache(configuration: testConfiguration())
        let expiring = at(100).seconds
        cache.insert(
            aSet("sig.example.", ttl: 3600, signatures: [signature(.a, expiration: expiring)]),
            rank: .validated, status: .secure, now: at(0))
        cache.insert(aSet("unsigned.example.", ttl: 3600), rank: .answerAuthoritative, status: .insecure, now: at(0))
        let bytes = cache.dump(now: at(0))
        let early = ResolverCache(configuration: testConfiguration())
        #expect(try early.load(bytes, now: at(50)).loaded == 2)
        let late = ResolverCache(configuration: testConfiguration())
        let summary = try late.load(bytes, now: at(100))
        #expect(summary.skippedSignatureExpired == 1)
        #expect(summary.loaded == 1)
        #expect(late.lookup(name("sig.example."), .a, now: at(100)) == nil)
        #expect(late.lookup(name("unsigned.example."), .a, now: at(100)) != nil)
    }

    @Test("a well-formed dump claiming an absurd expiry loads with the expiry capped at the stored TTL")
    func cappedExpiry() throws {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(aSet("far.example.", ttl: 300), rank: .answerAuthoritative, status: .insecure, now: at(0))
        var bytes = cache.dump(now: at(0))
        // Header (20 bytes), then kind, rank, status, reason flag, class, type (8 bytes), then the expiry.
        for offset in 28..<36 { bytes[offset] = offset == 28 ? 0x7F : 0xFF }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes[..<(bytes.count - 8)] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for index in 0..<8 { bytes[bytes.count - 8 + index] = UInt8(truncatingIfNeeded: hash >> (56 - 8 * index)) }
        var configuration = testConfiguration()
        configuration.serveStale = true
        let restored = ResolverCache(configuration: configuration)
        #expect(try restored.load(bytes, now: at(10)).loaded == 1)
        #expect(restored.lookup(name("far.example."), .a, now: at(10))?.rrset.ttl == 300)
        #expect(restored.lookup(name("far.example."), .a, now: at(10 + 300)) == nil)
    }

    @Test("after the wall clock stepped back, live or restored entries are never served above their TTL")
    func clockSteppedBack() throws {
        let cache = ResolverCache(configuration: testConfiguration())
        cache.insert(aSet("back.example.", ttl: 3600), rank: .answerAuthoritative, status: .insecure, now: at(0))
        cache.insert(
            NegativeAnswer(
                name: name("no.example."), denial: .nxdomain, soa: soaSet("example.", minimum: 600), ttl: 600,
                rank: .authorityAuthoritative, status: .insecure),
            now: at(0))
        let dayBefore = at(-86400)
        #expect(cache.lookup(name("back.example."), .a, now: dayBefore)?.rrset.ttl == 3600)
        #expect(cache.lookupNegative(name("no.example."), .a, now: dayBefore)?.ttl == 600)
        // Through a dump, the expiry itself is pulled back: the entry lives at most its TTL from the load.
        let restored = ResolverCache(configuration: testConfiguration())
        #expect(try restored.load(cache.dump(now: at(0)), now: dayBefore).loaded == 2)
        #expect(restored.lookup(name("back.example."), .a, now: dayBefore)?.rrset.ttl == 3600)
        #expect(restored.lookup(name("back.example."), .a, now: at(-86400 + 3600)) == nil)
    }

    @Test("a truncated, damaged or foreign dump is rejected whole, never loaded in part")
    func corrupt() throws {
        let bytes = populated().dump(now: at(0))
        for cut in [0, 5, 20, bytes.count / 2, bytes.count - 1] {
            let cache = ResolverCache(configuration: testConfiguration())
            #expect(throws: CacheDumpError.self) { try cache.load(Array(bytes[..<cut]), now: at(1)) }
            #expect(cache.statistics(now: at(1)).totalEntries == 0)
        }
        for position in stride(from: 20, to: bytes.count, by: max(1, bytes.count / 40)) {
            var damaged = bytes
            damaged[position] ^= 0x5A
            let cache = ResolverCache(configuration: testConfiguration())
            #expect(throws: CacheDumpError.self) { try cache.load(damaged, now: at(1)) }
            #expect(cache.statistics(now: at(1)).totalEntries == 0)
        }
        var version = bytes
        version[9] = 99
        // Equal by code: the reason (here "dump format version 99") is for the operator.
        #expect(throws: CacheDumpError(.unsupportedVersion, "")) { try ResolverCache().load(version, now: at(1)) }
        #expect { try ResolverCache().load(version, now: at(1)) } throws: { error in
            (error as? CacheDumpError)?.reason == "dump format version 99"
        }
        #expect(throws: CacheDumpError(.notADump, "")) {
            try ResolverCache().load(Array("not a dump at all, really".utf8), now: at(1))
        }
    }
}
