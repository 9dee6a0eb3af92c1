// Primary responsibilities: the DNAME substitution (RFC 6672 §2.2) and the CNAME it synthesises
// (§3.1), in one place for the answer chain of a response, the links handed to a client and the
// answers the cache synthesises again from a cached DNAME.

import DNSWire

/// A DNAME's rewrite of a name below its owner.
enum DNAMESubstitution {
    /// The name `name` becomes under the DNAME `owner` → `target`: the labels of `name` below
    /// `owner`, then `target` (RFC 6672 §2.2).
    ///
    /// - Returns: nil when `name` is not strictly below `owner`, or when the result would be longer
    ///   than a name may be (the YXDOMAIN case of RFC 6672 §2.2).
    static func rewrite(_ name: DomainName, owner: DomainName, target: DomainName) -> DomainName? {
        guard name.isStrictSubdomain(of: owner) else { return nil }
        var rewritten = target
        for label in name.labels.prefix(name.labelCount - owner.labelCount).reversed() {
            guard let longer = try? rewritten.prepending(label: label) else { return nil }
            rewritten = longer
        }
        return rewritten
    }

    /// The CNAME the DNAME RRset `dname` synthesises for `name` (RFC 6672 §3.1): unsigned, with the
    /// DNAME's TTL. It carries no signature of its own: the DNAME's RRSIG vouches for it (§5.3.1),
    /// so it is only ever passed on or cached together with the DNAME.
    static func synthesisedCNAME(for name: DomainName, from dname: RRSet) -> RRSet? {
        guard dname.type == .dname, case .dname(let record)? = dname.rdatas.first,
            let target = rewrite(name, owner: dname.name, target: record.target)
        else { return nil }
        return RRSet(
            name: name, type: .cname, rrClass: dname.rrClass, ttl: dname.ttl, rdatas: [.cname(CNAME(target: target))])
    }
}
