// Primary responsibilities: NSEC denial proofs (RFC 4035 §5.4, RFC 6840 §4.1, §4.3) over the NSEC chain of a
// zone signed by ldns-signzone, after validating each NSEC RRset: NXDOMAIN, NODATA, empty non-terminals,
// wildcard answers and wildcard NODATA, insecure delegations, wrap-around, and chains that do not cover.

import DNSSEC
import DNSWire
import Testing

@Suite("NSEC denial of existence")
struct NSECDenialTests {
    /// The validated NSEC RRsets of the P-256 fixture, keyed by owner.
    static func chain() throws -> [RRSet] {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        var budget = ValidationBudget(limits: ValidationLimits(maxSignatureVerifications: 100))
        let nsecs = zone.all(.nsec)
        #expect(nsecs.count == 10)
        for nsec in nsecs {
            #expect(RRSetValidator.validate(nsec, keys: keys, now: Clock.inside, budget: &budget).status == .secure)
        }
        return nsecs
    }

    /// The NSEC RRsets at the given owners (relative to the zone).
    static func nsecs(_ owners: String...) throws -> [RRSet] {
        let all = try chain()
        return try owners.map { owner in
            let name = try DomainName(owner, origin: "alg13.example.")
            return try #require(all.first { $0.name == name }, "no NSEC at \(name)")
        }
    }

    static let zone: DomainName = "alg13.example."

    @Test func nameError() throws {
        // na.alg13.example. sorts between Mixed and ns1; the wildcard *.alg13.example. sorts between the apex and
        // alias.
        let proof = NSECDenial.proveNameError(
            qname: "na.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("Mixed", "@"))
        #expect(proof.value == DenialProof(kind: .nameError, closestEncloser: Self.zone))
        // Without the NSEC covering the wildcard: EDE 12.
        expectBogus(
            NSECDenial.proveNameError(qname: "na.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("Mixed")),
            .nsecMissing)
        // An NSEC that does not cover the name: EDE 12.
        expectBogus(
            NSECDenial.proveNameError(qname: "na.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("mail", "@")),
            .nsecMissing)
        // A name that exists (mail) is never denied.
        expectBogus(
            NSECDenial.proveNameError(qname: "mail.alg13.example.", zone: Self.zone, nsecs: try Self.chain()),
            .nsecMissing)
    }

    /// The last NSEC wraps to the apex: it covers names after www (RFC 4034 §4.1.1).
    @Test func wrapAroundCovers() throws {
        let proof = NSECDenial.proveNameError(
            qname: "zzz.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("www", "@"))
        #expect(proof.status == .secure)
        #expect(proof.value?.closestEncloser == Self.zone)
    }

    /// Below a name that exists, the closest encloser is that name and its wildcard must be denied.
    @Test func nameErrorBelowExistingName() throws {
        // a.mail: covered by the mail NSEC (mail < a.mail < Mixed); *.mail is covered by the same NSEC.
        let proof = NSECDenial.proveNameError(
            qname: "a.mail.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("mail"))
        #expect(proof.value?.closestEncloser == "mail.alg13.example.")
    }

    /// An empty non-terminal exists: an NXDOMAIN claim for it is refused, NODATA is proven (RFC 4592 §2.2.2).
    @Test func emptyNonTerminal() throws {
        let ent: DomainName = "ent.alg13.example."
        let nsecs = try Self.nsecs("alias")
        expectBogus(
            NSECDenial.proveNameError(qname: ent, zone: Self.zone, nsecs: nsecs + (try Self.nsecs("@"))), .nsecMissing)
        #expect(
            NSECDenial.proveNoData(qname: ent, qtype: .a, zone: Self.zone, nsecs: nsecs).value?.kind
                == .emptyNonTerminal)
    }

    @Test func noData() throws {
        let mail = try Self.nsecs("mail")
        #expect(
            NSECDenial.proveNoData(qname: "mail.alg13.example.", qtype: .a, zone: Self.zone, nsecs: mail).value?.kind
                == .noData)
        // The type exists: bogus.
        expectBogus(
            NSECDenial.proveNoData(qname: "mail.alg13.example.", qtype: .mx, zone: Self.zone, nsecs: mail), .dnssecBogus
        )
        // RFC 6840 §4.3: a CNAME at the name means the NODATA is not proven.
        let alias = NSECDenial.proveNoData(
            qname: "alias.alg13.example.", qtype: .a, zone: Self.zone, nsecs: try Self.nsecs("alias"))
        expectBogus(alias, .dnssecBogus)
        #expect(alias.reason?.site == "NDCN")
        // No NSEC at all: EDE 12.
        expectBogus(
            NSECDenial.proveNoData(qname: "mail.alg13.example.", qtype: .a, zone: Self.zone, nsecs: []), .nsecMissing)
    }

    /// DS at a delegation: the parent-side NSEC (NS, no SOA) proves it; the apex NSEC of a child cannot; a
    /// parent-side NSEC cannot deny other types at the child apex (RFC 6840 §4.1).
    @Test func delegationRules() throws {
        let insecure = try Self.nsecs("insecure")
        #expect(
            NSECDenial.proveNoData(qname: "insecure.alg13.example.", qtype: .ds, zone: Self.zone, nsecs: insecure)
                .status
                == .secure)
        let parentSide = NSECDenial.proveNoData(
            qname: "insecure.alg13.example.", qtype: .a, zone: Self.zone, nsecs: insecure)
        expectBogus(parentSide, .dnssecBogus)
        #expect(parentSide.reason?.site == "NDPS")
        // Names below the delegation are not denied by the parent's NSEC either.
        expectBogus(
            NSECDenial.proveNameError(
                qname: "host.insecure.alg13.example.", zone: Self.zone, nsecs: insecure + (try Self.nsecs("@"))),
            .nsecMissing)
        // The apex NSEC has SOA: it is the child's and cannot deny DS.
        let apex = NSECDenial.proveNoData(qname: Self.zone, qtype: .ds, zone: Self.zone, nsecs: try Self.nsecs("@"))
        #expect(apex.reason?.site == "NDSA")
        // Insecure delegation proof: NS without DS (secure proof); the signed delegation has DS (bogus).
        #expect(
            NSECDenial.proveInsecureDelegation(name: "insecure.alg13.example.", zone: Self.zone, nsecs: insecure).value?
                .kind == .insecureDelegation)
        expectBogus(
            NSECDenial.proveInsecureDelegation(
                name: "secure.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("secure")),
            .dnssecBogus)
        expectBogus(
            NSECDenial.proveInsecureDelegation(
                name: "mail.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("mail")),
            .dnssecBogus)
    }

    /// RFC 4035 §5.3.4: the expansion of *.wild for host.wild is legitimate when an NSEC proves no closer name.
    @Test func wildcardAnswer() throws {
        let expansion = try #require(WildcardExpansion(owner: "host.wild.alg13.example.", labels: 3))
        // host.wild sorts between secure and *.wild? No: *.wild < host.wild < www, so the *.wild NSEC covers it.
        let proof = NSECDenial.proveWildcardAnswer(
            qname: "host.wild.alg13.example.", expansion: expansion, zone: Self.zone, nsecs: try Self.nsecs("*.wild"))
        #expect(proof.value?.kind == .wildcardAnswer)
        // An NSEC implying another closest encloser (the apex) does not prove this expansion.
        let wrongEncloser = try #require(WildcardExpansion(owner: "host.wild.alg13.example.", labels: 2))
        expectBogus(
            NSECDenial.proveWildcardAnswer(
                qname: "host.wild.alg13.example.", expansion: wrongEncloser, zone: Self.zone,
                nsecs: try Self.nsecs("*.wild")),
            .nsecMissing)
        // No NSEC: EDE 12.
        expectBogus(
            NSECDenial.proveWildcardAnswer(
                qname: "host.wild.alg13.example.", expansion: expansion, zone: Self.zone, nsecs: []),
            .nsecMissing)
    }

    /// RFC 4035 §3.1.3.4: wildcard NODATA needs the covering NSEC and the wildcard's NSEC without the type.
    @Test func wildcardNoData() throws {
        let nsecs = try Self.nsecs("*.wild")
        let proof = NSECDenial.proveWildcardNoData(
            qname: "host.wild.alg13.example.", qtype: .aaaa, zone: Self.zone, nsecs: nsecs)
        #expect(proof.value == DenialProof(kind: .wildcardNoData, closestEncloser: "wild.alg13.example."))
        // proveNoData falls back to it.
        #expect(
            NSECDenial.proveNoData(qname: "host.wild.alg13.example.", qtype: .aaaa, zone: Self.zone, nsecs: nsecs)
                .value?
                .kind == .wildcardNoData)
        // The wildcard has A: no NODATA for A.
        expectBogus(
            NSECDenial.proveWildcardNoData(qname: "host.wild.alg13.example.", qtype: .a, zone: Self.zone, nsecs: nsecs),
            .dnssecBogus)
        // NXDOMAIN under an existing wildcard is refused.
        expectBogus(
            NSECDenial.proveNameError(qname: "host.wild.alg13.example.", zone: Self.zone, nsecs: nsecs), .dnssecBogus)
    }

    /// NSEC records of another zone are ignored, and extra records beyond the limit are not examined.
    @Test func foreignAndExcessRecordsAreIgnored() throws {
        let outside = RRSet(
            name: "a.other.", type: .nsec, ttl: 300,
            rdatas: [.nsec(NSEC(nextDomainName: "z.other.", types: TypeBitmap([.a])))])
        expectBogus(
            NSECDenial.proveNameError(qname: "na.alg13.example.", zone: Self.zone, nsecs: [outside]), .nsecMissing)
        let limits = ValidationLimits(maxDenialRecords: 1)
        expectBogus(
            NSECDenial.proveNameError(
                qname: "na.alg13.example.", zone: Self.zone, nsecs: try Self.nsecs("Mixed", "@"), limits: limits),
            .nsecMissing)
    }
}
