// Primary responsibilities: own one libcrypto public key (`EVP_PKEY`), free it exactly once, and keep a few
// ready-to-use verification contexts for it.

internal import COpenSSL
import Synchronization

/// The owner of a decoded libcrypto public key, kept behind ``PublicKey`` so no OpenSSL type is visible outside
/// this module (ARCHITECTURE.md: "Only DNSCrypto imports COpenSSL").
///
/// For the pre-hash schemes (RSA, ECDSA) it also pools initialised `EVP_PKEY_CTX` verification contexts:
/// creating one costs about as much as 15 % of an RSA-2048 verification (measured: 58.6k/s with a fresh context
/// per call against 69.9k/s reusing one, OpenSSL 3.0.19), so reuse keeps a validator near `openssl speed`.
///
/// `@unchecked Sendable` because the key is never modified after creation (OpenSSL 3 documents an `EVP_PKEY` as
/// safe for concurrent read-only use) and each pooled context is used by one thread at a time: it is taken out
/// of the `Mutex`-guarded pool before use and put back after.
final class EVPPublicKey: @unchecked Sendable {
    /// The key; non-nil for the object's whole life, released in `deinit`.
    let pkey: OpaquePointer

    /// The hash verification contexts are initialised with (RSA, ECDSA), or `nil` for EdDSA, which has no pool.
    private let signatureDigest: MessageDigest?

    /// Idle verification contexts, at most ``maximumIdleContexts``.
    private let idleContexts = Mutex<[VerificationContext]>([])

    /// How many idle contexts a key keeps: enough for the worker threads that verify at once, small enough that
    /// a cache of thousands of keys stays cheap (a context is well under a kilobyte).
    static let maximumIdleContexts = 4

    /// An initialised `EVP_PKEY_CTX`, movable between threads because only one thread holds it at a time.
    private struct VerificationContext: @unchecked Sendable {
        /// The context, set up by `EVP_PKEY_verify_init` and `EVP_PKEY_CTX_set_signature_md`.
        let pointer: OpaquePointer
    }

    /// Takes ownership of a key libcrypto just created.
    ///
    /// - Parameter signatureDigest: the hash for pooled `EVP_PKEY_verify` contexts; `nil` for EdDSA.
    init(taking pkey: OpaquePointer, signatureDigest: MessageDigest? = nil) {
        self.pkey = pkey
        self.signatureDigest = signatureDigest
    }

    /// Releases the pooled contexts and the key.
    deinit {
        for context in idleContexts.withLock({ $0 }) {
            EVP_PKEY_CTX_free(context.pointer)
        }
        EVP_PKEY_free(pkey)
    }

    /// Runs `body` with an initialised verification context, from the pool or new, and pools it afterwards.
    ///
    /// - Returns: `body`'s result, or `nil` if no context could be made (libcrypto refused the key or hash).
    func withVerificationContext<Result>(_ body: (OpaquePointer) -> Result) -> Result? {
        guard let context = idleContexts.withLock({ $0.popLast() }) ?? makeContext() else { return nil }
        let result = body(context.pointer)
        let pooled = idleContexts.withLock { idle in
            guard idle.count < Self.maximumIdleContexts else { return false }
            idle.append(context)
            return true
        }
        if !pooled {
            EVP_PKEY_CTX_free(context.pointer)
        }
        return result
    }

    /// Creates a context ready for `EVP_PKEY_verify` with PKCS #1 v1.5 (RSA's default) or ECDSA.
    private func makeContext() -> VerificationContext? {
        guard let digest = signatureDigest, let context = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else {
            return nil
        }
        guard EVP_PKEY_verify_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, digest.md) == 1 else {
            EVP_PKEY_CTX_free(context)
            ERR_clear_error()
            return nil
        }
        return VerificationContext(pointer: context)
    }
}
