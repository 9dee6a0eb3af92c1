// Primary responsibilities: what a negative hit hands back — the denial, the owner it was cached
// for (an ancestor when RFC 8020 applied), the SOA and proofs to put in the authority section.

public import DNSSEC
public import DNSWire

/// A cached NXDOMAIN or NODATA as found at lookup time.
public struct CachedNegative: Hashable, Sendable {
    /// The denial, as stored.
    public var denial: NegativeAnswer.Denial
    /// The name the entry was cached for: the looked-up name, or an ancestor whose NXDOMAIN also
    /// denies the looked-up name (RFC 8020 §2), see ``coversDescendant``.
    public var name: DomainName
    /// True when ``name`` is a strict ancestor of the looked-up name (RFC 8020 "nothing below").
    public var coversDescendant: Bool
    /// The SOA with its RRSIGs, ``RRSet/ttl`` set to ``ttl`` (RFC 2308 §5: the SOA's TTL is
    /// decremented like any cached data).
    public var soa: RRSet?
    /// The NSEC/NSEC3 proofs with their RRSIGs. Their stored TTL fields are left as inserted (so a
    /// hit allocates nothing); serve every proof record with ``ttl``.
    public var proofs: [RRSet]
    /// Seconds left, or ``CacheConfiguration/staleReplyTTL`` when stale: the TTL for every record
    /// of the authority section.
    public var ttl: UInt32
    /// The rank it was stored with.
    public var rank: TrustRank
    /// The DNSSEC verdict on the denial.
    public var status: SecurityStatus
    /// Why it is not secure, when the validator said.
    public var reason: ValidationReason?
    /// True when expired and returned because the caller allowed stale data (RFC 8767).
    public var isStale: Bool
    /// The absolute expiry.
    public var expiry: CacheTime

    /// Creates a result.
    public init(
        denial: NegativeAnswer.Denial, name: DomainName, coversDescendant: Bool, soa: RRSet?, proofs: [RRSet],
        ttl: UInt32, rank: TrustRank, status: SecurityStatus, reason: ValidationReason?, isStale: Bool,
        expiry: CacheTime
    ) {
        self.denial = denial
        self.name = name
        self.coversDescendant = coversDescendant
        self.soa = soa
        self.proofs = proofs
        self.ttl = ttl
        self.rank = rank
        self.status = status
        self.reason = reason
        self.isStale = isStale
        self.expiry = expiry
    }

    /// The proofs with each TTL set to ``ttl``, ready for a response (allocates).
    public var proofsWithRemainingTTL: [RRSet] {
        proofs.map { proof in
            var proof = proof
            proof.ttl = ttl
            return proof
        }
    }
}
