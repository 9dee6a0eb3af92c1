// Primary responsibilities: the negative answer the resolver hands to the cache (RFC 2308), with
// the SOA and, when signed, the NSEC/NSEC3 proofs needed to serve it again as a secure answer.

public import DNSSEC
public import DNSWire

/// An NXDOMAIN or NODATA answer to cache (RFC 2308 §5).
public struct NegativeAnswer: Hashable, Sendable {
    /// Which denial this is.
    public enum Denial: Hashable, Sendable {
        /// The name does not exist (RCODE 3, RFC 2308 §2.1). Covers every type; with RFC 8020
        /// and a secure proof it also covers every name below.
        case nxdomain
        /// The name exists but has no data of this type (RFC 2308 §2.2).
        case nodata(RRType)
    }

    /// The name denied (the QNAME, or the last CNAME target).
    public var name: DomainName
    /// The class.
    public var rrClass: RRClass
    /// NXDOMAIN or NODATA for a type.
    public var denial: Denial
    /// The SOA RRset from the authority section with its RRSIGs. RFC 2308 §5 requires it to be
    /// served with the cached negative answer; `nil` only when the upstream gave none (then the
    /// resolver should not cache at all, RFC 2308 §5, but the cache does not insist).
    public var soa: RRSet?
    /// NSEC or NSEC3 RRsets with their RRSIGs that prove the denial (RFC 4035 §3.1.3, RFC 5155
    /// §7.2), so a secure negative answer can be served with its proof. Empty when unsigned.
    public var proofs: [RRSet]
    /// The negative TTL: min(SOA TTL, SOA MINIMUM) as RFC 2308 §5 says, decided by the resolver
    /// (and capped by signatures when validated); the cache clamps it to ``CacheConfiguration/maxNegativeTTL``.
    public var ttl: UInt32
    /// The credibility of the source (RFC 2181 §5.4.1): usually ``TrustRank/authorityAuthoritative``,
    /// or ``TrustRank/validated`` once the proof was checked.
    public var rank: TrustRank
    /// The DNSSEC verdict on the denial.
    public var status: SecurityStatus
    /// Why it is not secure, when the validator said.
    public var reason: ValidationReason?

    /// Creates a negative answer.
    public init(
        name: DomainName, rrClass: RRClass = .in, denial: Denial, soa: RRSet?, proofs: [RRSet] = [], ttl: UInt32,
        rank: TrustRank, status: SecurityStatus, reason: ValidationReason? = nil
    ) {
        self.name = name
        self.rrClass = rrClass
        self.denial = denial
        self.soa = soa
        self.proofs = proofs
        self.ttl = ttl
        self.rank = rank
        self.status = status
        self.reason = reason
    }
}
