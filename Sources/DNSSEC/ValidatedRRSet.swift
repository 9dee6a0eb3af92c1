// Primary responsibilities: an RRset whose signature has been verified, with the TTL it may be kept for and
// the facts a caller still needs: which RRSIG and key proved it, and whether a wildcard was expanded.

public import DNSWire

/// An RRset proven by an RRSIG and a key of its zone (RFC 4035 §5.3).
public struct ValidatedRRSet: Sendable {
    /// The RRset as received.
    public let rrset: RRSet
    /// The TTL to keep it for: the received TTL capped by the RRSIG's Original TTL and by the seconds left
    /// until the RRSIG expires (RFC 4035 §5.3.3).
    public let ttl: UInt32
    /// The RRSIG that validated it.
    public let signature: RRSIG
    /// The key tag of the key that verified the signature.
    public let keyTag: UInt16
    /// Present when the RRSIG Labels field shows a wildcard expansion (RFC 4035 §5.3.2); the caller must then
    /// check the denial proof that no closer match exists (RFC 4035 §5.3.4).
    public let wildcard: WildcardExpansion?
}
