// Primary responsibilities: the key tag of a DNSKEY (RFC 4034 Appendix B, with the algorithm 1 special case of
// Appendix B.1) and the flag and protocol checks that decide whether a DNSKEY may verify zone data.

public import DNSWire

extension DNSKEY {
    /// The key tag of this key (RFC 4034 Appendix B): the 16-bit ones'-complement-like sum of the RDATA taken
    /// as big-endian 16-bit words, carries folded in once.
    ///
    /// For algorithm 1 (RSA/MD5) the tag is instead the most significant 16 of the least significant 24 bits
    /// of the modulus, which ends the public key field (RFC 4034 Appendix B.1). Tags are a hint, not an
    /// identity: different keys may share one (RFC 6840 §5.5). Never traps, whatever the field holds.
    public var keyTag: UInt16 {
        if algorithm == .rsamd5 {
            // The modulus is the last field of the RFC 3110 layout; its bits 8…23 from the end are the tag.
            guard publicKey.count >= 3 else { return 0 }
            return UInt16(publicKey[publicKey.count - 3]) << 8 | UInt16(publicKey[publicKey.count - 2])
        }
        var accumulator: UInt32 = UInt32(flags) + (UInt32(`protocol`) << 8 | UInt32(algorithm.rawValue))
        var index = 0
        // Bounded by the key's length, at most 65531 octets.
        while index + 1 < publicKey.count {
            accumulator &+= UInt32(publicKey[index]) << 8 | UInt32(publicKey[index + 1])
            index += 2
        }
        if index < publicKey.count { accumulator &+= UInt32(publicKey[index]) << 8 }
        accumulator &+= accumulator >> 16 & 0xFFFF
        return UInt16(truncatingIfNeeded: accumulator)
    }

    /// Why this key may not verify signatures over zone data, or `nil` when it may.
    ///
    /// A key must have the Zone Key flag (RFC 4034 §2.1.1: "If bit 7 has value 0, then the DNSKEY record holds
    /// some other type of DNS public key and MUST NOT be used to verify RRSIGs that cover RRsets"), Protocol 3
    /// (RFC 4034 §2.1.2: otherwise "MUST be treated as invalid during signature verification"), and must not be
    /// revoked (RFC 5011 §2.1: a revoked key validates nothing but its own revocation self-signature, which
    /// the RFC 5011 state machine checks separately).
    public var zoneSigningUnusableReason: String? {
        if !isZoneKey { return "the Zone Key flag is clear (RFC 4034 §2.1.1)" }
        if `protocol` != 3 { return "protocol is \(`protocol`), not 3 (RFC 4034 §2.1.2)" }
        if isRevoked { return "the key is revoked (RFC 5011 §2.1)" }
        return nil
    }
}
