// Primary responsibilities: what the key cache hands back for a zone cut's DS question — the DS
// set, or the proof that there is none — with the verdict the validator reached on it.

public import DNSSEC
public import DNSWire

/// The DS result for a zone cut (RFC 4035 §5.2): the DS RRset that links the child's keys to the
/// parent, or a proven absence of DS that makes the child insecure (RFC 4035 §5.2, "an
/// authenticated denial of existence of the DS RRset").
public struct CachedDelegationSigner: Hashable, Sendable {
    /// The child zone (the owner of the DS RRset in the parent).
    public var zone: DomainName
    /// The DS RRset with RRSIGs and remaining TTL, or `nil` when the absence of DS is proven.
    public var ds: RRSet?
    /// For a proven absence: the NSEC/NSEC3 RRsets with RRSIGs that prove it (stored TTLs; serve with ``ttl``).
    public var proofs: [RRSet]
    /// Seconds left (or the stale reply TTL when stale).
    public var ttl: UInt32
    /// The verdict: secure for a validated DS set, insecure for a proven no-DS, bogus or
    /// indeterminate when the parent's answer failed.
    public var status: SecurityStatus
    /// Why it is not secure, when the validator said.
    public var reason: ValidationReason?
    /// True when expired and returned because the caller allowed stale data.
    public var isStale: Bool
    /// The absolute expiry.
    public var expiry: CacheTime

    /// Creates a result.
    public init(
        zone: DomainName, ds: RRSet?, proofs: [RRSet], ttl: UInt32, status: SecurityStatus, reason: ValidationReason?,
        isStale: Bool, expiry: CacheTime
    ) {
        self.zone = zone
        self.ds = ds
        self.proofs = proofs
        self.ttl = ttl
        self.status = status
        self.reason = reason
        self.isStale = isStale
        self.expiry = expiry
    }

    /// Whether the zone cut is proven to have no DS: the child is an insecure delegation.
    public var isProvenAbsent: Bool { ds == nil && status >= .insecure }
}
