// Primary responsibilities: zones signed by ldns-signzone for every algorithm validated end to end (DS →
// DNSKEY RRset → every signed RRset), and the negative cases: tampered signatures, wrong keys, expired and
// not yet valid signatures, bad Labels fields, foreign signers, unmatched DS, missing RRSIGs, unsupported
// algorithms and digests.

import DNSCrypto
import DNSSEC
import DNSWire
import Testing

/// A fixture zone with its DS records.
struct SignedFixture: Sendable, CustomTestStringConvertible {
    /// The fixture's base name (`alg13`).
    let name: String
    /// The algorithm number it is signed with.
    let algorithm: UInt8
    /// The zone apex.
    var origin: DomainName { try! DomainName("\(name).example.") }
    /// The name shown by the test runner.
    var testDescription: String { "\(name) (algorithm \(algorithm))" }

    /// The parsed zone.
    func zone() throws -> Zone { try Zone(fixture: "\(name).signed", origin: origin) }
    /// The DS records.
    func ds() throws -> [DS] { try Fixture.ds(name, origin: origin) }

    /// The NSEC-signed fixture of every algorithm.
    static let algorithms: [SignedFixture] = [
        SignedFixture(name: "alg5", algorithm: 5), SignedFixture(name: "alg7", algorithm: 7),
        SignedFixture(name: "alg8", algorithm: 8), SignedFixture(name: "alg10", algorithm: 10),
        SignedFixture(name: "alg13", algorithm: 13), SignedFixture(name: "alg14", algorithm: 14),
        SignedFixture(name: "alg15", algorithm: 15), SignedFixture(name: "alg16", algorithm: 16),
    ]
    /// The ECDSA P-256 zone the negative cases use.
    static let p256 = SignedFixture(name: "alg13", algorithm: 13)
}

/// Validates the DNSKEY RRset of a fixture with its DS records.
func validatedKeys(_ fixture: SignedFixture, now: UInt32 = Clock.inside) throws -> ZoneKeySet {
    let zone = try fixture.zone()
    var budget = ValidationBudget()
    let outcome = DNSKEYValidator.validate(
        try zone.rrset(fixture.origin.description, .dnskey), ds: try fixture.ds(), now: now, budget: &budget)
    return try #require(outcome.value, "\(outcome.reason?.description ?? "")").keys
}

@Suite("Zones signed by ldns-signzone")
struct SignedZoneTests {
    /// Every algorithm: the DNSKEY RRset validates from the DS, then every signed RRset of the zone validates
    /// with the resulting keys (algorithms the system's probe refuses are insecure instead).
    @Test(arguments: SignedFixture.algorithms)
    func everyRRsetValidates(fixture: SignedFixture) throws {
        let zone = try fixture.zone()
        var budget = ValidationBudget(
            limits: ValidationLimits(
                maxSignatureVerifications: 1000, maxVerificationCost: VerificationCost(milliunits: 100_000_000)))
        let keyOutcome = DNSKEYValidator.validate(
            try zone.rrset(fixture.origin.description, .dnskey), ds: try fixture.ds(), now: Clock.inside,
            budget: &budget)
        guard AlgorithmSupport.system.algorithms.contains(fixture.algorithm) else {
            #expect(keyOutcome.status == .insecure)
            #expect(keyOutcome.reason?.code == .unsupportedDNSKEYAlgorithm)
            return
        }
        let keys = try #require(keyOutcome.value, "\(keyOutcome.reason?.description ?? "")").keys
        let signed = zone.rrsets.filter { !$0.signatures.isEmpty }
        #expect(signed.count >= 14)
        for rrset in signed {
            let outcome = RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget)
            #expect(outcome.status == .secure, "\(rrset.type) \(rrset.name): \(outcome.reason?.description ?? "")")
            #expect(outcome.value?.wildcard == nil)
        }
        // Delegation NS and glue are not signed (RFC 4035 §2.2): nothing to validate there.
        #expect(try zone.rrset("insecure", .ns).signatures.isEmpty)
    }

    /// RFC 4035 §5.3.3: the TTL is capped by the Original TTL and by the time left before expiration.
    @Test func ttlIsCapped() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        var rrset = try zone.rrset("www", .a)
        rrset.ttl = 999_999
        var budget = ValidationBudget()
        #expect(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget).value?.ttl == 3600)
        let late = RRSetValidator.validate(rrset, keys: keys, now: Clock.expiration - 10, budget: &budget)
        #expect(late.value?.ttl == 10)
    }

    /// A wildcard-synthesised answer validates and reports its closest encloser (RFC 4035 §5.3.2, §5.3.4).
    @Test func wildcardExpansionIsSurfaced() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        var synthesized = try zone.rrset("*.wild", .a)
        synthesized.name = "Host.Wild.alg13.example."
        var budget = ValidationBudget()
        let outcome = RRSetValidator.validate(synthesized, keys: keys, now: Clock.inside, budget: &budget)
        let expansion = try #require(outcome.value?.wildcard, "\(outcome.reason?.description ?? "")")
        #expect(expansion.closestEncloser == "wild.alg13.example.")
        #expect(expansion.wildcard == "*.wild.alg13.example.")
        #expect(expansion.nextCloser == "host.wild.alg13.example.")
        // Deeper below the wildcard works too: the next closer is one label under the closest encloser.
        synthesized.name = "a.b.wild.alg13.example."
        let deeper = RRSetValidator.validate(synthesized, keys: keys, now: Clock.inside, budget: &budget)
        #expect(deeper.value?.wildcard?.nextCloser == "b.wild.alg13.example.")
    }

    /// Tampering with the signature, the data or the RRSIG fields is bogus with EDE 6.
    @Test func tamperedSignatureIsBogus() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        let original = try zone.rrset("www", .a)
        var budget = ValidationBudget()
        var rrset = original
        rrset.signatures[0].signature = flipping(rrset.signatures[0].signature, at: 10)
        expectBogus(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget), .dnssecBogus)
        rrset = original
        rrset.signatures[0].originalTTL += 1
        expectBogus(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget), .dnssecBogus)
        rrset = original
        rrset.rdatas.append(.a(A(address: 0xC000_02FF)))
        expectBogus(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget), .dnssecBogus)
        // The RRSIG of another RRset (other owner) does not validate this one.
        rrset = original
        rrset.signatures = try zone.rrset("ns1", .a).signatures
        expectBogus(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget), .dnssecBogus)
    }

    /// A key from another zone (different key tags) is DNSKEY Missing (EDE 9); a zone key set without the ZSK
    /// too; a matching tag with the Zone Key flag cleared is EDE 11.
    @Test func wrongKeyIsDNSKEYMissing() throws {
        let zone = try SignedFixture.p256.zone()
        let rrset = try zone.rrset("www", .a)
        let otherKeys = dnskeys(
            of: try SignedFixture(name: "nsec3", algorithm: 13).zone().rrset("nsec3.example.", .dnskey))
        var budget = ValidationBudget()
        let foreign = ZoneKeySet(zone: SignedFixture.p256.origin, dnskeys: otherKeys)
        expectBogus(RRSetValidator.validate(rrset, keys: foreign, now: Clock.inside, budget: &budget), .dnskeyMissing)
        let all = dnskeys(of: try zone.rrset("alg13.example.", .dnskey))
        let kskOnly = ZoneKeySet(zone: SignedFixture.p256.origin, dnskeys: all.filter(\.isSecureEntryPoint))
        expectBogus(RRSetValidator.validate(rrset, keys: kskOnly, now: Clock.inside, budget: &budget), .dnskeyMissing)
        // Clearing the Zone Key flag changes the tag, so give the RRSIG the new tag: the key is still unusable.
        var zsk = try #require(all.first { !$0.isSecureEntryPoint })
        zsk.flags &= ~DNSKEY.zoneKeyFlag
        var retagged = rrset
        retagged.signatures[0].keyTag = zsk.keyTag
        let noZoneFlag = ZoneKeySet(zone: SignedFixture.p256.origin, dnskeys: [zsk])
        expectBogus(
            RRSetValidator.validate(retagged, keys: noZoneFlag, now: Clock.inside, budget: &budget), .noZoneKeyBitSet)
    }

    /// RFC 4035 §5.3.1 with RFC 4034 §3.1.5: outside the validity period is EDE 7 or 8; an RRSIG whose
    /// expiration precedes its inception is EDE 25. The clock skew is honoured at both ends.
    @Test func validityPeriod() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        let rrset = try zone.rrset("www", .a)
        var budget = ValidationBudget()
        expectBogus(
            RRSetValidator.validate(rrset, keys: keys, now: Clock.afterExpiration, budget: &budget), .signatureExpired)
        expectBogus(
            RRSetValidator.validate(rrset, keys: keys, now: Clock.beforeInception, budget: &budget),
            .signatureNotYetValid)
        let skew = ValidationLimits.default.clockSkew
        #expect(
            RRSetValidator.validate(rrset, keys: keys, now: Clock.expiration + skew, budget: &budget).value?.ttl == 0)
        expectBogus(
            RRSetValidator.validate(rrset, keys: keys, now: Clock.expiration + skew + 1, budget: &budget),
            .signatureExpired)
        var swapped = rrset
        swapped.signatures[0].inception = rrset.signatures[0].expiration
        swapped.signatures[0].expiration = rrset.signatures[0].inception
        expectBogus(
            RRSetValidator.validate(swapped, keys: keys, now: Clock.inside, budget: &budget),
            .signatureExpiredBeforeValid)
        // The DNSKEY RRset itself expired: the whole zone is bogus with EDE 7.
        var late = ValidationBudget()
        let outcome = DNSKEYValidator.validate(
            try zone.rrset("alg13.example.", .dnskey), ds: try SignedFixture.p256.ds(), now: Clock.afterExpiration,
            budget: &late)
        expectBogus(outcome, .signatureExpired)
    }

    /// A Labels field above the owner's label count is bogus; a foreign or non-ancestor signer is bogus.
    @Test func labelsAndSignerChecks() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        let rrset = try zone.rrset("www", .a)
        var budget = ValidationBudget()
        var tooMany = rrset
        tooMany.signatures[0].labels = 4
        let outcome = RRSetValidator.validate(tooMany, keys: keys, now: Clock.inside, budget: &budget)
        expectBogus(outcome, .dnssecBogus)
        #expect(outcome.reason?.site == "RLAB")
        #expect(budget.verificationsPerformed == 0, "structural failures cost no crypto")

        var foreign = rrset
        foreign.signatures[0].signerName = "example."
        let foreignOutcome = RRSetValidator.validate(foreign, keys: keys, now: Clock.inside, budget: &budget)
        expectBogus(foreignOutcome, .dnssecBogus)
        #expect(foreignOutcome.reason?.site == "RSGN")

        // Keys of a zone that is not an ancestor of the owner: the signer check fails first.
        let mail = try zone.rrset("mail", .mx)
        var misplaced = mail
        misplaced.signatures[0].signerName = "www.alg13.example."
        let sideways = ZoneKeySet(zone: "www.alg13.example.", dnskeys: dnskeys(of: try zone.rrset("@", .dnskey)))
        let sidewaysOutcome = RRSetValidator.validate(misplaced, keys: sideways, now: Clock.inside, budget: &budget)
        expectBogus(sidewaysOutcome, .dnssecBogus)
        #expect(sidewaysOutcome.reason?.site == "RSGA")
        #expect(sidewaysOutcome.reason?.detail.contains("key tag \(mail.signatures[0].keyTag)") == true)
    }

    /// No RRSIG at all is EDE 10.
    @Test func missingRRSIGs() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        var rrset = try zone.rrset("www", .a)
        rrset.signatures = []
        var budget = ValidationBudget()
        expectBogus(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget), .rrsigsMissing)
        var dnskeyRRSet = try zone.rrset("@", .dnskey)
        dnskeyRRSet.signatures = []
        expectBogus(
            DNSKEYValidator.validate(dnskeyRRSet, ds: try SignedFixture.p256.ds(), now: Clock.inside, budget: &budget),
            .rrsigsMissing)
    }

    /// DS handling (RFC 4035 §5.2, RFC 4509 §3, RFC 6840 §5.2).
    @Test func dsSelection() throws {
        let zone = try SignedFixture.p256.zone()
        let dnskeyRRSet = try zone.rrset("@", .dnskey)
        let ds = try SignedFixture.p256.ds()
        let sha256 = try #require(ds.first { $0.digestType == .sha256 })
        let sha1 = try #require(ds.first { $0.digestType == .sha1 })
        var budget = ValidationBudget()
        func validate(
            _ records: [DS], support: AlgorithmSupport = .system
        ) -> ValidationOutcome<DNSKEYValidator.ValidatedKeys> {
            DNSKEYValidator.validate(dnskeyRRSet, ds: records, now: Clock.inside, support: support, budget: &budget)
        }
        #expect(validate([sha256]).status == .secure)
        #expect(validate([sha1]).status == .secure)
        // A DS with no matching key: EDE 9.
        var wrong = sha256
        wrong.digest[5] ^= 0xFF
        expectBogus(validate([wrong]), .dnskeyMissing)
        // RFC 4509 §3: with a SHA-256 DS present, the (correct) SHA-1 DS is ignored.
        expectBogus(validate([sha1, wrong]), .dnskeyMissing)
        // Unsupported algorithm (253, private) or digest type (3, GOST) only: insecure with EDE 1 or 2.
        var privateAlgorithm = sha256
        privateAlgorithm.algorithm = .privateDNS
        let insecureAlgorithm = validate([privateAlgorithm])
        #expect(insecureAlgorithm.status == .insecure)
        #expect(insecureAlgorithm.reason?.code == .unsupportedDNSKEYAlgorithm)
        #expect(insecureAlgorithm.reason?.status == .insecure)
        var dsa = sha256
        dsa.algorithm = .dsa
        #expect(validate([dsa]).reason?.code == .unsupportedDNSKEYAlgorithm)
        var gost = sha256
        gost.digestType = DigestType(3)
        let insecureDigest = validate([gost])
        #expect(insecureDigest.status == .insecure)
        #expect(insecureDigest.reason?.code == .unsupportedDSDigestType)
        #expect(insecureDigest.reason?.status == .insecure)
        // A supported DS beside an unsupported one still decides: RFC 6840 §5.11.
        #expect(validate([privateAlgorithm, sha256]).status == .secure)
        // A system whose policy forbids algorithm 13 (the probe's view): insecure, never bogus.
        var noP256 = AlgorithmSupport.system
        noP256.algorithms.remove(13)
        #expect(validate([sha256], support: noP256).status == .insecure)
        // A system without SHA-1 ignores the SHA-1 DS: EDE 2 when it is the only one.
        var noSHA1 = AlgorithmSupport.system
        noSHA1.digestTypes.remove(1)
        #expect(validate([sha1], support: noSHA1).reason?.code == .unsupportedDSDigestType)
    }

    /// A DNSKEY trust anchor authenticates the RRset it appears in; a missing anchor key is EDE 9.
    @Test func dnskeyTrustAnchor() throws {
        let zone = try SignedFixture.p256.zone()
        let dnskeyRRSet = try zone.rrset("@", .dnskey)
        let ksk = try #require(dnskeys(of: dnskeyRRSet).first { $0.isSecureEntryPoint })
        var budget = ValidationBudget()
        let anchor = TrustAnchor(owner: "alg13.example.", dnskeys: [ksk])
        let outcome = DNSKEYValidator.validate(dnskeyRRSet, anchor: anchor, now: Clock.inside, budget: &budget)
        #expect(outcome.value?.keys.keys.count == 2)
        var otherKey = ksk
        otherKey.publicKey[3] ^= 1
        expectBogus(
            DNSKEYValidator.validate(
                dnskeyRRSet, anchor: TrustAnchor(owner: "alg13.example.", dnskeys: [otherKey]), now: Clock.inside,
                budget: &budget),
            .dnskeyMissing)
        // An anchor for another owner never applies.
        expectBogus(
            DNSKEYValidator.validate(
                dnskeyRRSet, anchor: TrustAnchor(owner: "example.", dnskeys: [ksk]), now: Clock.inside, budget: &budget),
            .dnskeyMissing)
    }

    /// RRSIGs only by unsupported algorithms: insecure when the zone has no supported key (EDE 1), bogus when it
    /// does (a downgrade: RFC 4035 §2.2 requires an RRSIG per algorithm of the DNSKEY RRset).
    @Test func unsupportedSignatureAlgorithms() throws {
        let zone = try SignedFixture.p256.zone()
        var rrset = try zone.rrset("www", .a)
        rrset.signatures[0].algorithm = .privateDNS
        var budget = ValidationBudget()
        let keys = try validatedKeys(.p256)
        expectBogus(RRSetValidator.validate(rrset, keys: keys, now: Clock.inside, budget: &budget), .rrsigsMissing)
        let unsupportedKey = DNSKEY(flags: 256, algorithm: .privateDNS, publicKey: [1, 2, 3])
        let unsupportedZone = ZoneKeySet(zone: "alg13.example.", dnskeys: [unsupportedKey])
        let outcome = RRSetValidator.validate(rrset, keys: unsupportedZone, now: Clock.inside, budget: &budget)
        #expect(outcome.status == .insecure)
        #expect(outcome.reason?.code == .unsupportedDNSKEYAlgorithm)
        #expect(outcome.reason?.status == .insecure)
    }

    /// The single-RRSIG entry point reports the same verdicts.
    @Test func singleSignature() throws {
        let zone = try SignedFixture.p256.zone()
        let keys = try validatedKeys(.p256)
        let rrset = try zone.rrset("Mixed", .txt)
        var budget = ValidationBudget()
        let outcome = RRSIGVerifier.verify(
            rrset.signatures[0], over: rrset, keys: keys, now: Clock.inside, budget: &budget)
        #expect(outcome.status == .secure)
        #expect(budget.verificationsPerformed == 1)
    }
}
