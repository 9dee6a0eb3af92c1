// Primary responsibilities: how much CPU one signature verification costs, relative to RSA-2048, so the DNSSEC
// layer can bound the work a single response can cause (KeyTrap, CVE-2023-50387).

/// The relative CPU cost of one signature verification, in thousandths of an RSA-2048 verification.
///
/// A validator that only counted verifications would let an attacker pick the most expensive algorithm: one
/// P-384 verification costs as much as about 36 RSA-2048 ones. Charging each verification its cost against a
/// per-query budget bounds the CPU a response can consume whatever the algorithm (KeyTrap, CVE-2023-50387;
/// knot-resolver's `vld_limit_crypto` bounds the same work by count).
///
/// The constants were measured on the development machine (2 cores, OpenSSL 3.0.19) with
///
///     openssl speed -seconds 1 rsa1024 rsa2048 rsa4096 ecdsap256 ecdsap384 ed25519 ed448
///
/// which reported these verifications per second: RSA-1024 267569, RSA-2048 78798, RSA-4096 20620,
/// P-256 23096, P-384 2185, Ed25519 15945, Ed448 6346.4. Each constant is 1000 × 78798 ÷ (its rate). Only the
/// ratios matter; later runs on the same machine moved them by under 10 %. Other CPUs (with or without assembly
/// paths for a curve) can differ more, so re-measure before tuning a budget tightly.
public struct VerificationCost: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The cost in thousandths of an RSA-2048 verification with exponent 65537 (1000 = one such verification).
    public let milliunits: Int

    /// Creates a cost from thousandths of an RSA-2048 verification.
    public init(milliunits: Int) {
        self.milliunits = milliunits
    }

    /// RSA-1024 (e = 65537): 78798 ÷ 267569 ≈ 0.294.
    public static let rsa1024 = VerificationCost(milliunits: 294)

    /// RSA-2048 (e = 65537): the unit.
    public static let rsa2048 = VerificationCost(milliunits: 1000)

    /// RSA-4096 (e = 65537): 78798 ÷ 20620 ≈ 3.82.
    public static let rsa4096 = VerificationCost(milliunits: 3821)

    /// ECDSA P-256 with SHA-256 (algorithm 13): 78798 ÷ 23096 ≈ 3.41.
    public static let ecdsaP256 = VerificationCost(milliunits: 3412)

    /// ECDSA P-384 with SHA-384 (algorithm 14): 78798 ÷ 2185 ≈ 36.1, the most expensive DNSSEC algorithm here.
    public static let ecdsaP384 = VerificationCost(milliunits: 36063)

    /// Ed25519 (algorithm 15): 78798 ÷ 15945 ≈ 4.94.
    public static let ed25519 = VerificationCost(milliunits: 4942)

    /// Ed448 (algorithm 16): 78798 ÷ 6346.4 ≈ 12.4.
    public static let ed448 = VerificationCost(milliunits: 12416)

    /// The cost of one verification for an algorithm number and key size in bits (``PublicKey/keySize``).
    ///
    /// RSA costs are interpolated linearly between the measured sizes; keys of 1024 bits or fewer are charged as
    /// 1024, and keys over 4096 (which ``PublicKey`` never accepts) as 4096 scaled by the square of the size
    /// ratio. Algorithms DNSCrypto does not implement cost nothing, since they are never verified.
    public init(algorithm: UInt8, keySize: Int) {
        switch algorithm {
        case 5, 7, 8, 10: self = Self.rsa(modulusBits: keySize)
        case 13: self = .ecdsaP256
        case 14: self = .ecdsaP384
        case 15: self = .ed25519
        case 16: self = .ed448
        default: self.init(milliunits: 0)
        }
    }

    /// Interpolates the RSA cost for a modulus size with exponent 65537.
    private static func rsa(modulusBits bits: Int) -> VerificationCost {
        let points = [(1024, rsa1024.milliunits), (2048, rsa2048.milliunits), (4096, rsa4096.milliunits)]
        if bits <= 1024 { return rsa1024 }
        if bits > 4096 { return VerificationCost(milliunits: rsa4096.milliunits * bits / 4096 * bits / 4096) }
        for ((lowBits, lowCost), (highBits, highCost)) in zip(points, points.dropFirst()) where bits <= highBits {
            return VerificationCost(
                milliunits: lowCost + (highCost - lowCost) * (bits - lowBits) / (highBits - lowBits))
        }
        return rsa4096
    }

    /// Scales an RSA cost for the public exponent.
    ///
    /// Square-and-multiply with an exponent of k bits, w of them set, takes (k − 1) squarings and (w − 1)
    /// multiplications; the measured figures use 65537, which takes 17. Cheaper exponents are not discounted.
    ///
    /// - Parameter multiplications: the exponent's (k − 1) + (w − 1).
    func scaled(byExponentMultiplications multiplications: Int) -> VerificationCost {
        guard multiplications > 17 else { return self }
        return VerificationCost(milliunits: milliunits * multiplications / 17)
    }

    /// Orders costs by size.
    public static func < (lhs: VerificationCost, rhs: VerificationCost) -> Bool {
        lhs.milliunits < rhs.milliunits
    }

    /// The cost in units of RSA-2048 verifications, for logs (`"36.063"`).
    public var description: String {
        let whole = milliunits / 1000
        let fraction = String(milliunits % 1000)
        return "\(whole).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
