// Primary responsibilities: what the NSEC or NSEC3 records of a DS answer say about whether a name
// is a zone cut — used when looking for the zone that must vouch for unsigned data from a
// forwarder, or from a server that answers for a child without a referral (RFC 4035 §4.3, §5.2),
// one label at a time from the trust anchor or the signed zone down.

internal import DNSCrypto
public import DNSWire

/// Evidence that a name is not a zone cut.
///
/// Only ever used to pass a name by on the way down: a name passed by stays inside the signed zone
/// above it, whose keys then judge the data, so a forged "no cut" can only make an answer bogus,
/// never insecure. Claims of an unsigned cut go through the full proofs
/// (``NSECDenial/proveInsecureDelegation(name:zone:nsecs:limits:)``,
/// ``NSEC3Denial/proveInsecureDelegation(name:zone:nsec3s:limits:budget:)``).
public enum ZoneCutEvidence {
    /// True when the denial records of a NODATA answer for `name`/DS say `name` is no zone cut:
    /// an NSEC or NSEC3 at `name` without NS (RFC 4034 §4.1.2, RFC 5155 §3.1.8), or, for an
    /// empty non-terminal, an NSEC covering `name` whose next name is below it (RFC 4592 §2.2.2)
    /// or an NSEC3 covering its hash without Opt-Out (which could hide an unsigned delegation,
    /// RFC 5155 §6). NSEC3 hashing is charged to `budget`; records over the iteration limit prove
    /// nothing here.
    public static func showsNoZoneCut(
        at name: DomainName, denial rrsets: [RRSet], limits: ValidationLimits = .default,
        budget: inout ValidationBudget
    ) -> Bool {
        for rrset in rrsets where rrset.type == .nsec {
            for case .nsec(let nsec) in rrset.rdatas {
                let record = NSECDenial.Record(owner: rrset.name, next: nsec.nextDomainName, types: nsec.types)
                if record.owner == name { return !record.types.contains(.ns) }
                if record.covers(name) && record.next.isStrictSubdomain(of: name) { return true }
            }
        }
        guard let zone = rrsets.first(where: { $0.type == .nsec3 })?.name.parent,
            case .usable(var chain) = NSEC3Chain.make(rrsets, zone: zone, limits: limits),
            case .hash(let hash) = chain.hash(name, budget: &budget)
        else { return false }
        if let match = chain.matching(hash) { return !match.nsec3.types.contains(.ns) }
        if let cover = chain.covering(hash) { return !cover.nsec3.isOptOut }
        return false
    }
}
