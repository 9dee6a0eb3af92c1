// Primary responsibilities: the parent side of a zone cut — the NS RRset and glue the parent's
// referral gave — kept beside the child's own NS set for the fallback when the child's servers fail.

import DNSSEC
public import DNSWire
import Synchronization

extension ResolverCache {
    /// Keeps the NS RRset and glue of a referral as the parent side of the cut at `ns.name`.
    ///
    /// The child's authoritative NS set replaces the referral's in the RRset cache (RFC 2181 §5.4.1
    /// ranks it higher), and the child's address records replace the glue; this entry keeps what
    /// the parent said, for as long as the shortest of its TTLs, so that the resolver can still try
    /// the parent's servers when every server the child names fails (RFC 1034 §5.3.3: the server
    /// list is exhausted before giving up). A later referral replaces it.
    /// - Parameters:
    ///   - ns: the referral's NS RRset.
    ///   - glue: address records from the referral; only A and AAAA RRsets of the names `ns` lists
    ///     are kept, so there are at most two per NS record.
    @discardableResult
    public func insertDelegation(_ ns: RRSet, glue: [RRSet], now: CacheTime) -> CacheInsertResult {
        let hosts = Set(
            ns.rdatas.compactMap { rdata -> DomainName? in
                if case .ns(let record) = rdata { return record.nameServer }
                return nil
            })
        let glue = glue.filter { ($0.type == .a || $0.type == .aaaa) && hosts.contains($0.name) }
        guard ns.type == .ns, withinLimits(ns), glue.allSatisfy(withinLimits) else { return countOversize(ns.name) }
        let ttl = positiveTTL(glue.map(\.ttl).reduce(ns.ttl, min), status: .unchecked)
        return store(
            makeSlot(
                kind: .delegation, name: ns.name, type: .ns, rrClass: ns.rrClass, rdatas: ns.rdatas, extra: glue,
                ttl: ttl, expiry: now.adding(ttl).seconds, rank: .authorityNonAuthoritative, status: .unchecked,
                reason: nil), now: now)
    }

    /// The parent side of the cut at `zone`: the referral's NS RRset and its glue, with their TTLs
    /// counted down; nil when none is kept or it has expired.
    public func lookupDelegation(
        zone: DomainName, rrClass: RRClass = .in, now: CacheTime
    ) -> (ns: RRSet, glue: [RRSet])? {
        shard(for: zone).state.withLock { shard -> (ns: RRSet, glue: [RRSet])? in
            guard let (at, _) = shard.lookup(zone, .ns, rrClass, .delegation, now: now.seconds, allowStale: false)
            else { return nil }
            let slot = shard.slots[Int(at)]
            let ttl = reportedTTL(expiry: slot.expiry, ttl: slot.ttl, stale: false, now: now)
            let ns = RRSet(name: slot.name, type: .ns, rrClass: slot.rrClass, ttl: ttl, rdatas: slot.rdatas)
            return (
                ns,
                slot.extra.map { rrset in
                    var glue = rrset
                    glue.ttl = ttl
                    return glue
                }
            )
        }
    }
}
