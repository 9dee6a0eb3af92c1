// Primary responsibilities: the RFC 5011 fixtures (DNSKEY RRsets of managed.example. signed by ldns-signzone,
// made by Fixtures/make-trust-anchor-fixtures.sh) as named RRsets and keys, and the manual clock of the
// TrustAnchor tests.

import DNSSEC
import DNSWire
import Testing

/// The managed zone of the fixtures and its key sets.
enum Managed {
    /// The zone the fixtures sign.
    static let zone = DomainName(stringLiteral: "managed.example.")
    /// One day in seconds.
    static let day: Int64 = 86400
    /// 2030-01-01 00:00:00 UTC, inside the fixtures' validity period: the manual clock's start.
    static let start = Int64(Clock.inside)

    /// The DNSKEY RRset (with RRSIGs) of `trust-anchor-<set>.signed`.
    static func rrset(_ set: String) throws -> RRSet {
        try Zone(fixture: "trust-anchor-\(set).signed", origin: zone).rrset(zone.description, .dnskey)
    }

    /// The DS record of K1 (`trust-anchor-k1.ds`).
    static func k1DS() throws -> [DS] { try Fixture.ds("trust-anchor-k1", origin: zone) }

    /// The configured anchor the tests start from: K1's DS, as the built-in root anchors are DS records.
    static func initialAnchor() throws -> TrustAnchor { TrustAnchor(owner: zone, ds: try k1DS()) }

    /// K1, the first key-signing key (flags 257).
    static func k1() throws -> DNSKEY {
        try #require(dnskeys(of: try rrset("k1")).first { $0.flags == 257 })
    }

    /// K2, the key rolled in (flags 257).
    static func k2() throws -> DNSKEY {
        try #require(dnskeys(of: try rrset("k2")).first { $0.flags == 257 })
    }

    /// K1 with the REVOKE bit (flags 385).
    static func k1Revoked() throws -> DNSKEY {
        try #require(dnskeys(of: try rrset("k1rev")).first { $0.flags == 385 })
    }

    /// K3, the intruder's key-signing key.
    static func k3() throws -> DNSKEY {
        let k1 = try k1()
        return try #require(dnskeys(of: try rrset("k1-k3-by-k3")).first { $0.flags == 257 && $0 != k1 })
    }

    /// The zone-signing key present in every set.
    static func zsk() throws -> DNSKEY {
        try #require(dnskeys(of: try rrset("k1")).first { $0.flags == 256 })
    }

    /// Whether `anchor` validates `rrset` (RFC 4035 §5.2), as the resolver would use it.
    static func validates(_ rrset: RRSet, from anchor: TrustAnchor?, now: Int64) -> Bool {
        guard let anchor else { return false }
        var budget = ValidationBudget()
        return DNSKEYValidator.validate(rrset, anchor: anchor, now: UInt32(truncatingIfNeeded: now), budget: &budget)
            .status == .secure
    }
}

extension ManagedTrustAnchor {
    /// The state of the tracked key equal to `key` (with or without its REVOKE bit), or nil when untracked.
    func state(of key: DNSKEY) -> ManagedKeyState? {
        keys.first { $0.isSameKey(as: key) }?.state
    }
}
