// Primary responsibilities: the work a unit of validation (normally one client query) may still spend —
// signature verifications, their CPU cost, NSEC3 hashes — carried by the caller and charged before each
// expensive step, so that running out is a bogus verdict with a reason and never a stall.

internal import DNSCrypto
internal import DNSWire

/// What is left of the per-query validation work allowance (KeyTrap, CVE-2023-50387; CVE-2023-50868).
///
/// Create one per client query from ``ValidationLimits`` and pass it `inout` to every validation the query
/// causes, sub-queries included; never reset it midway (architecture §5). Charging happens before the work,
/// so a response can never make the validator exceed the allowance.
public struct ValidationBudget: Hashable, Sendable {
    /// Signature verifications still allowed.
    public private(set) var remainingVerifications: Int
    /// CPU cost still allowed, in thousandths of an RSA-2048 verification.
    public private(set) var remainingCostMilliunits: Int
    /// NSEC3 hash computations still allowed.
    public private(set) var remainingNSEC3Hashes: Int
    /// Signature verifications performed so far.
    public private(set) var verificationsPerformed = 0
    /// NSEC3 hashes computed so far.
    public private(set) var nsec3HashesComputed = 0

    /// A full allowance under `limits`.
    public init(limits: ValidationLimits = .default) {
        remainingVerifications = limits.maxSignatureVerifications
        remainingCostMilliunits = limits.maxVerificationCost.milliunits
        remainingNSEC3Hashes = limits.maxNSEC3Hashes
    }

    /// Charges one signature verification of the given cost, or says which limit forbids it.
    ///
    /// - Returns: `nil` when charged; otherwise the reason (EDE 0, "limit exceeded", architecture §3.5), and
    ///   nothing is charged.
    mutating func chargeVerification(cost: VerificationCost) -> ValidationReason? {
        guard remainingVerifications > 0 else {
            return ValidationReason(
                bogus: .other, site: "BVER",
                "validation limit reached: \(verificationsPerformed) signature verifications already performed "
                    + "for this query (maxSignatureVerifications)")
        }
        guard cost.milliunits <= remainingCostMilliunits else {
            return ValidationReason(
                bogus: .other, site: "BCPU",
                "validation limit reached: a verification costing \(cost) RSA-2048 units exceeds the "
                    + "\(VerificationCost(milliunits: remainingCostMilliunits)) left for this query (maxVerificationCost)"
            )
        }
        remainingVerifications -= 1
        remainingCostMilliunits -= cost.milliunits
        verificationsPerformed += 1
        return nil
    }

    /// Charges one NSEC3 hash computation, or says that the limit forbids it.
    ///
    /// - Returns: `nil` when charged; otherwise the reason (EDE 0) and nothing is charged.
    mutating func chargeNSEC3Hash() -> ValidationReason? {
        guard remainingNSEC3Hashes > 0 else {
            return ValidationReason(
                bogus: .other, site: "BN3H",
                "validation limit reached: \(nsec3HashesComputed) NSEC3 hashes already computed for this query "
                    + "(maxNSEC3Hashes)")
        }
        remainingNSEC3Hashes -= 1
        nsec3HashesComputed += 1
        return nil
    }
}
