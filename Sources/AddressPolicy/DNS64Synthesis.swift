// Primary responsibilities: DNS64 (RFC 6147) as a pure rule — when a AAAA answer is to be
// synthesised, and the AAAA records made from the A answer — with no resolution of its own.

import DNSWire

/// DNS64 synthesis (RFC 6147 §5.1): AAAA records made from A records under a NAT64 prefix, for a
/// AAAA question whose answer has none.
public struct DNS64Synthesis: Hashable, Sendable {
    /// The NAT64 prefix (`dns64.prefix`).
    public var prefix: NAT64Prefix
    /// AAAA records in these ranges count as absent (RFC 6147 §5.1.4; `dns64.exclude`, by default
    /// ::ffff:0:0/96, the IPv4-mapped addresses, which an IPv6-only client cannot reach).
    public var excludedIPv6: [IPNetwork]
    /// A records in these ranges are not synthesised from (RFC 6147 §5.1.4 lets the DNS64 map some
    /// out; `dns64.exclude-ipv4`, none by default).
    public var excludedIPv4: [IPNetwork]

    /// The default AAAA exclusion (RFC 6147 §5.1.4).
    public static let defaultExcludedIPv6 = [IPNetwork("::ffff:0:0/96")!]

    /// The TTL bound when the AAAA denial had no SOA (RFC 6147 §5.1.7: 600 seconds).
    public static let ttlWithoutSOA: UInt32 = 600

    /// Creates the rule.
    public init(prefix: NAT64Prefix, excludedIPv6: [IPNetwork] = defaultExcludedIPv6, excludedIPv4: [IPNetwork] = []) {
        self.prefix = prefix
        self.excludedIPv6 = excludedIPv6
        self.excludedIPv4 = excludedIPv4
    }

    /// Whether an answer to a AAAA question with `rcode` and `answer` section asks for synthesis:
    /// NOERROR with no AAAA record outside the excluded ranges (RFC 6147 §5.1.1, §5.1.4), or an
    /// RCODE other than NOERROR and NXDOMAIN, which is treated as an empty answer (§5.1.2).
    /// NXDOMAIN is returned as it is (§5.1.2).
    public func wantsSynthesis(rcode: RCode, answer: [RRSet]) -> Bool {
        if rcode == .nxDomain { return false }
        if rcode != .noError { return true }
        for rrset in answer where rrset.type == .aaaa {
            for case .aaaa(let record) in rrset.rdatas
            where !excludedIPv6.contains(where: { NAT64Prefix.network($0, holds: record) }) {
                return false
            }
        }
        return true
    }

    /// The answer section for the AAAA question made from the A question's `answer`: its CNAME
    /// and DNAME links as they are, each A RRset as a AAAA RRset of its excluded-free addresses
    /// under the prefix (RFC 6147 §5.1.6), with the TTL the smaller of the A RRset's and
    /// `negativeTTL` — the AAAA denial's SOA bound, or 600 s when it had no SOA (§5.1.7). Empty
    /// when no A record is left to synthesise from.
    public func synthesised(from answer: [RRSet], negativeTTL: UInt32?) -> [RRSet] {
        var result: [RRSet] = []
        var addresses = 0
        for rrset in answer {
            guard rrset.type == .a else {
                if rrset.type == .cname || rrset.type == .dname {
                    result.append(
                        RRSet(
                            name: rrset.name, type: rrset.type, rrClass: rrset.rrClass, ttl: rrset.ttl,
                            rdatas: rrset.rdatas))
                }
                continue
            }
            let records: [RData] = rrset.rdatas.compactMap { rdata in
                guard case .a(let a) = rdata, !excludedIPv4.contains(where: { $0.contains(IPAddress(a)) }) else {
                    return nil
                }
                return .aaaa(prefix.embed(a))
            }
            guard !records.isEmpty else { continue }
            addresses += records.count
            let ttl = min(rrset.ttl, negativeTTL ?? Self.ttlWithoutSOA)
            result.append(RRSet(name: rrset.name, type: .aaaa, rrClass: rrset.rrClass, ttl: ttl, rdatas: records))
        }
        return addresses == 0 ? [] : result
    }
}
