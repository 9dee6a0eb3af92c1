// Primary responsibilities: RFC 8198 synthesis over a whole cached chain — the records AggressiveDenial picks
// from a lookup that returns the record at or before a name (or hash), and the proofs it leaves to
// NSECDenial/NSEC3Denial: NXDOMAIN, NODATA, no denial below a delegation, Opt-Out spans never used.

import DNSSEC
import DNSWire
import Testing

@Suite("Aggressive use of NSEC/NSEC3 (RFC 8198)")
struct AggressiveDenialTests {
    /// The record at or before `name` in canonical order, wrapping to the last: what the cache's index returns.
    static func nsecLookup(_ chain: [RRSet]) -> (DomainName) -> RRSet? {
        let sorted = chain.sorted { $0.name.canonicalCompare($1.name) < 0 }
        return { name in sorted.last { $0.name.canonicalCompare(name) <= 0 } ?? sorted.last }
    }

    /// The same by owner hash.
    static func nsec3Lookup(_ chain: [RRSet]) -> ([UInt8]) -> RRSet? {
        func hash(_ rrset: RRSet) -> [UInt8] { BaseEncoding.decodeBase32Hex(Array(rrset.name.labels[0])) ?? [] }
        let sorted = chain.sorted { hash($0).lexicographicallyPrecedes(hash($1)) }
        return { key in sorted.last { !key.lexicographicallyPrecedes(hash($0)) } ?? sorted.last }
    }

    @Test("NSEC: NXDOMAIN and NODATA from the cached chain, with only the records the proof needs")
    func nsec() throws {
        let lookup = Self.nsecLookup(try NSECDenialTests.chain())
        let zone = NSECDenialTests.zone
        let nxdomain = AggressiveDenial.withNSEC(qname: "na.alg13.example.", qtype: .a, zone: zone, lookup: lookup)
        #expect(
            nxdomain
                == .denial(
                    DenialProof(kind: .nameError, closestEncloser: zone),
                    proofs: try NSECDenialTests.nsecs("Mixed", "@")))
        let nodata = AggressiveDenial.withNSEC(qname: "mail.alg13.example.", qtype: .txt, zone: zone, lookup: lookup)
        #expect(nodata == .denial(DenialProof(kind: .noData), proofs: try NSECDenialTests.nsecs("mail")))
        // Data that exists is never denied.
        #expect(AggressiveDenial.withNSEC(qname: "mail.alg13.example.", qtype: .mx, zone: zone, lookup: lookup) == nil)
        // Nothing cached: nothing synthesised.
        #expect(AggressiveDenial.withNSEC(qname: "na.alg13.example.", qtype: .a, zone: zone) { _ in nil } == nil)
    }

    @Test("NSEC3: NXDOMAIN from a closest encloser proof; an Opt-Out span proves nothing (§5.4)")
    func nsec3() throws {
        let chain = try NSEC3DenialTests.appendixA().all(.nsec3)
        var budget = ValidationBudget()
        let salt = hex("aabbccdd")
        // The Appendix A chain marks its spans Opt-Out: no NXDOMAIN from them.
        #expect(
            AggressiveDenial.withNSEC3(
                qname: "a.c.x.w.example.", qtype: .a, zone: "example.", salt: salt, iterations: 12,
                budget: &budget, lookup: Self.nsec3Lookup(chain)) == nil)
        let cleared = NSEC3DenialTests.withoutOptOut(chain)
        let synthesis = AggressiveDenial.withNSEC3(
            qname: "a.c.x.w.example.", qtype: .a, zone: "example.", salt: salt, iterations: 12, budget: &budget,
            lookup: Self.nsec3Lookup(cleared))
        guard case .denial(let proof, let proofs)? = synthesis else {
            Issue.record("no NXDOMAIN synthesised: \(String(describing: synthesis))")
            return
        }
        #expect(proof == DenialProof(kind: .nameError, closestEncloser: "x.w.example."))
        let expected = NSEC3DenialTests.withoutOptOut(
            try NSEC3DenialTests.records(
                "b4um86eghhds6nea196smvmlo4ors995", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
                "35mthgpgcu1qg68fab165klnsnk3dpvl"))
        #expect(Set(proofs.map(\.name)) == Set(expected.map(\.name)))
        // A chain over the iteration limit is not hashed at all.
        var limits = ValidationLimits()
        limits.maxNSEC3Iterations = 10
        var fresh = ValidationBudget()
        #expect(
            AggressiveDenial.withNSEC3(
                qname: "a.c.x.w.example.", qtype: .a, zone: "example.", salt: salt, iterations: 12, limits: limits,
                budget: &fresh, lookup: Self.nsec3Lookup(cleared)) == nil)
        #expect(fresh.nsec3HashesComputed == 0)
    }
}
