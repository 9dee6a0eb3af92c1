// Primary responsibilities: the one error type DNSCrypto throws, with a stable code and a readable reason.

public import DNSWire

/// An error from DNSCrypto: a key that cannot be decoded, an algorithm or digest type this module does not
/// implement, or a libcrypto call that failed.
///
/// Errors compare by ``code`` only, so callers can match on the kind of failure while the ``reason`` stays
/// free-form text for logs. Signature *verification* never throws: a wrong or malformed signature is simply
/// `false` (RFC 4035 §5.3.3 treats both the same way: the RRSIG does not validate the RRset).
public struct DNSCryptoError: CodedError {
    /// The kind of failure, stable across releases and suitable for matching.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The backing value; only the static members below are ever created.
        private let rawValue: UInt8

        /// Creates a code from its backing value.
        private init(_ rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// The DNSSEC algorithm number is not one DNSCrypto implements (RFC 8624 §3.1 lists what a validator
        /// must, may and must not implement: RSAMD5 and DSA are MUST NOT, GOST is MAY and absent).
        public static let unsupportedAlgorithm = Code(1)

        /// The DS digest type (RFC 4034 §5.1.3) or NSEC3 hash algorithm (RFC 5155 §3.1.1) is not implemented.
        public static let unsupportedDigestType = Code(2)

        /// The DNSKEY public key field does not have the layout its algorithm requires (RFC 3110 §2,
        /// RFC 6605 §4, RFC 8080 §3).
        public static let malformedPublicKey = Code(3)

        /// The key decodes but its size is outside the accepted range (RFC 5702 §2.1 for RSA/SHA-2).
        public static let keySizeOutOfRange = Code(4)

        /// An input is longer than its wire format allows (for example an owner name over 255 octets,
        /// RFC 1035 §2.3.4, or an NSEC3 salt over 255 octets, RFC 5155 §3.2).
        public static let inputTooLong = Code(5)

        /// libcrypto refused an operation that should have worked, for example because a crypto policy or the
        /// FIPS provider forbids it.
        public static let libraryFailure = Code(6)

        /// The code's name, for logs.
        public var description: String {
            switch rawValue {
            case 1: "unsupportedAlgorithm"
            case 2: "unsupportedDigestType"
            case 3: "malformedPublicKey"
            case 4: "keySizeOutOfRange"
            case 5: "inputTooLong"
            default: "libraryFailure"
            }
        }
    }

    /// What went wrong, for matching.
    public let code: Code

    /// A one-line explanation for logs, naming the offending value and the rule it broke.
    public let reason: String

    /// Creates an error with a code and a readable reason.
    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `code: reason`, for logs.
    public var description: String {
        "\(code): \(reason)"
    }
}
