// Primary responsibilities: the kinds of entry the cache holds side by side in one memory-bounded
// store, as the dump format and the statistics name them.

/// What an entry in the cache stands for. All kinds share the shards, the memory bound and the
/// eviction order, so a flood of one kind cannot grow the cache past its size.
public enum CacheEntryKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// An RRset with its RRSIGs, keyed by owner, type and class (RFC 2181 §5).
    case rrset = 1
    /// "This name does not exist" with the SOA and proofs (RFC 2308 §2.1, §5), keyed by owner and class.
    case nxdomain = 2
    /// "This name has no data of this type" with the SOA and proofs (RFC 2308 §2.2, §5).
    case nodata = 3
    /// A zone's DNSKEY set as the validator judged it: the key cache (RFC 4035 §5.2), keyed by zone.
    case keys = 4
    /// The DS set of a zone cut, or the proof that there is none (RFC 4035 §5.2), keyed by the child zone.
    case delegationSigner = 5
    /// A bogus result remembered for a short time so it is not re-validated on every query
    /// (RFC 4035 §4.5, RFC 9520), keyed by name, type and class.
    case bogus = 6
    /// A resolution that failed for another reason (servers unreachable or lame, a loop, a limit),
    /// remembered for a few seconds so a flood of the same question does not start a resolution
    /// each (RFC 9520 §3.2), keyed by name, type and class.
    case failure = 7
    /// The NS RRset and glue a parent's referral gave for a zone cut, kept apart from the child's
    /// own NS set (which outranks it as an RRset, RFC 2181 §5.4.1), so the parent's servers can
    /// still be tried when every server the child names fails (RFC 1034 §5.3.3), keyed by the zone.
    case delegation = 8

    /// A short name for statistics and dumps.
    public var description: String {
        switch self {
        case .rrset: "rrset"
        case .nxdomain: "nxdomain"
        case .nodata: "nodata"
        case .keys: "keys"
        case .delegationSigner: "ds"
        case .bogus: "bogus"
        case .failure: "failure"
        case .delegation: "delegation"
        }
    }
}
