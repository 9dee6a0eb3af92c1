// Primary responsibilities: own one libcrypto public key (`EVP_PKEY`) and free it exactly once.

internal import COpenSSL

/// The owner of a decoded libcrypto public key, kept behind ``PublicKey`` so no OpenSSL type is visible outside
/// this module (ARCHITECTURE.md: "Only DNSCrypto imports COpenSSL").
///
/// `@unchecked Sendable` because the key is never modified after creation: OpenSSL 3 documents an `EVP_PKEY`
/// as safe for concurrent read-only use (each verification makes its own context, which takes a reference).
final class EVPPublicKey: @unchecked Sendable {
    /// The key; non-nil for the object's whole life, released in `deinit`.
    let pkey: OpaquePointer

    /// Takes ownership of a key libcrypto just created.
    init(taking pkey: OpaquePointer) {
        self.pkey = pkey
    }

    /// Releases the key.
    deinit {
        EVP_PKEY_free(pkey)
    }
}
