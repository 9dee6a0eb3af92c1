// Primary responsibilities: why a resolution failed without a validation verdict — no reachable
// authority, a limit, a loop, a busy resolver — with its RFC 8914 code and a grep-able site tag,
// as the engine decides it and the cache remembers it (RFC 9520 §3.2).

public import DNSWire

/// Why a resolution ended in SERVFAIL for a reason other than bogus data: no server of a zone gave
/// a usable answer, a limit of the client query was reached, an alias chain looped or ran too long,
/// or the resolver was at its own bound.
///
/// Shaped like a validation reason (DNSSEC's `ValidationReason`) so a client reads both the same
/// way: the EXTRA-TEXT is the detail followed by a site tag in brackets, four capitals unique to
/// the place in the engine that gave up, so a report can be traced to one line with grep. The
/// type lives here, below the engine that decides it, because the cache remembers it: a question
/// that failed is answered from the cache for a while with the same code and site (RFC 9520 §3.2).
///
/// A failure is an outcome, not an error: a resolution returns it, nothing throws it.
public struct ResolutionFailure: Hashable, Sendable, CustomStringConvertible {
    /// The Extended DNS Error code sent to the client: 22 (No Reachable Authority) when no server
    /// answered within the query's bounds, 0 (Other) for loops and limits RFC 8914 has no code for.
    public let code: EDECode
    /// A grep-able tag naming the code site that gave up (four capitals, e.g. `"ZUNR"`).
    public let site: String
    /// What failed, naming the question, the zone, the servers or the limit involved.
    public let detail: String

    /// Creates a failure.
    public init(_ code: EDECode, site: String, _ detail: String) {
        self.code = code
        self.site = site
        self.detail = detail
    }

    /// The failure as the cache replays it while it is remembered: the same code and site, the
    /// text saying it is a remembered failure, so a client that sees no new attempt knows why.
    public var remembered: ResolutionFailure {
        ResolutionFailure(code, site: site, "\(detail) (a resolution failure, cached briefly: RFC 9520)")
    }

    /// The failure as EXTRA-TEXT: the detail followed by the site tag.
    public var description: String { "\(detail) [\(site)]" }

    /// The failure as an Extended DNS Error for a response.
    public var extendedDNSError: ExtendedDNSError { ExtendedDNSError(code, description) }
}
