// Primary responsibilities: the published DNSSEC examples end to end through records — RFC 5702 §6, RFC 6605
// §6, RFC 8080 §6 signatures, RFC 4034 §5.4 and RFC 4509 §2.3 DS, RFC 4034 Appendix B key tags.

import DNSSEC
import DNSWire
import Testing

/// The examples as zone-file text, transcribed from the RFCs.
enum PublishedVectors {
    /// RFC 5702 §6.1 (RSA/SHA-256, key tag 9033).
    static let rfc5702SHA256 = """
        example.net. 3600 IN DNSKEY 256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=
        www.example.net. 3600 IN A 192.0.2.91
        www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. (
            kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg== )
        """
    /// RFC 5702 §6.2 (RSA/SHA-512, key tag 3740).
    static let rfc5702SHA512 = """
        example.net. 3600 IN DNSKEY 256 3 10 ( AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFD
            xj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL )
        www.example.net. 3600 IN A 192.0.2.91
        www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 example.net. (
            tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagY
            JRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw= )
        """
    /// RFC 6605 §6.1 (ECDSA P-256, key tag 55648).
    static let rfc6605P256 = """
        example.net. 3600 IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb
            krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )
        www.example.net. 3600 IN A 192.0.2.1
        www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. (
            qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )
        """
    /// RFC 6605 §6.2 (ECDSA P-384, key tag 10771).
    static let rfc6605P384 = """
        example.net. 3600 IN DNSKEY 257 3 14 ( xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RC
            OpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40 )
        www.example.net. 3600 IN A 192.0.2.1
        www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 20100812102025 10771 example.net. (
            /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz
            WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm )
        """
    /// RFC 8080 §6.1 first example (Ed25519, key tag 3613).
    static let rfc8080Ed25519 = """
        example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
        example.com. 3600 IN MX 10 mail.example.com.
        example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. (
            oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg== )
        """
    /// RFC 8080 §6.2 first example (Ed448, key tag 9713).
    static let rfc8080Ed448 = """
        example.com. 3600 IN DNSKEY 257 3 16 ( 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA )
        example.com. 3600 IN MX 10 mail.example.com.
        example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 9713 example.com. (
            3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07
            +4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA )
        """

    /// One signature example: text, zone, covered type, expected key tag, a time inside its window.
    struct Example: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let zone: DomainName
        let owner: DomainName
        let type: RRType
        let keyTag: UInt16
        let now: UInt32
        var testDescription: String { name }
    }

    /// Every signature example.
    static let examples: [Example] = [
        Example(
            name: "RFC 5702 §6.1 RSASHA256", text: rfc5702SHA256, zone: "example.net.", owner: "www.example.net.",
            type: .a, keyTag: 9033, now: 1_600_000_000),
        Example(
            name: "RFC 5702 §6.2 RSASHA512", text: rfc5702SHA512, zone: "example.net.", owner: "www.example.net.",
            type: .a, keyTag: 3740, now: 1_600_000_000),
        Example(
            name: "RFC 6605 §6.1 ECDSAP256SHA256", text: rfc6605P256, zone: "example.net.",
            owner: "www.example.net.", type: .a, keyTag: 55648, now: 1_282_000_000),
        Example(
            name: "RFC 6605 §6.2 ECDSAP384SHA384", text: rfc6605P384, zone: "example.net.",
            owner: "www.example.net.", type: .a, keyTag: 10771, now: 1_282_000_000),
        Example(
            name: "RFC 8080 §6.1 ED25519", text: rfc8080Ed25519, zone: "example.com.", owner: "example.com.",
            type: .mx, keyTag: 3613, now: 1_439_000_000),
        Example(
            name: "RFC 8080 §6.2 ED448", text: rfc8080Ed448, zone: "example.com.", owner: "example.com.",
            type: .mx, keyTag: 9713, now: 1_439_000_000),
    ]
}

@Suite("Published vectors")
struct PublishedVectorTests {
    /// Each RFC example validates end to end: records parsed, key tag computed, canonical form built, verified;
    /// the TTL is capped by the time left before expiration when that is shorter (RFC 4035 §5.3.3).
    @Test(arguments: PublishedVectors.examples)
    func exampleValidates(example: PublishedVectors.Example) throws {
        let zone = try Zone(text: example.text, origin: example.zone)
        let keyRRSet = try zone.rrset(example.zone.description, .dnskey)
        let key = try #require(dnskeys(of: keyRRSet).first)
        #expect(key.keyTag == example.keyTag)
        let keys = ZoneKeySet(zone: example.zone, dnskeys: [key])
        let rrset = try #require(zone.rrsets.first { $0.name == example.owner && $0.type == example.type })
        var budget = ValidationBudget()
        let outcome = RRSetValidator.validate(rrset, keys: keys, now: example.now, budget: &budget)
        let validated = try #require(outcome.value, "\(outcome.reason?.description ?? "")")
        #expect(validated.keyTag == example.keyTag)
        #expect(validated.wildcard == nil)
        #expect(validated.ttl == 3600)
        #expect(budget.verificationsPerformed == 1)

        // The same data a second before expiration keeps one second of TTL.
        let expiration = try #require(rrset.signatures.first).expiration
        var late = ValidationBudget()
        let lateOutcome = RRSetValidator.validate(rrset, keys: keys, now: expiration - 1, budget: &late)
        #expect(lateOutcome.value?.ttl == 1)

        // One flipped bit in the data makes it bogus with EDE 6.
        var tampered = rrset
        if case .a(let address) = rrset.rdatas[0] {
            tampered.rdatas = [.a(A(address: address.address ^ 1))]
        } else if case .mx(let mx) = rrset.rdatas[0] {
            tampered.rdatas = [.mx(MX(preference: mx.preference + 1, exchange: mx.exchange))]
        }
        expectBogus(RRSetValidator.validate(tampered, keys: keys, now: example.now, budget: &budget), .dnssecBogus)
    }

    /// RFC 4034 §5.4 and RFC 4509 §2.3: the dskey.example.com. key has tag 60485 and the published SHA-1 and
    /// SHA-256 digests.
    @Test func dsExamplesMatch() throws {
        let zone = try Zone(
            text: """
                dskey.example.com. 86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/
                    2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc
                    nOf+EPbtG9DMBmADjFDc2w/rljwvFw== )
                dskey.example.com. 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
                dskey.example.com. 86400 IN DS 60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A
                """, origin: "example.com.")
        let key = try #require(dnskeys(of: try zone.rrset("dskey", .dnskey)).first)
        #expect(key.keyTag == 60485)
        let dsRecords = try zone.rrset("dskey", .ds).rdatas.compactMap { rdata -> DS? in
            if case .ds(let ds) = rdata { return ds }
            return nil
        }
        #expect(dsRecords.count == 2)
        for ds in dsRecords {
            #expect(ds.matches(key, owner: "DSKEY.example.COM."), "owner case must not matter (RFC 4034 §6.2)")
            #expect(!ds.matches(key, owner: "other.example.com."))
            var wrongDigest = ds
            wrongDigest.digest[0] ^= 1
            #expect(!wrongDigest.matches(key, owner: "dskey.example.com."))
            var wrongTag = ds
            wrongTag.keyTag &+= 1
            #expect(!wrongTag.matches(key, owner: "dskey.example.com."))
        }
        // RFC 4034 §5.2: the Zone Key flag is required for a DS match.
        var notZoneKey = key
        notZoneKey.flags = 0
        #expect(!dsRecords[0].matches(notZoneKey, owner: "dskey.example.com."))
    }

    /// RFC 4034 Appendix B.1: for algorithm 1 the tag is bits 8…23 from the end of the modulus; short or empty
    /// keys never trap.
    @Test func rsaMD5KeyTagAndDegenerateKeys() {
        let key = DNSKEY(flags: 256, algorithm: .rsamd5, publicKey: [1, 3, 0xAA, 0xBB, 0x12, 0x34, 0x56])
        #expect(key.keyTag == 0x1234)
        #expect(DNSKEY(flags: 256, algorithm: .rsamd5, publicKey: []).keyTag == 0)
        // Appendix B: odd-length RDATA pads the last octet as the high half of a word.
        let odd = DNSKEY(flags: 0x0101, protocol: 3, algorithm: .ecdsaP256SHA256, publicKey: [0x01])
        #expect(odd.keyTag == 0x0101 &+ 0x030D &+ 0x0100)
    }

    /// RFC 4034 §2.1.1, §2.1.2 and RFC 5011 §2.1: which keys may verify zone data.
    @Test func keyFlagChecks() {
        let good = DNSKEY(flags: 256, algorithm: .ed25519, publicKey: [UInt8](repeating: 7, count: 32))
        #expect(good.zoneSigningUnusableReason == nil)
        var noZone = good
        noZone.flags = 0
        #expect(noZone.zoneSigningUnusableReason != nil)
        var badProtocol = good
        badProtocol.protocol = 2
        #expect(badProtocol.zoneSigningUnusableReason != nil)
        var revoked = good
        revoked.flags |= DNSKEY.revokeFlag
        #expect(revoked.zoneSigningUnusableReason != nil)
        #expect(revoked.keyTag != good.keyTag, "the REVOKE bit changes the key tag (RFC 5011 §3)")
    }
}
