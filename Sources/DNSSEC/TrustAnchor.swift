// Primary responsibilities: a configured trust anchor — DS or DNSKEY records at one owner name — as a
// value; the store with files, built-in root anchors and RFC 5011 state comes with a later issue.

public import DNSWire

/// A point where the chain of trust starts (RFC 4033 §2, RFC 4035 §4.4): DS or DNSKEY records at an owner.
///
/// A DS anchor is used exactly like a DS RRset from a validated parent; a DNSKEY anchor matches a key in the
/// zone's DNSKEY RRset by its RDATA (RFC 4035 §5 "trust anchor"), and the RRset must then be signed by it.
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
}
