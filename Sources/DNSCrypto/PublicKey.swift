// Primary responsibilities: a DNSKEY public key decoded once for its algorithm, and RRSIG signature verification
// with it. Decoding lives in PublicKey+Decoding.swift, the ECDSA signature encoding in ECDSASignature.swift.

internal import COpenSSL
import DNSWire

/// A DNSKEY public key decoded for its DNSSEC algorithm, ready to verify RRSIG signatures (RFC 4034 §2.1.4,
/// RFC 4035 §5.3.3).
///
/// Decode a key once and keep it: the value is cheap to copy, `Sendable`, and safe to use from many threads at
/// once, so a key cache can hand the same `PublicKey` to every validation that needs it.
///
/// Supported algorithms (RFC 8624 §3.1): 5 RSASHA1 and 7 RSASHA1-NSEC3-SHA1 (RFC 3110), 8 RSASHA256 and
/// 10 RSASHA512 (RFC 5702), 13 ECDSAP256SHA256 and 14 ECDSAP384SHA384 (RFC 6605), 15 ED25519 and 16 ED448
/// (RFC 8080). Whether *this* libcrypto allows each one at run time is a separate question that
/// ``CryptoSupport`` answers; a validator should consult it before treating a failed verification as bogus.
public struct PublicKey: Sendable {
    /// The DNSSEC algorithm number the key was decoded for (RFC 4034 §2.1.3).
    public let algorithm: UInt8

    /// The key size in bits: the RSA modulus length (RFC 3110 §2), or the curve size for ECDSA (256, 384;
    /// RFC 6605 §4) and EdDSA (256 for Ed25519, 456 for Ed448; RFC 8080 §3).
    public let keySize: Int

    /// The relative CPU cost of one verification with this key, for a KeyTrap budget (see ``VerificationCost``).
    public let verificationCost: VerificationCost

    /// How signatures for ``algorithm`` are checked.
    let scheme: SignatureScheme

    /// The decoded libcrypto key, shared by every copy of this value.
    let storage: EVPPublicKey

    /// Decodes the public key field of a DNSKEY RR for a DNSSEC algorithm.
    ///
    /// Layouts: RSA is RFC 3110 §2 (exponent length in one octet, or zero and then two octets; exponent;
    /// modulus); ECDSA is x ‖ y, 64 or 96 octets (RFC 6605 §4); EdDSA is the 32- or 57-octet encoded point
    /// (RFC 8080 §3).
    ///
    /// - Parameters:
    ///   - algorithm: the DNSKEY Algorithm field (RFC 4034 §2.1.3).
    ///   - publicKey: the DNSKEY Public Key field (RFC 4034 §2.1.4), exactly as on the wire.
    /// - Throws: ``DNSCryptoError`` with code `unsupportedAlgorithm` for algorithms outside the list above
    ///   (RSAMD5, DSA and GOST included, RFC 8624 §3.1), `malformedPublicKey` for a field that does not fit its
    ///   layout or that libcrypto rejects (an EC point not on the curve, for instance), `keySizeOutOfRange` for
    ///   RSA moduli outside RFC 5702 §2.1's bounds, and `libraryFailure` if libcrypto cannot allocate.
    public init(algorithm: UInt8, publicKey: [UInt8]) throws(DNSCryptoError) {
        guard let scheme = SignatureScheme(algorithm: algorithm) else {
            throw DNSCryptoError(
                .unsupportedAlgorithm,
                "DNSSEC algorithm \(algorithm) (\(DNSSECAlgorithm(algorithm))) is not implemented"
            )
        }
        let decoded = try publicKey.withUnsafeBufferPointer { bytes throws(DNSCryptoError) in
            try Self.decode(scheme: scheme, bytes)
        }
        self.algorithm = algorithm
        self.scheme = scheme
        self.keySize = decoded.keySize
        self.verificationCost = VerificationCost(algorithm: algorithm, keySize: decoded.keySize)
            .scaled(byExponentMultiplications: decoded.exponentMultiplications)
        self.storage = decoded.key
    }

    /// Verifies an RRSIG signature over its signed data (RFC 4034 §3.1.8.1, RFC 4035 §5.3.3).
    ///
    /// The caller builds the signed data: RRSIG RDATA without the Signature field, followed by the RRset in
    /// canonical form. The hash is the algorithm's (SHA-1, SHA-256, SHA-512 for RSA; SHA-256 or SHA-384 for
    /// ECDSA; none for EdDSA, which signs the message itself). ECDSA signatures are r ‖ s (RFC 6605 §4) and must
    /// be exactly 64 or 96 octets; EdDSA signatures 64 or 114 octets (RFC 8080 §4).
    ///
    /// Never traps on any input. A malformed signature, a wrong signature, and an operation libcrypto refuses all
    /// give `false`; use ``CryptoSupport`` to tell an algorithm this system disables from a bogus signature.
    ///
    /// - Parameters:
    ///   - signature: the RRSIG Signature field (RFC 4034 §3.1.8).
    ///   - data: the signed data.
    /// - Returns: `true` only if the signature is valid for `data` under this key.
    public func verify(signature: [UInt8], over data: [UInt8]) -> Bool {
        check(signature: signature, over: data) == .valid
    }

    /// What a verification attempt found; the probe needs to tell `refused` from `invalid`.
    enum Outcome: Equatable {
        /// The signature is valid.
        case valid
        /// The signature is malformed or does not match.
        case invalid
        /// libcrypto would not run the operation (missing hash, policy, FIPS).
        case refused
    }

    /// Verifies and reports why a verification failed; ``verify(signature:over:)`` collapses this to a `Bool`.
    func check(signature: [UInt8], over data: [UInt8]) -> Outcome {
        signature.withUnsafeBufferPointer { signature in
            data.withUnsafeBufferPointer { data in
                check(signature: signature, over: data)
            }
        }
    }

    /// Dispatches on the scheme, rejecting wrong signature lengths before libcrypto sees them.
    private func check(signature: UnsafeBufferPointer<UInt8>, over data: UnsafeBufferPointer<UInt8>) -> Outcome {
        switch scheme {
        case .rsa(let hash, _, _):
            // RFC 3110 §3: the signature is as long as the modulus; longer can never verify, empty is garbage.
            let modulusLength = (keySize + 7) / 8
            guard !signature.isEmpty, signature.count <= modulusLength else { return .invalid }
            guard signature.count < modulusLength else {
                return hashThenVerify(hash: hash, signature: signature, data: data)
            }
            // A signer that dropped leading zero octets (the value is the same integer) would be refused by
            // libcrypto's exact-length check, so restore them.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: modulusLength) { padded in
                let zeros = modulusLength - signature.count
                for index in 0..<zeros { padded[index] = 0 }
                for (index, octet) in signature.enumerated() { padded[zeros + index] = octet }
                return hashThenVerify(hash: hash, signature: UnsafeBufferPointer(padded), data: data)
            }
        case .ecdsa(let curve):
            guard signature.count == 2 * curve.coordinateLength else { return .invalid }
            return ECDSASignature.withDER(rs: signature, coordinateLength: curve.coordinateLength) { der in
                hashThenVerify(hash: curve.hash, signature: der, data: data)
            }
        case .eddsa(let curve):
            guard signature.count == curve.signatureLength else { return .invalid }
            return digestVerify(signature: signature, data: data)
        }
    }

    /// RSA and ECDSA: hash the data, then `EVP_PKEY_verify` the digest with a pooled context.
    ///
    /// This is what `EVP_DigestVerify` does inside, minus creating and initialising a context on every call.
    private func hashThenVerify(
        hash: SignatureScheme.HashName,
        signature: UnsafeBufferPointer<UInt8>,
        data: UnsafeBufferPointer<UInt8>
    ) -> Outcome {
        guard let digest = hash.digest else { return .refused }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            var length: UInt32 = 0
            var empty: UInt8 = 0
            let hashed = withUnsafePointer(to: &empty) { emptyPointer in
                EVP_Digest(data.baseAddress ?? emptyPointer, data.count, buffer.baseAddress, &length, digest.md, nil)
            }
            guard hashed == 1 else {
                ERR_clear_error()
                return .refused
            }
            let result = storage.withVerificationContext { context in
                EVP_PKEY_verify(context, signature.baseAddress, signature.count, buffer.baseAddress, Int(length))
            }
            guard let result else { return .refused }
            guard result == 1 else {
                ERR_clear_error()
                return .invalid
            }
            return .valid
        }
    }

    /// EdDSA: one-shot `EVP_DigestVerify` with a fresh context, hashing inside (RFC 8032 §5.1.7, §5.2.7).
    ///
    /// Context set-up is cheap next to an EdDSA verification (measured within 5 %), so EdDSA keys keep no pool.
    private func digestVerify(signature: UnsafeBufferPointer<UInt8>, data: UnsafeBufferPointer<UInt8>) -> Outcome {
        guard let context = EVP_MD_CTX_new() else { return .refused }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, storage.pkey) == 1 else {
            ERR_clear_error()
            return .refused
        }
        // libcrypto wants a non-null pointer even for empty signed data.
        var empty: UInt8 = 0
        let result = withUnsafePointer(to: &empty) { emptyPointer in
            EVP_DigestVerify(
                context, signature.baseAddress, signature.count, data.baseAddress ?? emptyPointer, data.count)
        }
        guard result == 1 else {
            ERR_clear_error()
            return .invalid
        }
        return .valid
    }
}
