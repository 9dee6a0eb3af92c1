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
    }

    /// The zone apex.
    package var zone: DomainName
    /// The name servers' host names, in the order given (empty for forward zones).
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
