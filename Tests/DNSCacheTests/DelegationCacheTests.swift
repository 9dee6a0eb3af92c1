// Primary responsibilities: the parent side of a zone cut — a referral's NS set and glue kept beside
// the child's own NS set, for as long as the shortest of their TTLs.

import DNSCache
import DNSSEC
import DNSWire
import Testing

@Suite("Parent-side delegations")
struct DelegationCacheTests {
    /// The NS RRset of `zone` naming `hosts`.
    private func nsSet(_ zone: String, _ hosts: [String], ttl: UInt32 = 86400) -> RRSet {
        RRSet(name: name(zone), type: .ns, ttl: ttl, rdatas: hosts.map { .ns(NS(nameServer: name($0))) })
    }

    @Test("the child's NS set replaces the referral's as an RRset; the parent side stays, with its own glue only")
    func keptBesideTheChildsSet() {
        let cache = ResolverCache()
        let referral = nsSet("example.", ["ns1.example."])
        cache.insert(referral, rank: .authorityNonAuthoritative, status: .unchecked, now: at(0))
        cache.insertDelegation(
            referral, glue: [aSet("ns1.example.", ttl: 86400, first: 1), aSet("other.example.", first: 9)], now: at(0))
        cache.insert(
            nsSet("example.", ["ns2.example."], ttl: 3600), rank: .answerAuthoritative, status: .unchecked, now: at(1))
        #expect(
            cache.lookup(name("example."), .ns, now: at(2))?.rrset.rdatas == [.ns(NS(nameServer: name("ns2.example.")))]
        )
        let parent = cache.lookupDelegation(zone: name("example."), now: at(2))
        #expect(parent?.ns.rdatas == referral.rdatas)
        #expect(parent?.glue.map(\.name) == [name("ns1.example.")])
        #expect(parent?.ns.ttl == 86398)
    }

    @Test("the entry lasts as long as the shortest of the NS set's and the glue's TTLs")
    func expiresWithItsGlue() {
        let cache = ResolverCache()
        cache.insertDelegation(nsSet("example.", ["ns1.example."]), glue: [aSet("ns1.example.", ttl: 600)], now: at(0))
        #expect(cache.lookupDelegation(zone: name("example."), now: at(599)) != nil)
        #expect(cache.lookupDelegation(zone: name("example."), now: at(600)) == nil)
        #expect(cache.lookupDelegation(zone: name("other."), now: at(0)) == nil)
    }
}
