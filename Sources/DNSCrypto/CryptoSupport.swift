// Primary responsibilities: find out, once per process, which DNSSEC algorithms and digest types this libcrypto
// really allows, by running a known-good verification and digest for each.

import DNSWire

/// What this process's libcrypto can verify and hash, found by trying (RFC 8624 §3.1, §3.3; RFC 6840 §5.2).
///
/// Compiled-in support is not enough: a FIPS provider, or a system crypto policy that forbids SHA-1 signatures,
/// makes some operations fail at run time. Treating such a failure as a bad signature would turn a whole signed
/// zone bogus; RFC 4035 §5.2 and RFC 6840 §5.2 instead say a zone signed only with algorithms the validator does
/// not support is treated as insecure. So at first use the probe verifies one embedded known-good signature per
/// algorithm and computes each digest of a known input, and anything that does not come out right is reported as
/// *unsupported*, never as a failure.
///
/// RSAMD5 (1), DSA (3), DSA-NSEC3-SHA1 (6), ECC-GOST (12) and unknown numbers are always unsupported
/// (RFC 8624 §3.1), and so is DS digest type 3, GOST (RFC 8624 §3.3).
public struct CryptoSupport: Sendable, CustomStringConvertible {
    /// The probe's result for this process, computed on first use (Swift initialises globals once, thread-safely).
    public static let current = CryptoSupport()

    /// The DNSSEC algorithm numbers DNSCrypto implements, in the order the probe reports them.
    public static let implementedAlgorithms: [UInt8] = [5, 7, 8, 10, 13, 14, 15, 16]

    /// The DS digest types DNSCrypto implements (RFC 4034 §5.1.4, RFC 4509, RFC 6605 §2).
    public static let implementedDigestTypes: [UInt8] = [1, 2, 4]

    /// Implemented algorithms that passed the probe.
    public let supportedAlgorithms: Set<UInt8>

    /// Implemented digest types that passed the probe.
    public let supportedDigestTypes: Set<UInt8>

    /// Whether the NSEC3 hash (SHA-1, RFC 5155 §5) reproduced RFC 5155 Appendix A's first hash.
    public let isNSEC3HashSupported: Bool

    /// Why each implemented item that failed the probe is unsupported, keyed by a label such as "algorithm 5".
    public let failures: [String: String]

    /// Whether signatures of a DNSSEC algorithm can be verified here (RFC 8624 §3.1).
    ///
    /// A validator treats RRSIGs by unsupported algorithms as absent, and a zone whose DS RRset lists only
    /// unsupported algorithms as insecure (RFC 4035 §5.2, RFC 6840 §5.2).
    public func isSupported(algorithm: UInt8) -> Bool {
        supportedAlgorithms.contains(algorithm)
    }

    /// Whether a DS digest type can be computed here (RFC 8624 §3.3); DS records of other types are ignored
    /// (RFC 4509 §3, RFC 6840 §5.2).
    public func isSupported(digestType: UInt8) -> Bool {
        supportedDigestTypes.contains(digestType)
    }

    /// One line for the start-up log: each implemented algorithm and digest type, supported or not, with reasons.
    ///
    /// Example: `DNSSEC algorithms: 5 RSASHA1 yes, …; DS digests: 1 SHA-1 yes, …; NSEC3 SHA-1 yes`.
    public var description: String {
        let algorithms = Self.implementedAlgorithms.map { algorithm in
            let name = "\(algorithm) \(DNSSECAlgorithm(algorithm))"
            return isSupported(algorithm: algorithm)
                ? "\(name) yes" : "\(name) no (\(failures["algorithm \(algorithm)"] ?? "?"))"
        }
        let digests = Self.implementedDigestTypes.map { digestType in
            let name = "\(digestType) \(DigestType(digestType))"
            return isSupported(digestType: digestType)
                ? "\(name) yes" : "\(name) no (\(failures["digest type \(digestType)"] ?? "?"))"
        }
        let nsec3 = isNSEC3HashSupported ? "yes" : "no (\(failures["NSEC3"] ?? "?"))"
        return "DNSSEC algorithms: \(algorithms.joined(separator: ", ")); "
            + "DS digests: \(digests.joined(separator: ", ")); NSEC3 SHA-1 \(nsec3)"
    }

    /// Runs the probe: one verification (and one tampered verification) per algorithm, one digest per type.
    init() {
        var failures: [String: String] = [:]
        var algorithms: Set<UInt8> = []
        for algorithm in Self.implementedAlgorithms {
            if let failure = Self.probe(algorithm: algorithm) {
                failures["algorithm \(algorithm)"] = failure
            } else {
                algorithms.insert(algorithm)
            }
        }
        var digestTypes: Set<UInt8> = []
        let expected: [UInt8: String] = [
            1: ProbeVector.sha1OfABC, 2: ProbeVector.sha256OfABC, 4: ProbeVector.sha384OfABC,
        ]
        for digestType in Self.implementedDigestTypes {
            do {
                let digest = try DSDigest.digest(digestType: digestType, of: ProbeVector.digestInput)
                if digest == ProbeVector.bytes(expected[digestType] ?? "") {
                    digestTypes.insert(digestType)
                } else {
                    failures["digest type \(digestType)"] = "wrong digest of a known input"
                }
            } catch {
                failures["digest type \(digestType)"] = error.reason
            }
        }
        var nsec3 = false
        do {
            let hash = try NSEC3Hash.hash(
                ownerName: ProbeVector.bytes(ProbeVector.nsec3Owner),
                salt: [0xAA, 0xBB, 0xCC, 0xDD],
                iterations: 12
            )
            nsec3 = hash == ProbeVector.bytes(ProbeVector.nsec3Hash)
            if !nsec3 { failures["NSEC3"] = "wrong hash for RFC 5155 Appendix A" }
        } catch {
            failures["NSEC3"] = error.reason
        }
        self.supportedAlgorithms = algorithms
        self.supportedDigestTypes = digestTypes
        self.isNSEC3HashSupported = nsec3
        self.failures = failures
    }

    /// Probes one algorithm; returns why it is unsupported, or `nil` if it works.
    ///
    /// The tampered check catches a library that accepts everything, which would be worse than one that
    /// accepts nothing.
    private static func probe(algorithm: UInt8) -> String? {
        let keyHex: String
        let signatureHex: String
        switch algorithm {
        case 5, 7: (keyHex, signatureHex) = (ProbeVector.rsaKey, ProbeVector.rsaSHA1)
        case 8: (keyHex, signatureHex) = (ProbeVector.rsaKey, ProbeVector.rsaSHA256)
        case 10: (keyHex, signatureHex) = (ProbeVector.rsaKey, ProbeVector.rsaSHA512)
        case 13: (keyHex, signatureHex) = (ProbeVector.p256Key, ProbeVector.p256Signature)
        case 14: (keyHex, signatureHex) = (ProbeVector.p384Key, ProbeVector.p384Signature)
        case 15: (keyHex, signatureHex) = (ProbeVector.ed25519Key, ProbeVector.ed25519Signature)
        case 16: (keyHex, signatureHex) = (ProbeVector.ed448Key, ProbeVector.ed448Signature)
        default: return "not implemented"
        }
        let key: PublicKey
        do {
            key = try PublicKey(algorithm: algorithm, publicKey: ProbeVector.bytes(keyHex))
        } catch {
            return "probe key rejected: \(error.reason)"
        }
        let signature = ProbeVector.bytes(signatureHex)
        switch key.check(signature: signature, over: ProbeVector.message) {
        case .valid: break
        case .refused: return "libcrypto refuses the operation (crypto policy or FIPS?)"
        case .invalid: return "known-good signature did not verify"
        }
        var tampered = ProbeVector.message
        tampered[0] ^= 1
        guard key.check(signature: signature, over: tampered) != .valid else {
            return "a tampered message verified"
        }
        return nil
    }
}
