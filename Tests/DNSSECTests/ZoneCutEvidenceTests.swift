// Primary responsibilities: what a DS NODATA's denial records say about a zone cut — the NSEC at
// the name with or without NS, an empty non-terminal, and NSEC3 with and without Opt-Out.

import DNSCrypto
import DNSSEC
import DNSWire
import Testing

@Suite("Zone cut evidence")
struct ZoneCutEvidenceTests {
    /// An NSEC RRset at `owner` pointing to `next` with `types`.
    private func nsec(_ owner: DomainName, next: DomainName, _ types: [RRType]) -> RRSet {
        RRSet(name: owner, type: .nsec, ttl: 300, rdatas: [.nsec(NSEC(nextDomainName: next, types: TypeBitmap(types)))])
    }

    @Test("NSEC: at the name without NS is no cut; with NS (an unsigned delegation) it may be; an ENT is none")
    func nsecEvidence() {
        var budget = ValidationBudget()
        let host = nsec("www.example.", next: "zzz.example.", [.a, .rrsig, .nsec])
        #expect(ZoneCutEvidence.showsNoZoneCut(at: "www.example.", denial: [host], budget: &budget))
        let delegation = nsec("sub.example.", next: "zzz.example.", [.ns, .rrsig, .nsec])
        #expect(!ZoneCutEvidence.showsNoZoneCut(at: "sub.example.", denial: [delegation], budget: &budget))
        // b.example. exists only as the parent of a.b.example.: an empty non-terminal.
        let before = nsec("a.example.", next: "a.b.example.", [.a, .rrsig, .nsec])
        #expect(ZoneCutEvidence.showsNoZoneCut(at: "b.example.", denial: [before], budget: &budget))
        // A covering NSEC whose next name is not below the name says nothing about a cut.
        let gap = nsec("a.example.", next: "c.example.", [.a, .rrsig, .nsec])
        #expect(!ZoneCutEvidence.showsNoZoneCut(at: "b.example.", denial: [gap], budget: &budget))
        #expect(!ZoneCutEvidence.showsNoZoneCut(at: "b.example.", denial: [], budget: &budget))
    }

    @Test("NSEC3: a matching record without NS is no cut; a covering one is, unless Opt-Out could hide a delegation")
    func nsec3Evidence() throws {
        var budget = ValidationBudget()
        let salt: [UInt8] = [0xAA, 0xBB]
        func hashed(_ name: DomainName) throws -> [UInt8] {
            try NSEC3Hash.hash(ownerName: name.lowercased.wireBytes, salt: salt, iterations: 0)
        }
        func record(owner hash: [UInt8], next: [UInt8], _ types: [RRType], optOut: Bool = false) throws -> RRSet {
            let label = BaseEncoding.base32Hex(hash)
            return RRSet(
                name: try DomainName(label + ".example."), type: .nsec3, ttl: 300,
                rdatas: [
                    .nsec3(
                        NSEC3(
                            hashAlgorithm: 1, flags: optOut ? NSEC3.optOutFlag : 0, iterations: 0, salt: salt,
                            nextHashedOwnerName: next, types: TypeBitmap(types)))
                ])
        }
        let www = try hashed("www.example.")
        var next = www
        next[next.count - 1] &+= 1
        let match = try record(owner: www, next: next, [.a, .rrsig])
        #expect(ZoneCutEvidence.showsNoZoneCut(at: "www.example.", denial: [match], budget: &budget))
        let cut = try record(owner: www, next: next, [.ns])
        #expect(!ZoneCutEvidence.showsNoZoneCut(at: "www.example.", denial: [cut], budget: &budget))
        var lower = www
        lower[lower.count - 1] &-= 1
        let cover = try record(owner: lower, next: next, [.a])
        #expect(ZoneCutEvidence.showsNoZoneCut(at: "www.example.", denial: [cover], budget: &budget))
        let optOut = try record(owner: lower, next: next, [.a], optOut: true)
        #expect(!ZoneCutEvidence.showsNoZoneCut(at: "www.example.", denial: [optOut], budget: &budget))
    }
}
