// Primary responsibilities: what a positive hit hands back — the RRset with its TTL already
// decremented, its RRSIGs, the rank and DNSSEC verdict it was stored with, and a wildcard
// expansion's proofs.

public import DNSSEC
public import DNSWire

/// A cached RRset as found at lookup time. Building one allocates nothing: ``rrset`` shares the
/// cache's arrays (copy-on-write), so the caller may read and encode it freely.
public struct CachedRRset: Hashable, Sendable {
    /// The RRset and its RRSIGs, with ``RRSet/ttl`` set to the seconds left (RFC 1035 §3.2.1: a
    /// cached record is served with its TTL decremented), or to
    /// ``CacheConfiguration/staleReplyTTL`` when ``isStale`` (RFC 8767 §4).
    public var rrset: RRSet
    /// The credibility of the source it came from (RFC 2181 §5.4.1).
    public var rank: TrustRank
    /// The DNSSEC verdict it was stored with.
    public var status: SecurityStatus
    /// Why it is not secure, when the validator said (an EDE for the response).
    public var reason: ValidationReason?
    /// True when the entry has expired and is returned only because the caller allowed stale data
    /// (RFC 8767); the response should then carry EDE 3 (Stale Answer).
    public var isStale: Bool
    /// The TTL it was stored with after clamping: prefetch compares ``rrset``'s TTL with this.
    public var originalTTL: UInt32
    /// The absolute instant it expires (or expired).
    public var expiry: CacheTime
    /// For an RRset a wildcard synthesised, the NSEC/NSEC3 RRsets proving that no closer name
    /// exists (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6), with their stored TTLs: serve them with
    /// ``proofsWithRemainingTTL``. Empty otherwise (and then shared, allocating nothing).
    public var proofs: [RRSet]

    /// Creates a result.
    public init(
        rrset: RRSet, rank: TrustRank, status: SecurityStatus, reason: ValidationReason?, isStale: Bool,
        originalTTL: UInt32, expiry: CacheTime, proofs: [RRSet] = []
    ) {
        self.rrset = rrset
        self.rank = rank
        self.status = status
        self.reason = reason
        self.isStale = isStale
        self.originalTTL = originalTTL
        self.expiry = expiry
        self.proofs = proofs
    }

    /// ``proofs`` with each TTL set to the RRset's (the seconds left, or the stale reply TTL): the
    /// entry was stored no longer than its proofs allowed, so they age with it. Allocates only when
    /// there are proofs.
    public var proofsWithRemainingTTL: [RRSet] {
        guard !proofs.isEmpty else { return [] }
        return proofs.map { proof in
            var proof = proof
            proof.ttl = rrset.ttl
            return proof
        }
    }
}
