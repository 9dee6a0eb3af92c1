// Primary responsibilities: turn a DNSKEY public key field into a libcrypto key, checking its layout and size
// first so that no input can make libcrypto (or this code) misbehave.

internal import COpenSSL

extension PublicKey {
    /// A decoded key with the facts the verifier and the cost model need.
    struct Decoded {
        /// The libcrypto key.
        let key: EVPPublicKey
        /// Key size in bits (RSA modulus, or curve size).
        let keySize: Int
        /// Modular multiplications the RSA public exponent takes, squarings included (17 for 65537; 0 for other
        /// algorithms); larger exponents cost more.
        let exponentMultiplications: Int
    }

    /// The largest RSA public exponent accepted, in bits.
    ///
    /// RFC 3110 §2 allows up to 4096 bits, but verification time grows with the exponent's length, so a huge
    /// exponent is a cheap way for a zone to make validators burn CPU (KeyTrap). Real keys use 65537 (17 bits);
    /// OpenSSL itself refuses exponents over 64 bits for moduli above 3072 bits (`RSA_MAX_PUBEXP_BITS`), and
    /// this applies the same bound to every size.
    static let maximumExponentBits = 64

    /// Decodes `bytes` for `scheme`.
    static func decode(scheme: SignatureScheme, _ bytes: UnsafeBufferPointer<UInt8>) throws(DNSCryptoError) -> Decoded {
        switch scheme {
        case .rsa(let hash, let minimumBits, let maximumBits):
            return try decodeRSA(
                bytes,
                hash: hash,
                minimumModulusBits: minimumBits,
                maximumModulusBits: maximumBits
            )
        case .ecdsa(let curve):
            return try decodeECDSA(bytes, curve: curve)
        case .eddsa(let curve):
            return try decodeEdDSA(bytes, curve: curve)
        }
    }

    // MARK: - RSA (RFC 3110 §2)

    /// Splits an RFC 3110 §2 RSA key into exponent and modulus and builds the libcrypto key.
    ///
    /// The first octet is the exponent length; if it is zero, the length is in the next two octets (for
    /// exponents over 255 octets). Empty exponents and moduli are rejected, and so are exponents that are zero,
    /// one, even or longer than ``maximumExponentBits`` (no valid or affordable key has one). Leading zero octets,
    /// which RFC 3110 prohibits, are tolerated and ignored when measuring the modulus.
    private static func decodeRSA(
        _ bytes: UnsafeBufferPointer<UInt8>,
        hash: SignatureScheme.HashName,
        minimumModulusBits: Int,
        maximumModulusBits: Int
    ) throws(DNSCryptoError) -> Decoded {
        guard let first = bytes.first else {
            throw DNSCryptoError(.malformedPublicKey, "RSA key is empty")
        }
        var offset = 1
        var exponentLength = Int(first)
        if first == 0 {
            guard bytes.count >= 3 else {
                throw DNSCryptoError(.malformedPublicKey, "RSA key ends inside its three-octet exponent length")
            }
            exponentLength = Int(bytes[1]) << 8 | Int(bytes[2])
            offset = 3
        }
        guard exponentLength > 0 else {
            throw DNSCryptoError(.malformedPublicKey, "RSA key has a zero-length exponent")
        }
        guard bytes.count - offset > exponentLength else {
            throw DNSCryptoError(
                .malformedPublicKey,
                "RSA key of \(bytes.count) octets has no room for a \(exponentLength)-octet exponent and a modulus"
            )
        }
        let exponent = UnsafeBufferPointer(rebasing: bytes[offset..<offset + exponentLength])
        let modulus = UnsafeBufferPointer(rebasing: bytes[(offset + exponentLength)...])

        let exponentBits = significantBits(exponent)
        guard exponentBits > 0 else {
            throw DNSCryptoError(.malformedPublicKey, "RSA exponent is zero")
        }
        guard exponentBits <= maximumExponentBits else {
            throw DNSCryptoError(
                .keySizeOutOfRange,
                "RSA exponent of \(exponentBits) bits exceeds \(maximumExponentBits) bits"
            )
        }
        guard exponentBits > 1, exponent.last! & 1 == 1 else {
            throw DNSCryptoError(.malformedPublicKey, "RSA exponent must be odd and at least 3")
        }
        let modulusBits = significantBits(modulus)
        guard modulusBits > 0 else {
            throw DNSCryptoError(.malformedPublicKey, "RSA modulus is zero")
        }
        guard (minimumModulusBits...maximumModulusBits).contains(modulusBits) else {
            throw DNSCryptoError(
                .keySizeOutOfRange,
                "RSA modulus of \(modulusBits) bits is outside \(minimumModulusBits)...\(maximumModulusBits) bits"
            )
        }
        guard modulus.last! & 1 == 1 else {
            throw DNSCryptoError(.malformedPublicKey, "RSA modulus is even")
        }
        let key = try makeRSAKey(modulus: modulus, exponent: exponent, hash: hash)
        let setBits = exponent.reduce(0) { $0 + $1.nonzeroBitCount }
        return Decoded(key: key, keySize: modulusBits, exponentMultiplications: exponentBits - 1 + setBits - 1)
    }

    /// Counts the bits of a big-endian unsigned integer, ignoring leading zero octets.
    private static func significantBits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let index = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (bytes.count - index - 1) * 8 + (8 - bytes[index].leadingZeroBitCount)
    }

    /// Builds an RSA `EVP_PKEY` from modulus and exponent through `EVP_PKEY_fromdata` (the OpenSSL 3 way).
    private static func makeRSAKey(
        modulus: UnsafeBufferPointer<UInt8>,
        exponent: UnsafeBufferPointer<UInt8>,
        hash: SignatureScheme.HashName
    ) throws(DNSCryptoError) -> EVPPublicKey {
        guard let n = BN_bin2bn(modulus.baseAddress, Int32(modulus.count), nil) else {
            throw libraryFailure("BN_bin2bn(modulus)")
        }
        defer { BN_free(n) }
        guard let e = BN_bin2bn(exponent.baseAddress, Int32(exponent.count), nil) else {
            throw libraryFailure("BN_bin2bn(exponent)")
        }
        defer { BN_free(e) }
        return try makeKey(type: "RSA", signatureDigest: hash.digest) { builder in
            OSSL_PARAM_BLD_push_BN(builder, cString("n"), n) == 1  // OSSL_PKEY_PARAM_RSA_N
                && OSSL_PARAM_BLD_push_BN(builder, cString("e"), e) == 1  // OSSL_PKEY_PARAM_RSA_E
        }
    }

    // MARK: - ECDSA (RFC 6605 §4)

    /// Builds a P-256 or P-384 key from the 64- or 96-octet x ‖ y field (RFC 6605 §4).
    ///
    /// libcrypto receives the uncompressed SEC 1 point (0x04 ‖ x ‖ y) and checks that it lies on the curve, so a
    /// right-length field of garbage fails here rather than at every verification.
    private static func decodeECDSA(
        _ bytes: UnsafeBufferPointer<UInt8>,
        curve: SignatureScheme.EllipticCurve
    ) throws(DNSCryptoError) -> Decoded {
        let expected = 2 * curve.coordinateLength
        guard bytes.count == expected else {
            throw DNSCryptoError(
                .malformedPublicKey,
                "ECDSA \(curve) key is \(bytes.count) octets, expected \(expected)"
            )
        }
        var point = [UInt8](repeating: 0x04, count: 1)
        point.append(contentsOf: bytes)
        let key = try point.withUnsafeBufferPointer { point throws(DNSCryptoError) in
            try makeKey(type: "EC", signatureDigest: curve.hash.digest) { builder in
                // OSSL_PKEY_PARAM_GROUP_NAME, OSSL_PKEY_PARAM_PUB_KEY
                OSSL_PARAM_BLD_push_utf8_string(builder, cString("group"), cString(curve.groupName), 0) == 1
                    && OSSL_PARAM_BLD_push_octet_string(
                        builder,
                        cString("pub"),
                        point.baseAddress,
                        point.count
                    ) == 1
            }
        }
        return Decoded(key: key, keySize: curve.coordinateLength * 8, exponentMultiplications: 0)
    }

    // MARK: - EdDSA (RFC 8080 §3)

    /// Builds an Ed25519 or Ed448 key from its 32- or 57-octet encoding (RFC 8080 §3, RFC 8032 §5.1.2/§5.2.2).
    private static func decodeEdDSA(
        _ bytes: UnsafeBufferPointer<UInt8>,
        curve: SignatureScheme.EdwardsCurve
    ) throws(DNSCryptoError) -> Decoded {
        guard bytes.count == curve.publicKeyLength else {
            throw DNSCryptoError(
                .malformedPublicKey,
                "\(curve.keyTypeName) key is \(bytes.count) octets, expected \(curve.publicKeyLength)"
            )
        }
        guard let pkey = EVP_PKEY_new_raw_public_key_ex(nil, curve.keyTypeName, nil, bytes.baseAddress, bytes.count)
        else {
            ERR_clear_error()
            throw DNSCryptoError(.malformedPublicKey, "libcrypto rejected the \(curve.keyTypeName) key")
        }
        return Decoded(key: EVPPublicKey(taking: pkey), keySize: curve.publicKeyLength * 8, exponentMultiplications: 0)
    }

    // MARK: - libcrypto plumbing

    /// Creates a public key of `type` from parameters that `push` adds to an `OSSL_PARAM_BLD`; verification
    /// contexts for it will use `signatureDigest`.
    private static func makeKey(
        type: String,
        signatureDigest: MessageDigest?,
        push: (OpaquePointer) -> Bool
    ) throws(DNSCryptoError) -> EVPPublicKey {
        guard let builder = OSSL_PARAM_BLD_new() else { throw libraryFailure("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let parameters = OSSL_PARAM_BLD_to_param(builder) else {
            throw libraryFailure("building \(type) key parameters")
        }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw libraryFailure("EVP_PKEY_CTX_new_from_name(\(type))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &pkey, COpenSSL_EVP_PKEY_PUBLIC_KEY(), parameters) == 1,
            let pkey
        else {
            ERR_clear_error()
            throw DNSCryptoError(.malformedPublicKey, "libcrypto rejected the \(type) key (EVP_PKEY_fromdata)")
        }
        return EVPPublicKey(taking: pkey, signatureDigest: signatureDigest)
    }

    /// A C string pointer to a static string literal.
    ///
    /// `OSSL_PARAM_BLD` keeps the key and string pointers it is given until `OSSL_PARAM_BLD_to_param`, so they
    /// must outlive the push call; a bridged Swift `String` would dangle, a literal's storage never does.
    private static func cString(_ literal: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Clears libcrypto's error queue and describes the failed step.
    private static func libraryFailure(_ step: String) -> DNSCryptoError {
        ERR_clear_error()
        return DNSCryptoError(.libraryFailure, "libcrypto: \(step) failed")
    }
}
