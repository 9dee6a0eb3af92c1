// Primary responsibilities: the budget one client query spends, shared by every sub-query it
// starts (NS address lookups, later DS and DNSKEY fetches), and never reset.

public import DNSWire

/// What one client query has used so far. Passed `inout` down every step of its resolution.
struct ResolutionState {
    /// When the resolution started (monotonic).
    let started: Duration
    /// Upstream queries sent, retries and sub-queries included (``ResolutionLimits/maxUpstreamQueries``).
    var upstreamQueries = 0
    /// How deep in nested sub-resolutions we are (``ResolutionLimits/maxSubqueryDepth``).
    var depth = 0
    /// Questions being resolved on this stack: asking one of them again is a cycle (TsuNAME).
    var active: Set<Question> = []
    /// Timeouts per server during this client query (``ResolutionLimits/maxTimeoutsPerServer``).
    /// A server that timed out is asked again by this query's resolutions only after every other
    /// candidate of the zone, and never past the limit; a network error counts as the limit at
    /// once. The infrastructure cache keeps the longer memory, across client queries.
    var timeouts: [ServerAddress: Int] = [:]

    /// Creates a fresh budget.
    init(started: Duration) { self.started = started }
}

/// The outcome of resolving one name, before CNAMEs leading out of it are followed.
enum StepOutcome {
    /// Data: CNAME/DNAME links within the answer, then the RRset asked for.
    case data([RRSet])
    /// CNAME/DNAME links that lead to `target`, whose data must be asked for separately.
    case alias([RRSet], target: DomainName)
    /// A denial for the last name of the links: NXDOMAIN or NODATA, with SOA and proofs.
    case negative(rcode: RCode, links: [RRSet], authority: [RRSet])
    /// SERVFAIL, with the reason.
    case failure(ExtendedDNSError)
}
