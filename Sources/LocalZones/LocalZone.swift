// Primary responsibilities: the words of local data — a zone the operator serves locally and its
// type, a record with the place it was written, and a local answer.

import DNSWire

/// How a local zone answers (`local.zones[].type`), after Unbound's `local-zone` types.
///
/// Every type answers a name and type the zone's data holds with that data (a CNAME standing for
/// every type, RFC 1034 §3.6.2), except `always-nxdomain`. They differ in what a question the data
/// does not answer gets.
public enum LocalZoneType: String, CaseIterable, Hashable, Sendable {
    /// The zone is the whole truth: a name without data is NXDOMAIN, a name with data (or with data
    /// below it, an empty non-terminal, RFC 8020 §2) but not of the asked type is NODATA; both with
    /// the zone's SOA (RFC 2308 §3).
    case `static`
    /// The data overrides the public DNS: a name with data but not of the asked type is NODATA;
    /// every other name is resolved as usual.
    case transparent
    /// Every name at or below the apex gets the apex's data, as if owned by the asked name (a
    /// captive or walled-garden zone); no data may be given below the apex.
    case redirect
    /// A name and type with data is answered; everything else is REFUSED.
    case refuse
    /// Every name at or below the apex is NXDOMAIN, whatever data there is.
    case alwaysNXDOMAIN = "always-nxdomain"
}

/// A zone answered locally (`local.zones[]`).
public struct LocalZone: Hashable, Sendable {
    /// The apex.
    public var name: DomainName
    /// How it answers.
    public var type: LocalZoneType

    /// A zone.
    public init(name: DomainName, type: LocalZoneType) {
        self.name = name
        self.type = type
    }
}

/// A record of local data with where it was written, for errors that point at it.
public struct LocalRecord: Hashable, Sendable {
    /// The record.
    public var record: Record
    /// The file or configuration key it came from.
    public var source: String
    /// Its 1-based line there (0 when unknown).
    public var line: Int

    /// A record read at `line` of `source`.
    public init(_ record: Record, source: String, line: Int) {
        self.record = record
        self.source = source
        self.line = line
    }
}

/// An answer decided from local data: the message's RCODE and sections. It is not validated data:
/// whoever sends it sets no AD (RFC 4035 §3.2.3) and no AA (the resolver is not the zone's
/// authority, only a stand-in for it).
public struct LocalAnswer: Hashable, Sendable {
    /// NOERROR, NXDOMAIN or REFUSED.
    public var rcode: RCode
    /// The answer section: a CNAME chain in order, then the data.
    public var answer: [RRSet]
    /// The authority section: the zone's SOA and NS for a negative answer.
    public var authority: [RRSet]

    /// An answer.
    public init(rcode: RCode, answer: [RRSet] = [], authority: [RRSet] = []) {
        self.rcode = rcode
        self.answer = answer
        self.authority = authority
    }
}
