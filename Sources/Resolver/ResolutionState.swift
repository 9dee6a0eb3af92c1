// Primary responsibilities: the budget one client query spends, shared by every sub-query it
// starts (NS address lookups, DS and DNSKEY fetches), and never reset; and the verdict each step
// of a resolution hands back with its data.

import DNSCache
import DNSSEC
import DNSWire

/// What one client query has used so far. Passed `inout` down every step of its resolution.
struct ResolutionState {
    /// When the resolution started (monotonic).
    let started: Duration
    /// Upstream queries sent, retries and sub-queries included (``ResolutionLimits/maxUpstreamQueries``).
    var upstreamQueries = 0
    /// Exchanges that put a query on the wire (an answer, a timeout, an error from the network), not
    /// counting those the resolver's own bounds kept from being sent.
    var exchanges = 0
    /// How deep in nested sub-resolutions we are (``ResolutionLimits/maxSubqueryDepth``).
    var depth = 0
    /// How deep in nested DS/DNSKEY fetches we are (``ResolutionLimits/maxValidationDepth``): each
    /// goes one zone cut up the chain of trust, so a real chain is as deep as its zone cuts.
    var validationDepth = 0
    /// Questions being resolved on this stack: asking one of them again is a cycle (TsuNAME).
    var active: Set<Question> = []
    /// A question whose first step does not ask the cache: a prefetch renewing what the cache
    /// still holds, or the listeners' fast path having just found nothing for it (one lookup per
    /// miss). Cleared once used, so only that step skips the cache, not its sub-queries.
    var skipCachedStep: Question? = nil
    /// Timeouts per server during this client query (``ResolutionLimits/maxTimeoutsPerServer``).
    /// A server that timed out is asked again by this query's resolutions only after every other
    /// candidate of the zone, and never past the limit; a network error counts as the limit at
    /// once. The infrastructure cache keeps the longer memory, across client queries.
    var timeouts: [ServerAddress: Int] = [:]
    /// The validation work this client query may still do, every sub-query included (KeyTrap,
    /// CVE-2023-50387; NSEC3 hashes, CVE-2023-50868). Never reset (architecture §5).
    var budget: ValidationBudget
    /// The trust already established for zones during this query, so that one zone's keys are
    /// looked up and decoded once per client query however many RRsets they sign.
    var trust: [DomainName: ZoneTrust] = [:]
    /// Names whose DS question in a search for a hidden zone cut got no answer during this query
    /// (``Lookup/zoneCutSearch(for:from:state:)``): the zone's servers were all tried, so the next
    /// RRset of the same response, or the next server's answer, is judged without asking again.
    var unansweredCutQuestions: Set<DomainName> = []

    /// Creates a fresh budget.
    init(started: Duration, validationLimits: ValidationLimits = .default) {
        self.started = started
        self.budget = ValidationBudget(limits: validationLimits)
    }
}

/// What a zone's keys are worth for validating its data (RFC 4035 §4.3, §5).
enum ZoneTrust {
    /// The zone's DNSKEY RRset is authenticated from a trust anchor: its keys prove its data.
    case secure(ZoneKeySet)
    /// The zone is provably outside every chain of trust (no anchor above it, a proven unsigned
    /// delegation, only unsupported algorithms or digests, a negative trust anchor), with the
    /// reason a client should hear, if any.
    case insecure(ValidationReason?)
    /// The chain of trust exists and fails at or above the zone.
    case bogus(ValidationReason)
}

/// The security verdict on one step of a resolution: the weakest status of the RRsets it holds
/// (RFC 4035 §4.3: data is only as secure as its weakest link) and the reason that goes with it.
struct Verdict: Hashable, Sendable {
    /// The weakest status.
    var status: SecurityStatus
    /// Why the status is not secure, when the validator said.
    var reason: ValidationReason?

    /// A verdict.
    init(_ status: SecurityStatus, _ reason: ValidationReason? = nil) {
        self.status = status
        self.reason = reason
    }

    /// Folds in another part: the weaker status wins with its reason; between equals the first
    /// reason given is kept.
    mutating func add(_ status: SecurityStatus, _ reason: ValidationReason?) {
        if status < self.status {
            self.status = status
            self.reason = reason
        } else if status == self.status && self.reason == nil {
            self.reason = reason
        }
    }

    /// Folds in another verdict.
    mutating func add(_ other: Verdict) { add(other.status, other.reason) }
}

/// The outcome of resolving one name, before CNAMEs leading out of it are followed; every data
/// outcome carries its verdict.
enum StepOutcome {
    /// Data: CNAME/DNAME links within the answer, then the RRset asked for; `proofs`, the NSEC/NSEC3
    /// proofs of the wildcard expansions among them (RFC 4035 §3.1.3.3), for the authority section.
    case data([RRSet], proofs: [RRSet], Verdict)
    /// CNAME/DNAME links that lead to `target`, whose data must be asked for separately, with the
    /// proofs of the links a wildcard synthesised.
    case alias([RRSet], target: DomainName, proofs: [RRSet], Verdict)
    /// A denial for the last name of the links: NXDOMAIN or NODATA, with SOA and proofs.
    case negative(rcode: RCode, links: [RRSet], authority: [RRSet], Verdict)
    /// SERVFAIL without a validation verdict, with the reason.
    case failure(ResolutionFailure)
    /// SERVFAIL because the chain of trust failed with nothing to show even with CD=1 (a bogus
    /// referral, keys that could not be authenticated).
    case bogus(ValidationReason)
}
