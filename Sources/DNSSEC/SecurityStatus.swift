// Primary responsibilities: the verdict every piece of DNS data carries once judged (the reason that
// goes with a verdict that is not "secure" is ValidationReason).

/// How far DNS data is proven, ordered from least to most proven (RFC 4035 §4.3).
///
/// The order matters: the cache keeps the better-proven of two copies, and a chain is only as
/// secure as its weakest link (`min`).
public enum SecurityStatus: Int, Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Not judged yet: validation off, CD=1, or data still on its way to the validator.
    case unchecked = 0
    /// A chain of trust exists but the data fails it: signatures missing, wrong, expired, or a
    /// proof that does not hold (RFC 4035 §4.3). Never served without CD=1.
    case bogus = 1
    /// Neither proven nor disproven: the keys or proofs needed could not be obtained (RFC 4035 §4.3).
    case indeterminate = 2
    /// Proven to have no chain of trust: an unsigned delegation, an unsupported algorithm or
    /// digest, too many NSEC3 iterations, or a negative trust anchor (RFC 4035 §4.3, RFC 9276).
    case insecure = 3
    /// A chain of trust from an anchor validates the data (RFC 4035 §4.3).
    case secure = 4

    /// Orders by how well proven.
    public static func < (lhs: SecurityStatus, rhs: SecurityStatus) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The lowercase name, as logs and the lookup tool print it.
    public var description: String {
        switch self {
        case .unchecked: "unchecked"
        case .bogus: "bogus"
        case .indeterminate: "indeterminate"
        case .insecure: "insecure"
        case .secure: "secure"
        }
    }
}
