// Primary responsibilities: what the RRset cache keeps for the two answers that need a companion —
// a wildcard expansion's NSEC/NSEC3 proof (RFC 4035 §3.1.3.3) and the DNAME a CNAME is synthesised
// from (RFC 6672 §3.1) — and what they cost when absent.

import DNSCache
import DNSSEC
import DNSWire
import Testing

@Suite("Wildcard proofs and DNAMEs in the RRset cache")
struct WildcardAndDNAMETests {
    @Test("an expanded RRset keeps its proofs; they age with it; other RRsets carry none")
    func proofs() {
        let cache = ResolverCache(configuration: testConfiguration())
        let proof = nsecSet(
            "*.wild.example.", next: "www.example.", types: [.a, .rrsig, .nsec],
            signatures: [signature(.nsec, expiration: 1_900_000_000)])
        cache.insert(aSet("a.wild.example.", ttl: 300), rank: .validated, status: .secure, proofs: [proof], now: at(0))
        cache.insert(aSet("www.example.", ttl: 300), rank: .validated, status: .secure, now: at(0))
        let hit = cache.lookup(name("a.wild.example."), .a, now: at(100))
        #expect(hit?.proofs == [proof])
        #expect(hit?.proofsWithRemainingTTL.map(\.ttl) == [200])
        #expect(hit?.proofsWithRemainingTTL.first?.signatures == proof.signatures)
        #expect(cache.lookup(name("www.example."), .a, now: at(100))?.proofs.isEmpty == true)
    }

    @Test("more proofs than a denial may carry are refused with the RRset")
    func tooManyProofs() {
        let configuration = testConfiguration()
        let cache = ResolverCache(configuration: configuration)
        let proofs = (0...configuration.maxProofRRsets).map {
            nsecSet("n\($0).example.", next: "www.example.", types: [.a])
        }
        #expect(
            cache.insert(aSet("a.wild.example."), rank: .validated, status: .secure, proofs: proofs, now: at(0))
                == .rejectedTooLarge)
    }

    @Test("the DNAME of the closest strict ancestor is found; not the owner's own, not after expiry")
    func dnameAbove() {
        let cache = ResolverCache(configuration: testConfiguration())
        #expect(cache.lookupDNAME(above: name("a.b.old.example."), now: at(0)) == nil)
        let dname = RRSet(
            name: name("old.example."), type: .dname, ttl: 600, rdatas: [.dname(DNAME(target: name("new.example.")))])
        cache.insert(dname, rank: .answerAuthoritative, status: .insecure, now: at(0))
        #expect(cache.lookupDNAME(above: name("a.b.old.example."), now: at(10))?.rrset.name == name("old.example."))
        #expect(cache.lookupDNAME(above: name("a.b.old.example."), now: at(10))?.rrset.ttl == 590)
        #expect(cache.lookupDNAME(above: name("old.example."), now: at(10)) == nil)
        #expect(cache.lookupDNAME(above: name("a.other.example."), now: at(10)) == nil)
        #expect(cache.lookupDNAME(above: name("a.old.example."), now: at(600)) == nil)
    }

    @Test("a DNAME and a wildcard's proofs survive a dump and a load")
    func dumped() throws {
        let cache = ResolverCache(configuration: testConfiguration())
        let dname = RRSet(
            name: name("old.example."), type: .dname, ttl: 600, rdatas: [.dname(DNAME(target: name("new.example.")))])
        let proof = nsecSet("*.wild.example.", next: "www.example.", types: [.a, .rrsig, .nsec])
        cache.insert(dname, rank: .answerAuthoritative, status: .insecure, now: at(0))
        cache.insert(
            aSet("a.wild.example."), rank: .answerAuthoritative, status: .insecure, proofs: [proof], now: at(0))
        let restored = ResolverCache(configuration: testConfiguration())
        #expect(try restored.load(cache.dump(now: at(5)), now: at(10)).loaded == 2)
        #expect(restored.lookupDNAME(above: name("www.old.example."), now: at(10))?.rrset.rdatas == dname.rdatas)
        #expect(restored.lookup(name("a.wild.example."), .a, now: at(10))?.proofs == [proof])
    }
}
