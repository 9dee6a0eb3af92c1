// Primary responsibilities: checking that a DNSKEY with the REVOKE bit signed the DNSKEY RRset it is published
// in (RFC 5011 §2.1) — the one signature a revoked key may still verify, which the general verifier refuses.

internal import DNSCrypto
internal import DNSWire

/// The self-signature check behind RFC 5011 revocation.
///
/// ``RRSIGVerifier`` rejects revoked keys outright (RFC 5011 §2.1: a revoked key validates nothing), so the one
/// exception — the revoked key's RRSIG over the DNSKEY RRset, which proves the holder of the key revoked it —
/// is checked here, with the same period and signer rules (RFC 4035 §5.3.1).
enum RevocationSignature {
    /// Most RRSIGs looked at for one revoked key: a bound on work a hostile DNSKEY RRset can cause (KeyTrap,
    /// architecture.md §5), as for ``ValidationLimits/maxRRSIGsPerRRSet``.
    static let maxAttempts = 4

    /// Whether `revoked` (REVOKE bit set) signed `rrset`, the DNSKEY RRset of `zone` that contains it.
    ///
    /// The RRSIG must cover DNSKEY, be signed by `zone`, carry the revoked key's tag (computed with the bit set,
    /// RFC 5011 §2.1) and algorithm, be inside its validity period at `now` (RFC 4035 §5.3.1), and verify with
    /// the key over the canonical RRset (RFC 4034 §3.1.8.1).
    static func isSelfSigned(
        _ revoked: DNSKEY, in rrset: RRSet, zone: DomainName, now: Int64, limits: ValidationLimits
    ) -> Bool {
        guard revoked.isRevoked, revoked.isZoneKey, revoked.protocol == 3, rrset.type == .dnskey,
            rrset.rdatas.contains(.dnskey(revoked))
        else { return false }
        let tag = revoked.keyTag
        let current = SerialNumber(UInt32(truncatingIfNeeded: now))
        var attempts = 0
        for rrsig in rrset.signatures
        where rrsig.typeCovered == .dnskey && rrsig.keyTag == tag && rrsig.algorithm == revoked.algorithm
            && rrsig.signerName == zone
        {
            guard attempts < maxAttempts else { return false }
            attempts += 1
            let inception = SerialNumber(rrsig.inception)
            let expiration = SerialNumber(rrsig.expiration)
            guard inception <= current.adding(limits.clockSkew), current.subtracting(limits.clockSkew) <= expiration
            else { continue }
            guard let key = try? PublicKey(algorithm: revoked.algorithm.rawValue, publicKey: revoked.publicKey) else {
                return false
            }
            if key.verify(signature: rrsig.signature, over: rrset.signedData(for: rrsig)) { return true }
        }
        return false
    }
}
