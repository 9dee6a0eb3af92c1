// Primary responsibilities: map a DNSSEC algorithm number to what verification needs (key layout, hash, sizes).

/// How one DNSSEC algorithm number (IANA "DNS Security Algorithm Numbers") is verified.
///
/// Only the algorithms a validator should implement today are here (RFC 8624 §3.1): RSAMD5 (1) and DSA (3, 6)
/// are MUST NOT for validation, and ECC-GOST (12) is MAY with no GOST provider in OpenSSL 3, so
/// `init?(algorithm:)` returns `nil` for them and for unknown numbers.
enum SignatureScheme: Sendable, Equatable {
    /// RSA with PKCS #1 v1.5 padding over the given hash (RFC 3110 §3, RFC 5702 §3); keys must have a modulus
    /// of `minimumModulusBits...maximumModulusBits`.
    case rsa(hash: HashName, minimumModulusBits: Int, maximumModulusBits: Int)

    /// ECDSA over a NIST prime curve with the curve's companion hash; signatures are r ‖ s (RFC 6605 §4).
    case ecdsa(EllipticCurve)

    /// Pure EdDSA (no pre-hash) over an Edwards curve (RFC 8080 §3, §4).
    case eddsa(EdwardsCurve)

    /// The hash functions DNSSEC signatures use, named as libcrypto fetches them.
    enum HashName: Sendable, Equatable {
        /// SHA-1 (RSASHA1, RSASHA1-NSEC3-SHA1).
        case sha1
        /// SHA-256 (RSASHA256, ECDSAP256SHA256).
        case sha256
        /// SHA-384 (ECDSAP384SHA384).
        case sha384
        /// SHA-512 (RSASHA512).
        case sha512

        /// The shared fetched implementation, `nil` when libcrypto does not provide it.
        var digest: MessageDigest? {
            switch self {
            case .sha1: MessageDigest.sha1
            case .sha256: MessageDigest.sha256
            case .sha384: MessageDigest.sha384
            case .sha512: MessageDigest.sha512
            }
        }
    }

    /// The two ECDSA curves of RFC 6605.
    enum EllipticCurve: Sendable, Equatable {
        /// P-256 with SHA-256 (algorithm 13).
        case p256
        /// P-384 with SHA-384 (algorithm 14).
        case p384

        /// Octets in one coordinate, and in each of r and s (RFC 6605 §4: 32 for P-256, 48 for P-384).
        var coordinateLength: Int {
            switch self {
            case .p256: 32
            case .p384: 48
            }
        }

        /// The OpenSSL group name for `OSSL_PKEY_PARAM_GROUP_NAME` (a literal: its storage must be static).
        var groupName: StaticString {
            switch self {
            case .p256: "prime256v1"
            case .p384: "secp384r1"
            }
        }

        /// The hash RFC 6605 §4 pairs with the curve.
        var hash: HashName {
            switch self {
            case .p256: .sha256
            case .p384: .sha384
            }
        }
    }

    /// The two EdDSA curves of RFC 8080.
    enum EdwardsCurve: Sendable, Equatable {
        /// Ed25519 (algorithm 15): 32-octet keys, 64-octet signatures (RFC 8080 §3, §4).
        case ed25519
        /// Ed448 (algorithm 16): 57-octet keys, 114-octet signatures (RFC 8080 §3, §4).
        case ed448

        /// Length of the public key field (RFC 8080 §3).
        var publicKeyLength: Int {
            switch self {
            case .ed25519: 32
            case .ed448: 57
            }
        }

        /// Length of the signature field (RFC 8080 §4).
        var signatureLength: Int {
            switch self {
            case .ed25519: 64
            case .ed448: 114
            }
        }

        /// The OpenSSL key type name for `EVP_PKEY_new_raw_public_key_ex`.
        var keyTypeName: String {
            switch self {
            case .ed25519: "ED25519"
            case .ed448: "ED448"
            }
        }
    }

    /// Looks up an algorithm number; `nil` for anything this module does not (and should not) verify.
    ///
    /// RSA bounds: RFC 5702 §2.1 for 8 (512–4096 bits) and 10 (1024–4096 bits); RFC 3110 §2 lets RSASHA1 keys
    /// range from 512 to 4096 bits, which 5 and 7 keep.
    init?(algorithm: UInt8) {
        switch algorithm {
        case 5, 7: self = .rsa(hash: .sha1, minimumModulusBits: 512, maximumModulusBits: 4096)
        case 8: self = .rsa(hash: .sha256, minimumModulusBits: 512, maximumModulusBits: 4096)
        case 10: self = .rsa(hash: .sha512, minimumModulusBits: 1024, maximumModulusBits: 4096)
        case 13: self = .ecdsa(.p256)
        case 14: self = .ecdsa(.p384)
        case 15: self = .eddsa(.ed25519)
        case 16: self = .eddsa(.ed448)
        default: return nil
        }
    }
}
