// Primary responsibilities: the DS record digest (RFC 4034 §5.1.4) for each implemented digest type.

/// The digest a DS record carries, computed over bytes the caller assembles.
///
/// RFC 4034 §5.1.4: digest = hash(DNSKEY owner name in canonical wire form ‖ DNSKEY RDATA). This type only
/// hashes; building the input (and lowercasing the owner name, RFC 4034 §6.2) belongs to the DNSSEC layer.
/// Implemented digest types: 1 SHA-1 (RFC 4034 §5.1.4), 2 SHA-256 (RFC 4509 §2.1) and 4 SHA-384
/// (RFC 6605 §2). Type 3 (GOST R 34.11-94, RFC 5933) is optional for validators (RFC 8624 §3.3, MAY) and not
/// implemented, since OpenSSL 3 ships no GOST provider; unknown types are not implemented either.
public enum DSDigest {
    /// The digest length in octets for a digest type, or `nil` if the type is not implemented.
    ///
    /// A DS whose digest field has a different length can never match (RFC 4509 §3 makes validators ignore
    /// such records), so callers may discard it before hashing.
    public static func digestLength(digestType: UInt8) -> Int? {
        switch digestType {
        case 1: 20
        case 2: 32
        case 4: 48
        default: nil
        }
    }

    /// Computes the DS digest of `data` (owner name ‖ DNSKEY RDATA) for a digest type (RFC 4034 §5.1.4).
    ///
    /// - Parameters:
    ///   - digestType: the DS Digest Type field (RFC 4034 §5.1.3).
    ///   - data: the canonical owner name followed by the DNSKEY RDATA.
    /// - Returns: the digest, 20, 32 or 48 octets.
    /// - Throws: ``DNSCryptoError`` `unsupportedDigestType` for types other than 1, 2 and 4, and
    ///   `libraryFailure` if this libcrypto refuses the hash (``CryptoSupport`` reports that ahead of time).
    public static func digest(digestType: UInt8, of data: [UInt8]) throws(DNSCryptoError) -> [UInt8] {
        let digest: MessageDigest?
        switch digestType {
        case 1: digest = MessageDigest.sha1
        case 2: digest = MessageDigest.sha256
        case 4: digest = MessageDigest.sha384
        default:
            throw DNSCryptoError(.unsupportedDigestType, "DS digest type \(digestType) is not implemented")
        }
        guard let digest else {
            throw DNSCryptoError(.libraryFailure, "libcrypto does not provide DS digest type \(digestType)")
        }
        guard let output = data.withUnsafeBytes({ digest.hash($0) }) else {
            throw DNSCryptoError(.libraryFailure, "libcrypto refused DS digest type \(digestType)")
        }
        return output
    }
}
