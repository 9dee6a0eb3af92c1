// Primary responsibilities: the denial index for RFC 8198 — the record at or before a name (canonical
// order, wrapping), NSEC3 by hash with one chain per zone, expiry, the zone's SOA, the byte bound, flushes.

import DNSCache
import DNSWire
import Testing

@Suite("Denial index")
struct DenialIndexTests {
    /// The NSEC chain example. → a → m → example. (wrapping), indexed for `ttl`.
    func chain(_ index: DenialIndex, ttl: UInt32 = 300, now: CacheTime = at(0)) {
        index.insert(
            nsecSet("example.", next: "a.example.", types: [.soa, .ns, .nsec]), zone: name("example."), ttl: ttl,
            now: now)
        index.insert(
            nsecSet("a.example.", next: "m.example.", types: [.a, .nsec]), zone: name("example."), ttl: ttl, now: now)
        index.insert(
            nsecSet("m.example.", next: "example.", types: [.a, .nsec]), zone: name("example."), ttl: ttl, now: now)
    }

    @Test("the NSEC at a name, or the one before it in canonical order, wrapping to the last")
    func atOrBefore() {
        let index = DenialIndex(maxBytes: 1 << 20)
        chain(index)
        let zone = name("example.")
        #expect(index.nsec(zone: zone, atOrBefore: name("a.example."), now: at(1))?.name == name("a.example."))
        #expect(index.nsec(zone: zone, atOrBefore: name("b.example."), now: at(1))?.name == name("a.example."))
        #expect(index.nsec(zone: zone, atOrBefore: name("x.a.example."), now: at(1))?.name == name("a.example."))
        #expect(index.nsec(zone: zone, atOrBefore: name("z.example."), now: at(1))?.name == name("m.example."))
        #expect(index.nsec(zone: zone, atOrBefore: name("A.EXAMPLE."), now: at(1))?.name == name("a.example."))
        #expect(index.nsec(zone: zone, atOrBefore: name("b.example."), now: at(100))?.ttl == 200)
        #expect(index.closestZone(enclosing: name("x.y.example.")) == zone)
        #expect(index.closestZone(enclosing: name("example.org.")) == nil)
    }

    @Test("an expired record is not returned, and the SOA is kept with its own expiry")
    func expiry() {
        let index = DenialIndex(maxBytes: 1 << 20)
        chain(index, ttl: 300)
        index.insertSOA(soaSet("example.", ttl: 600), zone: name("example."), ttl: 600, now: at(0))
        #expect(index.nsec(zone: name("example."), atOrBefore: name("b.example."), now: at(300)) == nil)
        #expect(index.soa(zone: name("example."), now: at(300))?.ttl == 300)
        #expect(index.soa(zone: name("example."), now: at(600)) == nil)
        // An SOA of another owner than the zone is not the zone's.
        index.insertSOA(soaSet("a.example."), zone: name("example."), ttl: 600, now: at(700))
        #expect(index.soa(zone: name("example."), now: at(701)) == nil)
    }

    @Test("NSEC3 records by owner hash; a chain with new parameters replaces the old one")
    func nsec3() {
        let index = DenialIndex(maxBytes: 1 << 20)
        let zone = name("example.")
        func record(_ hash: UInt8, salt: [UInt8]) -> RRSet {
            let owner = [UInt8](repeating: hash, count: 20)
            let label = BaseEncoding.base32Hex(owner)
            return RRSet(
                name: name("\(label).example."), type: .nsec3, rrClass: .in, ttl: 300,
                rdatas: [
                    .nsec3(
                        NSEC3(
                            hashAlgorithm: 1, flags: 0, iterations: 0, salt: salt,
                            nextHashedOwnerName: [UInt8](repeating: hash &+ 16, count: 20),
                            types: TypeBitmap([.a])))
                ])
        }
        index.insert(record(0x10, salt: [1]), zone: zone, ttl: 300, now: at(0))
        index.insert(record(0x40, salt: [1]), zone: zone, ttl: 300, now: at(0))
        #expect(index.nsec3Parameters(zone: zone) == DenialIndex.NSEC3Parameters(salt: [1], iterations: 0))
        let between = [UInt8](repeating: 0x20, count: 20)
        #expect(index.nsec3(zone: zone, atOrBefore: between, now: at(1)) == record(0x10, salt: [1]).withTTL(299))
        let before = [UInt8](repeating: 0x01, count: 20)
        #expect(index.nsec3(zone: zone, atOrBefore: before, now: at(1))?.name == record(0x40, salt: [1]).name)
        index.insert(record(0x30, salt: [2]), zone: zone, ttl: 300, now: at(2))
        #expect(index.nsec3Parameters(zone: zone)?.salt == [2])
        #expect(index.recordCount == 1)
    }

    @Test("bounded in bytes: least recently used zones go first; flushes forget zones")
    func bound() {
        let index = DenialIndex(maxBytes: 8 << 10)
        for zone in 0..<40 {
            index.insert(
                nsecSet("z\(zone).", next: "a.z\(zone).", types: [.soa, .ns, .nsec]), zone: name("z\(zone)."),
                ttl: 300, now: at(0))
        }
        #expect(index.bytesUsed <= 8 << 10)
        #expect(index.evictions > 0)
        #expect(index.closestZone(enclosing: name("x.z39.")) == name("z39."))
        #expect(index.closestZone(enclosing: name("x.z0.")) == nil)
        index.removeAll(under: name("z39."))
        #expect(index.closestZone(enclosing: name("x.z39.")) == nil)
        index.removeEverything()
        #expect(index.bytesUsed == 0)
        #expect(index.recordCount == 0)
    }

    @Test("the cache gives the index its share of the bound, counts its bytes and flushes it")
    func withinTheCache() {
        let cache = ResolverCache(configuration: testConfiguration())
        #expect(cache.denialIndex.maxBytes == (1 << 20) / ResolverCache.denialIndexShare)
        let empty = cache.bytesUsed
        chain(cache.denialIndex)
        #expect(cache.denialIndex.bytesUsed > 0)
        #expect(cache.bytesUsed == empty + cache.denialIndex.bytesUsed)
        #expect(cache.statistics(now: at(1)).denialRecords == 3)
        cache.flushZone(name("example."))
        #expect(cache.denialIndex.recordCount == 0)
        chain(cache.denialIndex)
        // Flushing one name forgets the records of its zone, which could still deny it.
        cache.flush(name: name("b.example."))
        #expect(cache.denialIndex.recordCount == 0)
        chain(cache.denialIndex)
        cache.flushAll()
        #expect(cache.denialIndex.recordCount == 0)
    }
}

extension RRSet {
    /// The same RRset with another TTL.
    fileprivate func withTTL(_ ttl: UInt32) -> RRSet {
        var copy = self
        copy.ttl = ttl
        return copy
    }
}
