// Primary responsibilities: the KeyTrap (CVE-2023-50387) defences: many keys sharing a key tag, many RRSIGs,
// and the per-query verification and CPU budgets stop validation with bogus, quickly, naming the limit.

import DNSCrypto
import DNSSEC
import DNSWire
import Testing

@Suite("KeyTrap limits")
struct KeyTrapTests {
    /// Distinct Ed25519 keys sharing one key tag: the RFC 8080 §6.1 key with one word raised by k·256 and
    /// another lowered by as much, which leaves the Appendix B sum, hence the tag, unchanged.
    static func collidingKeys(count: Int) -> [DNSKEY] {
        precondition(count <= 100)
        let base = DNSKEY(flags: 256, algorithm: .ed25519, publicKey: base64Key)
        return (1...count).map { k in
            var key = base
            key.publicKey[0] &+= UInt8(k)
            key.publicKey[2] &-= UInt8(k)
            return key
        }
    }

    /// The tag every colliding key shares.
    static var tag: UInt16 { DNSKEY(flags: 256, algorithm: .ed25519, publicKey: base64Key).keyTag }

    /// RFC 8080 §6.1's first Ed25519 key.
    static let base64Key: [UInt8] = hex(
        "97 4d 96 a2 2d 22 4b c0 1a db 91 50 91 47 7d 44 cc d9 1c 9a 41 a1 14 30 01 01 17 d5 2c 59 24 0e")

    /// An RRset signed by nobody, with `count` RRSIGs naming `tag`.
    static func rrset(signatures count: Int, tag: UInt16) -> RRSet {
        let rrsig = RRSIG(
            typeCovered: .a, algorithm: .ed25519, labels: 2, originalTTL: 300, expiration: Clock.expiration,
            inception: 1_767_225_600, keyTag: tag, signerName: "trap.example.",
            signature: [UInt8](repeating: 0x55, count: 64))
        return RRSet(
            name: "www.trap.example.", type: .a, ttl: 300, rdatas: [.a(A(address: 1))],
            signatures: (0..<count).map { index in
                var copy = rrsig
                copy.signature[0] = UInt8(truncatingIfNeeded: index)
                return copy
            })
    }

    @Test func collidingKeysAreCapped() throws {
        let keys = Self.collidingKeys(count: 40)
        #expect(keys.count == 40)
        #expect(Set(keys.map(\.keyTag)) == [Self.tag])
        #expect(Set(keys.map(\.publicKey)).count == 40)
        let set = ZoneKeySet(zone: "trap.example.", dnskeys: keys)
        var budget = ValidationBudget()
        let outcome = RRSetValidator.validate(
            Self.rrset(signatures: 1, tag: Self.tag), keys: set, now: Clock.inside, budget: &budget)
        expectBogus(outcome, .dnssecBogus)
        #expect(outcome.reason?.site == "RKTL")
        #expect(budget.verificationsPerformed == ValidationLimits.default.maxKeysPerKeyTag)
    }

    @Test func manySignaturesAreCapped() throws {
        let keys = Self.collidingKeys(count: 2)
        let set = ZoneKeySet(zone: "trap.example.", dnskeys: keys)
        var budget = ValidationBudget(limits: ValidationLimits(maxSignatureVerifications: 1000))
        let outcome = RRSetValidator.validate(
            Self.rrset(signatures: 100, tag: Self.tag), keys: set, now: Clock.inside,
            limits: ValidationLimits(maxSignatureVerifications: 1000), budget: &budget)
        expectBogus(outcome, .dnssecBogus)
        #expect(outcome.reason?.site == "VMAX")
        #expect(budget.verificationsPerformed == 8 * 2)
    }

    /// The per-query verification budget stops a run of validations; later calls fail at once.
    @Test func queryBudgetIsShared() throws {
        let keys = Self.collidingKeys(count: 4)
        let set = ZoneKeySet(zone: "trap.example.", dnskeys: keys)
        var budget = ValidationBudget()
        var lastOutcome: ValidationOutcome<ValidatedRRSet>? = nil
        for _ in 0..<20 {
            lastOutcome = RRSetValidator.validate(
                Self.rrset(signatures: 8, tag: Self.tag), keys: set, now: Clock.inside, budget: &budget)
        }
        #expect(budget.verificationsPerformed == 32)
        #expect(budget.remainingVerifications == 0)
        let reason = try #require(lastOutcome?.reason)
        #expect(reason.code == .other)
        #expect(reason.detail.contains("maxSignatureVerifications"))
    }

    /// The CPU budget knows P-384 costs far more than RSA-2048: 16 P-384 verifications fit in the default,
    /// the 17th does not, although the count limit (32) is not reached.
    @Test func costBudgetChargesByAlgorithm() throws {
        let zone = try Zone(text: PublishedVectors.rfc6605P384, origin: "example.net.")
        let key = try #require(dnskeys(of: try zone.rrset("@", .dnskey)).first)
        let keys = ZoneKeySet(zone: "example.net.", dnskeys: [key])
        var rrset = try zone.rrset("www", .a)
        rrset.signatures[0].signature[5] ^= 1
        var budget = ValidationBudget()
        var outcome: ValidationOutcome<ValidatedRRSet>? = nil
        for _ in 0..<17 {
            outcome = RRSetValidator.validate(rrset, keys: keys, now: 1_282_000_000, budget: &budget)
        }
        #expect(budget.verificationsPerformed == 16)
        #expect(outcome?.reason?.site == "BCPU")
    }

    /// The whole hostile set is rejected quickly (well under a second even on a slow machine).
    @Test func hostileSetIsQuick() throws {
        let keys = Self.collidingKeys(count: 64)
        let set = ZoneKeySet(zone: "trap.example.", dnskeys: keys)
        let clock = ContinuousClock()
        var budget = ValidationBudget()
        let elapsed = clock.measure {
            for _ in 0..<50 {
                _ = RRSetValidator.validate(
                    Self.rrset(signatures: 64, tag: Self.tag), keys: set, now: Clock.inside, budget: &budget)
            }
        }
        #expect(budget.verificationsPerformed <= 32)
        #expect(elapsed < .seconds(1))
    }
}
