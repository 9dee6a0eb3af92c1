// Primary responsibilities: the zone cut a resolution is working from — which zone, which name
// servers, which of their addresses are known — and how long the parent said it holds.

import DNSWire

/// A zone cut and the servers that answer for it (RFC 1034 §4.3.2 "SLIST").
package struct DelegationPoint: Hashable, Sendable {
    /// Where the servers' answers come from.
    package enum Source: Hashable, Sendable {
        /// The configured or built-in root hints (RFC 8109 §3), before priming.
        case hints
        /// A referral or a cached NS RRset.
        case delegation
        /// A configured forward zone: recursive servers asked with RD=1.
        case forward
        /// A configured stub zone: the zone's authoritative servers, asked with RD=0 like any
        /// delegation, whose addresses the operator gave instead of a parent's referral.
        case stub
    }

    /// The zone apex.
    package var zone: DomainName
    /// The name servers' host names, in the order given (empty for forward and stub zones).
    package var nameServers: [DomainName]
    /// Known addresses per name server (glue, cache, or configuration).
    package var addresses: [DomainName: [ServerAddress]]
    /// Where this cut came from.
    package var source: Source
    /// The wall-clock second the parent's NS RRset stops being valid; a child's own NS data never
    /// extends it (ghost domains, Jiang et al., NDSS 2012).
    package var expiry: Int64
    /// Whether the servers are asked only over DNS over TLS (a forward zone with `tls`).
    package var overTLS = false

    /// Creates a delegation point.
    package init(
        zone: DomainName, nameServers: [DomainName], addresses: [DomainName: [ServerAddress]], source: Source,
        expiry: Int64
    ) {
        self.zone = zone
        self.nameServers = nameServers
        self.addresses = addresses
        self.source = source
        self.expiry = expiry
    }

    /// Whether the servers are recursive forwarders.
    package var isForward: Bool { source == .forward }

    /// The delegation point of a configured zone: its servers by address only, valid until the
    /// configuration changes.
    static func configured(_ zone: DomainName, servers: [ServerAddress], source: Source) -> DelegationPoint {
        DelegationPoint(zone: zone, nameServers: [], addresses: [zone: servers], source: source, expiry: .max)
    }

    /// Every known address, name servers in order.
    package var allAddresses: [ServerAddress] {
        var seen: Set<ServerAddress> = []
        var result: [ServerAddress] = []
        for name in nameServers + addresses.keys.filter({ !nameServers.contains($0) }) {
            for address in addresses[name] ?? [] where seen.insert(address).inserted { result.append(address) }
        }
        return result
    }

    /// Name servers with no known address yet.
    package var unresolvedNameServers: [DomainName] { nameServers.filter { (addresses[$0] ?? []).isEmpty } }
}

/// A configured forward zone: names at or below `zone` are sent, RD=1, to recursive `servers`.
package struct ForwardZone: Hashable, Sendable {
    /// The zone apex; `.` forwards everything (the CPE setup).
    package var zone: DomainName
    /// The recursive servers, in order of preference.
    package var servers: [ServerAddress]
    /// When set, the servers are asked only over DNS over TLS and must prove who they are
    /// (RFC 7858 §4.2); never over UDP or TCP in clear text.
    package var tls: ForwarderTLS?

    /// Creates a forward zone.
    package init(zone: DomainName, servers: [ServerAddress], tls: ForwarderTLS? = nil) {
        self.zone = zone
        self.servers = servers
        self.tls = tls
    }
}

/// A configured stub zone: names at or below `zone` are resolved from its authoritative `servers`,
/// asked RD=0 (RFC 1035 §4.3.1) as if the parent had referred there, instead of from the root;
/// referrals below it are followed and answers cached as any authority's (RFC 2181 §5.4.1).
///
/// DNSSEC is not switched off by a stub zone: its data is judged by the chain of trust through the
/// public parent like any zone's (RFC 4035 §5), so a zone with a secure DS validates, one under a
/// proven unsigned delegation is insecure (RFC 4035 §4.3, e.g. `home.arpa.`, RFC 8375 §7), and a
/// private zone the signed parent proves absent is bogus unless it is under a negative trust anchor
/// (RFC 7646 §2) — which `insecure` adds for the zone.
package struct StubZone: Hashable, Sendable {
    /// The zone apex.
    package var zone: DomainName
    /// The zone's authoritative servers, in order of preference.
    package var servers: [ServerAddress]
    /// Whether the zone is a negative trust anchor (RFC 7646 §2): its answers are insecure, never
    /// bogus, for an unsigned private zone under a signed public parent.
    package var insecure: Bool

    /// Creates a stub zone.
    package init(zone: DomainName, servers: [ServerAddress], insecure: Bool = false) {
        self.zone = zone
        self.servers = servers
        self.insecure = insecure
    }
}
