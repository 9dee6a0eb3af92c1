// Primary responsibilities: the iterated NSEC3 owner-name hash of RFC 5155 §5, cheaply enough to run hundreds
// of times per response (CVE-2023-50868).

internal import COpenSSL

/// The NSEC3 hash of an owner name (RFC 5155 §5).
///
/// `IH(salt, x, 0) = H(x ‖ salt)` and `IH(salt, x, k) = H(IH(salt, x, k − 1) ‖ salt)`, with H = SHA-1 (hash
/// algorithm 1, RFC 5155 §11), so `iterations` additional hashes follow the first. Each call uses one hashing
/// context for every round, writes each round's digest over the previous one and takes its inputs straight from
/// the caller's buffers: no Swift allocation but the 20-octet result. libcrypto 3.0 itself allocates one small
/// provider context per round (re-initialising an `EVP_MD_CTX` frees and recreates it; measured 13 allocations
/// for 10 iterations, about 90 ns a round). The deprecated low-level `SHA1_Update` would avoid that but bypasses
/// the provider machinery the algorithm probe and FIPS rely on, so it is not used.
///
/// Iteration counts are not limited here: the wire field allows up to 65535, and RFC 9276 §3.2 leaves the policy
/// (treat high counts as insecure) to the validator, which must check before calling.
public enum NSEC3Hash {
    /// Octets in an NSEC3 SHA-1 hash (RFC 5155 §3.1.5 with algorithm 1); 32 characters in Base32hex.
    public static let hashLength = 20

    /// Computes the NSEC3 hash of an owner name (RFC 5155 §5).
    ///
    /// - Parameters:
    ///   - algorithm: the NSEC3 Hash Algorithm field; only 1 (SHA-1) is defined (RFC 5155 §11).
    ///   - ownerName: the owner name in uncompressed wire form, already lowercased (RFC 5155 §5: "canonical
    ///     form"), root label included; at most 255 octets (RFC 1035 §2.3.4).
    ///   - salt: the Salt field, at most 255 octets (RFC 5155 §3.1.5).
    ///   - iterations: the Iterations field: hashes after the first (RFC 5155 §3.1.3).
    /// - Returns: the 20-octet hash, to compare with NSEC3 owner labels after Base32hex decoding.
    /// - Throws: ``DNSCryptoError`` `unsupportedDigestType` for algorithms other than 1, `inputTooLong` for
    ///   oversized names or salts, `libraryFailure` if libcrypto refuses SHA-1.
    public static func hash(
        algorithm: UInt8 = 1,
        ownerName: [UInt8],
        salt: [UInt8],
        iterations: UInt16
    ) throws(DNSCryptoError) -> [UInt8] {
        guard algorithm == 1 else {
            throw DNSCryptoError(.unsupportedDigestType, "NSEC3 hash algorithm \(algorithm) is not defined")
        }
        guard ownerName.count <= 255 else {
            throw DNSCryptoError(.inputTooLong, "owner name of \(ownerName.count) octets exceeds 255")
        }
        guard salt.count <= 255 else {
            throw DNSCryptoError(.inputTooLong, "NSEC3 salt of \(salt.count) octets exceeds 255")
        }
        guard let sha1 = MessageDigest.sha1, let context = EVP_MD_CTX_new() else {
            throw DNSCryptoError(.libraryFailure, "libcrypto does not provide SHA-1 for NSEC3")
        }
        defer { EVP_MD_CTX_free(context) }
        var succeeded = false
        let output = ownerName.withUnsafeBytes { name in
            salt.withUnsafeBytes { salt in
                [UInt8](unsafeUninitializedCapacity: hashLength) { digest, count in
                    let digestBytes = UnsafeRawBufferPointer(digest)
                    guard round(context, sha1.md, name, salt, into: digest) else { return }
                    for _ in 0..<iterations {
                        guard round(context, sha1.md, digestBytes, salt, into: digest) else { return }
                    }
                    count = hashLength
                    succeeded = true
                }
            }
        }
        guard succeeded else {
            ERR_clear_error()
            throw DNSCryptoError(.libraryFailure, "libcrypto refused SHA-1 for NSEC3")
        }
        return output
    }

    /// One round: `digest = SHA-1(input ‖ salt)`; `input` may alias `digest`, which is only written at the end.
    private static func round(
        _ context: OpaquePointer,
        _ md: OpaquePointer,
        _ input: UnsafeRawBufferPointer,
        _ salt: UnsafeRawBufferPointer,
        into digest: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        var length: UInt32 = 0
        return EVP_DigestInit_ex2(context, md, nil) == 1
            && EVP_DigestUpdate(context, input.baseAddress, input.count) == 1
            && EVP_DigestUpdate(context, salt.baseAddress, salt.count) == 1
            && EVP_DigestFinal_ex(context, digest.baseAddress, &length) == 1
            && length == hashLength
    }
}
