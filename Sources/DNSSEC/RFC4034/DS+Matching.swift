// Primary responsibilities: whether a DS record refers to a given DNSKEY (RFC 4034 §5.1.4, §5.2): key tag and
// algorithm agree, and the digest of owner name ‖ DNSKEY RDATA equals the DS digest.

internal import DNSCrypto
public import DNSWire

extension DS {
    /// Whether this DS authenticates `dnskey` owned by `owner` (RFC 4034 §5.2).
    ///
    /// The key tag and algorithm must agree (RFC 4034 §5.1.1, §5.1.2), the digest field must have the digest
    /// type's length (RFC 4509 §3 ignores others), and the digest of the owner name in canonical form
    /// (lowercased, RFC 4034 §6.2) followed by the DNSKEY RDATA must equal the DS digest (RFC 4034 §5.1.4).
    /// Keys without the Zone Key flag never match (RFC 4034 §5.2), nor do revoked keys (RFC 5011 §2.1). An
    /// unimplemented digest type or a libcrypto refusal gives `false`; callers filter unsupported digest types
    /// beforehand so that such DS records make the zone insecure rather than bogus.
    ///
    /// - Parameters:
    ///   - dnskey: the candidate key.
    ///   - owner: the DNSKEY's owner name, the zone apex.
    /// - Returns: `true` when the DS refers to this key.
    public func matches(_ dnskey: DNSKEY, owner: DomainName) -> Bool {
        guard keyTag == dnskey.keyTag, algorithm == dnskey.algorithm, dnskey.zoneSigningUnusableReason == nil,
            DSDigest.digestLength(digestType: digestType.rawValue) == digest.count
        else { return false }
        return digestMatches(dnskey, owner: owner)
    }

    /// Compares the digest only, after the caller checked tag, algorithm, flags and length.
    func digestMatches(_ dnskey: DNSKEY, owner: DomainName) -> Bool {
        var writer = WireWriter(capacity: owner.wireBytes.count + 4 + dnskey.publicKey.count)
        writer.writeBytes(owner.lowercased.wireBytes)
        writer.writeUInt16(dnskey.flags)
        writer.writeUInt8(dnskey.protocol)
        writer.writeUInt8(dnskey.algorithm.rawValue)
        writer.writeBytes(dnskey.publicKey)
        guard let computed = try? DSDigest.digest(digestType: digestType.rawValue, of: writer.bytes) else {
            return false
        }
        return computed == digest
    }
}
