// Primary responsibilities: what a resolution hands back to the server — everything needed to
// build the client's response, and why, when it failed.

public import DNSSEC
public import DNSWire

/// The outcome of resolving one question.
public struct Resolution: Hashable, Sendable {
    /// The RCODE for the client: NOERROR, NXDOMAIN, or SERVFAIL when resolution failed.
    public var rcode: RCode
    /// The answer: CNAME/DNAME links in order, then the data (empty for negative answers).
    public var answer: [RRSet]
    /// The authority data for negative answers: SOA and NSEC/NSEC3 proofs with their RRSIGs.
    public var authority: [RRSet]
    /// The weakest security status along the answer (RFC 4035 §4.3); `unchecked` without validation.
    public var status: SecurityStatus
    /// Extended DNS Errors to send (RFC 8914): always at least one on SERVFAIL.
    public var extendedErrors: [ExtendedDNSError]
    /// Whether every part came from the cache without an upstream query.
    public var fromCache: Bool

    /// Creates a resolution.
    public init(
        rcode: RCode, answer: [RRSet] = [], authority: [RRSet] = [], status: SecurityStatus = .unchecked,
        extendedErrors: [ExtendedDNSError] = [], fromCache: Bool = false
    ) {
        self.rcode = rcode
        self.answer = answer
        self.authority = authority
        self.status = status
        self.extendedErrors = extendedErrors
        self.fromCache = fromCache
    }

    /// A SERVFAIL carrying `error`.
    public static func failure(_ error: ExtendedDNSError) -> Resolution {
        Resolution(rcode: .servFail, extendedErrors: [error])
    }
}
