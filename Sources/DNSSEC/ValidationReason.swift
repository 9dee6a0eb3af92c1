// Primary responsibilities: why data is not secure — the verdict explained (bogus or insecure), its
// RFC 8914 code, a grep-able site tag and a sentence — as one value carried unchanged from the
// validator through the cache to the client's Extended DNS Error.

public import DNSWire

/// Why data is bogus or insecure: the verdict it explains, an Extended DNS Error code (RFC 8914 §4)
/// and a sentence for an operator.
///
/// Every bogus outcome carries one, and so do insecure outcomes that a client should hear about
/// (EDE 1, 2 and 27). The two verdicts are told apart by ``status``, set where the reason is made,
/// because they lead to opposite answers: bogus data is withheld (SERVFAIL, RFC 4035 §5.5), insecure
/// data is served without AD (RFC 4035 §4.3). `site` is a short tag unique to the place in the code
/// that decided, so a report can be traced to one line with grep.
///
/// A reason is an outcome, not an error: validation never throws (``ValidationOutcome``).
public struct ValidationReason: Hashable, Sendable, CustomStringConvertible {
    /// The verdict the reason explains: ``SecurityStatus/bogus`` or ``SecurityStatus/insecure``.
    public let status: SecurityStatus
    /// The Extended DNS Error code sent to the client.
    public let code: EDECode
    /// A grep-able tag naming the code site that decided (four capitals, e.g. `"RSIG"`).
    public let site: String
    /// What failed, naming the owner, type, key tag and algorithm involved where known.
    public let detail: String

    /// A reason for bogus data: the chain of trust exists and the data fails it.
    public init(bogus code: EDECode, site: String, _ detail: String) {
        self.init(status: .bogus, code: code, site: site, detail: detail)
    }

    /// A reason for insecure data a client should hear about: the data is provably outside any
    /// chain of trust this resolver can follow (an unsupported algorithm or digest, too many NSEC3
    /// iterations).
    public init(insecure code: EDECode, site: String, _ detail: String) {
        self.init(status: .insecure, code: code, site: site, detail: detail)
    }

    /// The one memberwise initialiser, kept private so that every reason is made bogus or insecure.
    private init(status: SecurityStatus, code: EDECode, site: String, detail: String) {
        self.status = status
        self.code = code
        self.site = site
        self.detail = detail
    }

    /// The same reason, verdict, code and site with `prefix` before its detail: the question or the
    /// signature it was found for, added where that is known.
    public func prefixed(_ prefix: String) -> ValidationReason {
        ValidationReason(status: status, code: code, site: site, detail: prefix + detail)
    }

    /// The reason as EXTRA-TEXT: the detail followed by the site tag.
    public var description: String { "\(detail) [\(site)]" }

    /// The reason as an Extended DNS Error for a response.
    public var extendedDNSError: ExtendedDNSError { ExtendedDNSError(code, description) }
}
