// Primary responsibilities: fetch each hash implementation from libcrypto once, and hash bytes with it.

internal import COpenSSL

/// A hash function fetched once from libcrypto's default provider and shared by every thread.
///
/// OpenSSL 3 looks algorithms up by name through its provider machinery; fetching explicitly and keeping the
/// `EVP_MD` avoids repeating that lookup (and its locks) on every verification and NSEC3 iteration.
/// `@unchecked Sendable` because the only state is an `EVP_MD` that is never modified after the fetch, and
/// OpenSSL documents fetched algorithm objects as safe to share between threads.
final class MessageDigest: @unchecked Sendable {
    /// The fetched algorithm; non-nil for the object's whole life, freed in `deinit`.
    let md: OpaquePointer

    /// The digest length in octets (20 for SHA-1, 32 for SHA-256, 48 for SHA-384, 64 for SHA-512).
    let outputLength: Int

    /// Fetches `name` ("SHA1", "SHA256", …); `nil` if this libcrypto does not offer it (FIPS, policy).
    private init?(name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            ERR_clear_error()
            return nil
        }
        self.md = md
        self.outputLength = Int(EVP_MD_get_size(md))
    }

    /// Releases the fetched algorithm.
    deinit {
        EVP_MD_free(md)
    }

    /// SHA-1 (FIPS 180-4): RSASHA1 signatures (RFC 3110), DS digest type 1 (RFC 4034 §5.1.4), NSEC3 (RFC 5155).
    static let sha1 = MessageDigest(name: "SHA1")

    /// SHA-256: RSASHA256 (RFC 5702 §3), ECDSAP256SHA256 (RFC 6605 §4), DS digest type 2 (RFC 4509 §2.1).
    static let sha256 = MessageDigest(name: "SHA256")

    /// SHA-384: ECDSAP384SHA384 (RFC 6605 §4) and DS digest type 4 (RFC 6605 §2).
    static let sha384 = MessageDigest(name: "SHA384")

    /// SHA-512: RSASHA512 (RFC 5702 §3).
    static let sha512 = MessageDigest(name: "SHA512")

    /// Hashes `data` in one call.
    ///
    /// - Returns: the digest, or `nil` if libcrypto refused (the error queue is cleared).
    func hash(_ data: UnsafeRawBufferPointer) -> [UInt8]? {
        var size: UInt32 = 0
        var ok: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: outputLength) { buffer, count in
            ok = EVP_Digest(data.baseAddress, data.count, buffer.baseAddress, &size, md, nil)
            count = ok == 1 ? Int(size) : 0
        }
        guard ok == 1, output.count == outputLength else {
            ERR_clear_error()
            return nil
        }
        return output
    }
}
