// Primary responsibilities: the verdict every piece of DNS data carries once judged, and the
// reason — with its RFC 8914 code — whenever that verdict is not "secure".

public import DNSWire

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

/// Why data is not secure: an Extended DNS Error code (RFC 8914 §4) and a sentence for an operator.
///
/// Every bogus outcome carries one, and so do insecure outcomes that a client should hear about
/// (EDE 1, 2 and 27). `site` is a short tag unique to the place in the code that decided, so a
/// report can be traced to one line with grep.
public struct BogusReason: Error, Hashable, Sendable, CustomStringConvertible {
    /// The Extended DNS Error code sent to the client.
    public var code: EDECode
    /// A grep-able tag naming the code site that decided (four capitals, e.g. `"SIGX"`).
    public var site: String
    /// What failed, naming the owner, type, key tag and algorithm involved where known.
    public var detail: String

    /// Creates a reason.
    public init(_ code: EDECode, site: String, _ detail: String) {
        self.code = code
        self.site = site
        self.detail = detail
    }

    /// The reason as EXTRA-TEXT: the detail followed by the site tag.
    public var description: String { "\(detail) [\(site)]" }

    /// The reason as an Extended DNS Error for a response.
    public var extendedDNSError: ExtendedDNSError { ExtendedDNSError(code, description) }
}
