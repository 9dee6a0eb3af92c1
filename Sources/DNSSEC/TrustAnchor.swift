// Primary responsibilities: a trust anchor — DS and/or DNSKEY records at one owner name — as a value, and
// combining two anchors at the same owner. The store (files, built-in root anchors, negative anchors, RFC 5011
// state) is in TrustAnchors/.

public import DNSWire

/// A point where the chain of trust starts (RFC 4033 §2, RFC 4035 §4.4): DS or DNSKEY records at an owner.
///
/// A DS anchor is used exactly like a DS RRset from a validated parent; a DNSKEY anchor matches a key in the
/// zone's DNSKEY RRset by its RDATA (RFC 4035 §5 "trust anchor"), and the RRset must then be signed by it.
/// An anchor with no records at all trusts nothing: the validator finds its zone bogus (used when RFC 5011
/// revoked every key of a managed zone, RFC 5011 §2.1).
public struct TrustAnchor: Hashable, Sendable {
    /// The zone the anchor is for.
    public var owner: DomainName
    /// DS records for the zone's keys.
    public var ds: [DS]
    /// DNSKEY records trusted directly.
    public var dnskeys: [DNSKEY]

    /// Creates an anchor from DS and/or DNSKEY records.
    public init(owner: DomainName, ds: [DS] = [], dnskeys: [DNSKEY] = []) {
        self.owner = owner
        self.ds = ds
        self.dnskeys = dnskeys
    }

    /// True when the anchor holds no record: it authenticates no key (RFC 4035 §5).
    public var isEmpty: Bool { ds.isEmpty && dnskeys.isEmpty }

    /// This anchor with the records of `other` (same owner) added, duplicates dropped, order kept.
    ///
    /// DS and DNSKEY anchors at one owner combine: any of them may authenticate the zone's DNSKEY RRset
    /// (RFC 4035 §5: a resolver may be configured with either form).
    public func merging(_ other: TrustAnchor) -> TrustAnchor {
        var merged = self
        for record in other.ds where !merged.ds.contains(record) { merged.ds.append(record) }
        for key in other.dnskeys where !merged.dnskeys.contains(key) { merged.dnskeys.append(key) }
        return merged
    }
}
