// Primary responsibilities: NSEC3 proofs (RFC 5155 §8) on the published example of RFC 5155 Appendix A/B and on
// zones signed by ldns-signzone (salted, unsalted with Opt-Out, over the RFC 9276 iteration limit), plus the
// hash budget and the records a validator must ignore.

import DNSCrypto
import DNSSEC
import DNSWire
import Testing

@Suite("NSEC3 denial of existence")
struct NSEC3DenialTests {
    /// The RFC 5155 Appendix A NSEC3 records.
    static func appendixA() throws -> Zone { try Zone(fixture: "rfc5155-appendix-a.zone", origin: "example.") }

    /// The Appendix A records whose owners hash the given names (RFC 5155 Appendix A spells out each hash).
    static func records(_ hashes: String...) throws -> [RRSet] {
        let zone = try appendixA()
        return try hashes.map { try zone.rrset($0, .nsec3) }
    }

    /// The same records with Opt-Out cleared, to see the proofs secure.
    static func withoutOptOut(_ rrsets: [RRSet]) -> [RRSet] {
        rrsets.map { rrset in
            var copy = rrset
            copy.rdatas = rrset.rdatas.map { rdata in
                guard case .nsec3(var nsec3) = rdata else { return rdata }
                nsec3.flags = 0
                return .nsec3(nsec3)
            }
            return copy
        }
    }

    /// RFC 5155 Appendix A: every owner in the chain is the hash of a name of the example zone.
    @Test func appendixAHashes() throws {
        let names: [(DomainName, String)] = [
            ("example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"), ("a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"),
            ("ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"), ("ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
            ("ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"), ("w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"),
            ("*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"), ("x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"),
            ("y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"),
            ("x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"), ("xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"),
            ("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi"),
        ]
        let zone = try Self.appendixA()
        #expect(zone.all(.nsec3).count == 12)
        for (name, label) in names {
            let hash = try NSEC3Hash.hash(ownerName: name.wireBytes, salt: [0xAA, 0xBB, 0xCC, 0xDD], iterations: 12)
            #expect(base32hex(hash) == Array(label.utf8), "\(name)")
            #expect(zone.all(.nsec3).contains { $0.name.labels[0].elementsEqual(label.utf8) }, "\(label)")
        }
        // A NODATA proof for ns1.example hashes once and matches its record exactly.
        var budget = ValidationBudget()
        let proof = NSEC3Denial.proveNoData(
            qname: "ns1.example.", qtype: .tlsa, zone: "example.", nsec3s: zone.all(.nsec3), budget: &budget)
        #expect(proof.status == .secure)
        #expect(budget.nsec3HashesComputed == 1)
    }

    /// B.1: a.c.x.w.example does not exist. All Appendix A records have Opt-Out set, which leaves room for an
    /// unsigned delegation at the next closer name, so the denial is insecure; without Opt-Out it is secure.
    @Test func appendixB1NameError() throws {
        let rrsets = try Self.records(
            "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "b4um86eghhds6nea196smvmlo4ors995", "35mthgpgcu1qg68fab165klnsnk3dpvl")
        var budget = ValidationBudget()
        let optOut = NSEC3Denial.proveNameError(
            qname: "a.c.x.w.example.", zone: "example.", nsec3s: rrsets, budget: &budget)
        #expect(optOut.status == .insecure)
        #expect(optOut.reason == nil)
        let proof = NSEC3Denial.proveNameError(
            qname: "a.c.x.w.example.", zone: "example.", nsec3s: Self.withoutOptOut(rrsets), budget: &budget)
        #expect(proof.value == DenialProof(kind: .nameError, closestEncloser: "x.w.example."))
        // Without the record covering the wildcard *.x.w.example: EDE 12.
        expectBogus(
            NSEC3Denial.proveNameError(
                qname: "a.c.x.w.example.", zone: "example.", nsec3s: Self.withoutOptOut(Array(rrsets.prefix(2))),
                budget: &budget),
            .nsecMissing)
        // Without the closest encloser's record: EDE 12.
        expectBogus(
            NSEC3Denial.proveNameError(
                qname: "a.c.x.w.example.", zone: "example.", nsec3s: Self.withoutOptOut([rrsets[0], rrsets[2]]),
                budget: &budget),
            .nsecMissing)
        // ns1.example exists: NXDOMAIN for it is bogus.
        expectBogus(
            NSEC3Denial.proveNameError(
                qname: "ns1.example.", zone: "example.", nsec3s: try Self.records("2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
                budget: &budget),
            .dnssecBogus)
    }

    /// B.2: ns1.example has no MX; B.2.1: the empty non-terminal y.w.example has no A.
    @Test func appendixB2NoData() throws {
        var budget = ValidationBudget()
        let ns1 = try Self.records("2t7b4g4vsa5smi47k61mv5bv1a22bojr")
        #expect(
            NSEC3Denial.proveNoData(qname: "ns1.example.", qtype: .mx, zone: "example.", nsec3s: ns1, budget: &budget)
                .value?.kind == .noData)
        expectBogus(
            NSEC3Denial.proveNoData(qname: "ns1.example.", qtype: .a, zone: "example.", nsec3s: ns1, budget: &budget),
            .dnssecBogus)
        let ent = try Self.records("ji6neoaepv8b5o6k4ev33abha8ht9fgc")
        #expect(
            NSEC3Denial.proveNoData(qname: "y.w.example.", qtype: .a, zone: "example.", nsec3s: ent, budget: &budget)
                .status == .secure)
        // RFC 6840 §4.1: the parent-side NSEC3 of the delegation a.example cannot deny A at the child apex.
        let delegation = try Self.records("35mthgpgcu1qg68fab165klnsnk3dpvl")
        expectBogus(
            NSEC3Denial.proveNoData(
                qname: "a.example.", qtype: .a, zone: "example.", nsec3s: delegation, budget: &budget),
            .dnssecBogus)
        // And it has DS, so "no DS" is bogus too.
        expectBogus(
            NSEC3Denial.proveNoData(
                qname: "a.example.", qtype: .ds, zone: "example.", nsec3s: delegation, budget: &budget),
            .dnssecBogus)
    }

    /// B.3: the referral to c.example, an unsigned delegation inside an Opt-Out span: insecure (RFC 5155 §8.9).
    @Test func appendixB3OptOutReferral() throws {
        var budget = ValidationBudget()
        let rrsets = try Self.records("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "35mthgpgcu1qg68fab165klnsnk3dpvl")
        let outcome = NSEC3Denial.proveInsecureDelegation(
            name: "c.example.", zone: "example.", nsec3s: rrsets, budget: &budget)
        #expect(outcome.status == .insecure)
        // A DS query answered the same way (RFC 5155 §8.6) is insecure as well, and so is a NODATA for any other
        // type (erratum 3441): c.example has no NSEC3 of its own in the Opt-Out span.
        for qtype in [RRType.ds, .a, .txt] {
            let outcome = NSEC3Denial.proveNoData(
                qname: "c.example.", qtype: qtype, zone: "example.", nsec3s: rrsets, budget: &budget)
            #expect(outcome.status == .insecure, "\(qtype)")
            #expect(outcome.reason == nil, "\(qtype)")
        }
        // Without Opt-Out, a NODATA with no NSEC3 matching the name proves nothing: EDE 12.
        expectBogus(
            NSEC3Denial.proveNoData(
                qname: "c.example.", qtype: .a, zone: "example.", nsec3s: Self.withoutOptOut(rrsets), budget: &budget),
            .nsecMissing)
        // Without Opt-Out the same records prove nothing about c.example: bogus.
        expectBogus(
            NSEC3Denial.proveInsecureDelegation(
                name: "c.example.", zone: "example.", nsec3s: Self.withoutOptOut(rrsets), budget: &budget),
            .nsecMissing)
    }

    /// B.4: a.z.w.example MX synthesised from *.w.example: the next closer z.w.example must be covered.
    @Test func appendixB4WildcardAnswer() throws {
        var budget = ValidationBudget()
        let expansion = try #require(WildcardExpansion(owner: "a.z.w.example.", labels: 2))
        #expect(expansion.nextCloser == "z.w.example.")
        let rrsets = try Self.records("q04jkcevqvmu85r014c7dkba38o0ji5r")
        let proof = NSEC3Denial.proveWildcardAnswer(
            qname: "a.z.w.example.", expansion: expansion, zone: "example.", nsec3s: Self.withoutOptOut(rrsets),
            budget: &budget)
        #expect(proof.value == DenialProof(kind: .wildcardAnswer, closestEncloser: "w.example."))
        #expect(
            NSEC3Denial.proveWildcardAnswer(
                qname: "a.z.w.example.", expansion: expansion, zone: "example.", nsec3s: rrsets, budget: &budget
            ).status == .insecure)
        expectBogus(
            NSEC3Denial.proveWildcardAnswer(
                qname: "a.z.w.example.", expansion: expansion, zone: "example.",
                nsec3s: try Self.records("b4um86eghhds6nea196smvmlo4ors995"), budget: &budget),
            .nsecMissing)
    }

    /// B.5: a.z.w.example AAAA: closest encloser w.example, next closer covered, *.w.example has no AAAA. The
    /// Appendix A records have Opt-Out set, so z.w.example could be an unsigned delegation: insecure, no AD
    /// (RFC 5155 §9.2); without Opt-Out the same proof is secure.
    @Test func appendixB5WildcardNoData() throws {
        var budget = ValidationBudget()
        let rrsets = try Self.records(
            "k8udemvp1j2f7eg6jebps17vp3n8i58h", "q04jkcevqvmu85r014c7dkba38o0ji5r", "r53bq7cc2uvmubfu5ocmm6pers9tk9en")
        let expected = DenialProof(kind: .wildcardNoData, closestEncloser: "w.example.")
        for outcome in [
            NSEC3Denial.proveWildcardNoData(
                qname: "a.z.w.example.", qtype: .aaaa, zone: "example.", nsec3s: rrsets, budget: &budget),
            NSEC3Denial.proveNoData(
                qname: "a.z.w.example.", qtype: .aaaa, zone: "example.", nsec3s: rrsets, budget: &budget),
        ] {
            #expect(outcome.status == .insecure)
            #expect(outcome.reason == nil)
        }
        #expect(
            NSEC3Denial.proveWildcardNoData(
                qname: "a.z.w.example.", qtype: .aaaa, zone: "example.", nsec3s: Self.withoutOptOut(rrsets),
                budget: &budget
            ).value == expected)
        #expect(
            NSEC3Denial.proveNoData(
                qname: "a.z.w.example.", qtype: .aaaa, zone: "example.", nsec3s: Self.withoutOptOut(rrsets),
                budget: &budget
            )
            .value == expected)
        // The wildcard owns MX: no wildcard NODATA for MX.
        expectBogus(
            NSEC3Denial.proveWildcardNoData(
                qname: "a.z.w.example.", qtype: .mx, zone: "example.", nsec3s: rrsets, budget: &budget),
            .dnssecBogus)
    }

    /// RFC 9276 §3.2: more iterations than the limit is insecure with EDE 27 and costs no hashing.
    @Test func iterationLimit() throws {
        var budget = ValidationBudget()
        let rrsets = try Self.records("2t7b4g4vsa5smi47k61mv5bv1a22bojr")
        let strict = ValidationLimits(maxNSEC3Iterations: 10)
        let outcome = NSEC3Denial.proveNoData(
            qname: "ns1.example.", qtype: .mx, zone: "example.", nsec3s: rrsets, limits: strict, budget: &budget)
        #expect(outcome.status == .insecure)
        #expect(outcome.reason?.code == .unsupportedNSEC3Iterations)
        #expect(budget.nsec3HashesComputed == 0)

        // The ldns-signed zone with 100 iterations, under the default limit of 50.
        let zone = try Zone(fixture: "nsec3-iter.signed", origin: "nsec3-iter.example.")
        let nx = NSEC3Denial.proveNameError(
            qname: "nx.nsec3-iter.example.", zone: "nsec3-iter.example.", nsec3s: zone.all(.nsec3), budget: &budget)
        #expect(nx.status == .insecure)
        #expect(nx.reason?.code == .unsupportedNSEC3Iterations)
        #expect(nx.reason?.site == "3ITR")
        #expect(nx.reason?.status == .insecure)  // the reason says so too, wherever it travels
    }

    /// RFC 5155 §8.1 and §8.2: unknown hash algorithms make the answer insecure; unknown flags are ignored;
    /// owners that are not one hashed label below the zone are ignored.
    @Test func recordsToIgnore() throws {
        var budget = ValidationBudget()
        let ns1 = try Self.records("2t7b4g4vsa5smi47k61mv5bv1a22bojr")
        func modified(_ change: (inout NSEC3) -> Void) -> [RRSet] {
            ns1.map { rrset in
                var copy = rrset
                copy.rdatas = rrset.rdatas.map { rdata in
                    guard case .nsec3(var nsec3) = rdata else { return rdata }
                    change(&nsec3)
                    return .nsec3(nsec3)
                }
                return copy
            }
        }
        let unknownAlgorithm = modified { $0.hashAlgorithm = 2 }
        #expect(
            NSEC3Denial.proveNoData(
                qname: "ns1.example.", qtype: .mx, zone: "example.", nsec3s: unknownAlgorithm, budget: &budget
            ).status == .insecure)
        let unknownFlags = modified { $0.flags = 0x81 }
        expectBogus(
            NSEC3Denial.proveNoData(
                qname: "ns1.example.", qtype: .mx, zone: "example.", nsec3s: unknownFlags, budget: &budget),
            .nsecMissing)
        var deeper = ns1[0]
        deeper.name = "2t7b4g4vsa5smi47k61mv5bv1a22bojr.sub.example."
        expectBogus(
            NSEC3Denial.proveNoData(
                qname: "ns1.example.", qtype: .mx, zone: "example.", nsec3s: [deeper], budget: &budget),
            .nsecMissing)
    }

    /// CVE-2023-50868: the hash budget stops a proof with bogus and EDE 0, naming the limit.
    @Test func hashBudget() throws {
        let limits = ValidationLimits(maxNSEC3Hashes: 3)
        var budget = ValidationBudget(limits: limits)
        let rrsets = try Self.records(
            "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "b4um86eghhds6nea196smvmlo4ors995", "35mthgpgcu1qg68fab165klnsnk3dpvl")
        // a.c.x.w.example needs 4 hashes (a.c.x.w, c.x.w, x.w, then *.x.w).
        let outcome = NSEC3Denial.proveNameError(
            qname: "a.c.x.w.example.", zone: "example.", nsec3s: rrsets, limits: limits, budget: &budget)
        expectBogus(outcome, .other)
        #expect(outcome.reason?.detail.contains("maxNSEC3Hashes") == true)
        #expect(budget.nsec3HashesComputed == 3)
    }

    /// The ldns-signed NSEC3 zones: every NSEC3 RRset validates, then the proofs hold on real data.
    @Test func signedZoneProofs() throws {
        let fixture = SignedFixture(name: "nsec3", algorithm: 13)
        let zone = try fixture.zone()
        let keys = try validatedKeys(fixture)
        var budget = ValidationBudget(limits: ValidationLimits(maxSignatureVerifications: 100))
        let nsec3s = zone.all(.nsec3)
        for rrset in nsec3s {
            #expect(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget).status == .secure)
        }
        let origin = fixture.origin
        #expect(
            NSEC3Denial.proveNameError(qname: "nx.nsec3.example.", zone: origin, nsec3s: nsec3s, budget: &budget).value?
                .closestEncloser == origin)
        #expect(
            NSEC3Denial.proveNoData(
                qname: "www.nsec3.example.", qtype: .mx, zone: origin, nsec3s: nsec3s, budget: &budget
            )
            .value?.kind == .noData)
        #expect(
            NSEC3Denial.proveNoData(
                qname: "ent.nsec3.example.", qtype: .a, zone: origin, nsec3s: nsec3s, budget: &budget
            )
            .value?.kind == .noData)
        #expect(
            NSEC3Denial.proveInsecureDelegation(
                name: "insecure.nsec3.example.", zone: origin, nsec3s: nsec3s, budget: &budget
            ).value?.kind == .insecureDelegation)
        expectBogus(
            NSEC3Denial.proveInsecureDelegation(
                name: "secure.nsec3.example.", zone: origin, nsec3s: nsec3s, budget: &budget),
            .dnssecBogus)
        let expansion = try #require(WildcardExpansion(owner: "host.wild.nsec3.example.", labels: 3))
        #expect(
            NSEC3Denial.proveWildcardAnswer(
                qname: "host.wild.nsec3.example.", expansion: expansion, zone: origin, nsec3s: nsec3s, budget: &budget
            ).status == .secure)
        #expect(
            NSEC3Denial.proveNoData(
                qname: "host.wild.nsec3.example.", qtype: .mx, zone: origin, nsec3s: nsec3s, budget: &budget
            ).value?.kind == .wildcardNoData)
        // A chain missing the records needed: EDE 12.
        expectBogus(
            NSEC3Denial.proveNameError(
                qname: "nx.nsec3.example.", zone: origin, nsec3s: Array(nsec3s.prefix(1)), budget: &budget),
            .nsecMissing)
    }

    /// The unsalted Opt-Out zone: a referral to an unsigned delegation whose NSEC3 is absent is insecure.
    @Test func signedOptOutZone() throws {
        let fixture = SignedFixture(name: "nsec3-optout", algorithm: 13)
        let zone = try fixture.zone()
        let origin = fixture.origin
        var budget = ValidationBudget()
        let nsec3s = zone.all(.nsec3)
        #expect(
            nsec3s.allSatisfy { rrset in
                rrset.rdatas.allSatisfy {
                    if case .nsec3(let n) = $0 { return n.isOptOut && n.salt.isEmpty } else { return false }
                }
            })
        // ldns-signzone keeps an NSEC3 for the unsigned delegation; a signer that omits it (RFC 5155 §7.1) leaves
        // the span of the previous record to cover it. Rebuild that chain: drop the delegation's record and
        // extend its predecessor.
        let delegationHash = try NSEC3Hash.hash(
            ownerName: DomainName("insecure.nsec3-optout.example.").wireBytes, salt: [], iterations: 0)
        var chain: [RRSet] = []
        for rrset in nsec3s {
            guard case .nsec3(var nsec3) = rrset.rdatas[0] else { continue }
            if rrset.name.labels[0].elementsEqual(base32hex(delegationHash)) { continue }
            if nsec3.nextHashedOwnerName == delegationHash,
                let dropped = nsec3s.first(where: { $0.name.labels[0].elementsEqual(base32hex(delegationHash)) }),
                case .nsec3(let droppedData) = dropped.rdatas[0]
            {
                nsec3.nextHashedOwnerName = droppedData.nextHashedOwnerName
            }
            var copy = rrset
            copy.rdatas = [.nsec3(nsec3)]
            chain.append(copy)
        }
        #expect(chain.count == nsec3s.count - 1)
        #expect(
            NSEC3Denial.proveInsecureDelegation(
                name: "insecure.nsec3-optout.example.", zone: origin, nsec3s: chain, budget: &budget
            ).status == .insecure)
        // The signed delegation keeps its NSEC3 with DS: not an insecure delegation.
        expectBogus(
            NSEC3Denial.proveInsecureDelegation(
                name: "secure.nsec3-optout.example.", zone: origin, nsec3s: chain, budget: &budget),
            .dnssecBogus)
    }
}

/// Base32hex (RFC 4648 §7) of a hash, lowercase, as NSEC3 owner labels are written.
func base32hex(_ bytes: [UInt8]) -> [UInt8] { Array(BaseEncoding.base32Hex(bytes).lowercased().utf8) }
