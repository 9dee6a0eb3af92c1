// Primary responsibilities: what the operator decides about resolution, as the engine sees it
// (the daemon maps the `resolution:` section of mamori.yaml onto this).

import DNSWire

/// How much of the query name each server is shown (RFC 9156); the raw values are the
/// configuration's words (`resolution.qname-minimisation`).
package enum QNAMEMinimisation: String, Hashable, Sendable, CaseIterable {
    /// Send the full name to every server (RFC 1034 behaviour).
    case off
    /// Minimise, and send the full name again when a server answers a minimised query with
    /// NXDOMAIN, REFUSED, SERVFAIL or FORMERR (broken empty-non-terminal handling, RFC 9156 §2.3).
    case relaxed
    /// Minimise and believe every answer: NXDOMAIN for an ancestor ends the resolution (RFC 8020).
    case strict
}

/// The resolution settings.
package struct ResolverConfiguration: Hashable, Sendable {
    /// Where resolution starts when the cache knows nothing.
    package var rootHints: RootHints = .builtIn
    /// Zones sent to recursive forwarders instead of being resolved from the root.
    package var forwardZones: [ForwardZone] = []
    /// Zones resolved from given authoritative servers (RD=0) instead of from the root.
    package var stubZones: [StubZone] = []
    /// QNAME minimisation mode; relaxed by default as in Unbound and Knot.
    package var qnameMinimisation: QNAMEMinimisation = .relaxed
    /// Send queries to IPv4 servers.
    package var useIPv4 = true
    /// Send queries to IPv6 servers (and look up AAAA for name servers).
    package var useIPv6 = true
    /// Allow upstream servers on loopback, private and other special-purpose addresses.
    package var allowPrivateUpstreams = false
    /// Never send to 127.0.0.0/8 or ::1, even when ``allowPrivateUpstreams`` is set (Unbound's
    /// `do-not-query-localhost`): a referral or glue pointing at loopback would make the resolver
    /// query the host's own services.
    package var doNotQueryLocalhost = true
    /// The EDNS UDP payload size advertised upstream (DNS Flag Day 2020: 1232).
    package var ednsBufferSize = EDNS.flagDay2020PayloadSize
    /// Set DO on upstream queries so that signatures and proofs come back (RFC 4035 §4.1).
    package var dnssecOK = true
    /// Randomise the case of query names and require the echo to match (draft-vixie-dnsext-dns0x20).
    /// Off by default: some authoritative servers do not preserve case.
    package var useCaseRandomisation = false
    /// Send a DNS cookie with every EDNS query (RFC 7873 §5.1) and discard replies that echo another
    /// client cookie (RFC 7873 §5.3). On by default, as in BIND and Knot Resolver: servers that do
    /// not know the option ignore it (RFC 6891 §6.1.2).
    package var sendCookies = true
    /// The limits on work per client query.
    package var limits = ResolutionLimits()
    /// Answer from expired cache entries, with EDE 3 (Stale Answer), when resolution fails or a
    /// client has waited too long (RFC 8767 §4). The cache must keep expired entries for this
    /// (its `serveStale` setting). Off by default, as in every peer.
    package var serveStale = false
    /// Refresh a cached RRset in the background when a client asks for it in the last tenth of
    /// its TTL, so popular names never expire for their users (Unbound's `prefetch`). Off by default.
    package var prefetch = false
    /// DNSSEC validation: anchors, limits, supported algorithms (off unless enabled).
    package var validation = ValidationSettings()

    /// The defaults.
    package init() {}

    /// The deepest forward zone that holds `name`, if any.
    package func forwardZone(for name: DomainName) -> ForwardZone? {
        Self.deepest(forwardZones, holding: name, apex: \.zone)
    }

    /// The deepest stub zone that holds `name`, if any.
    package func stubZone(for name: DomainName) -> StubZone? {
        Self.deepest(stubZones, holding: name, apex: \.zone)
    }

    /// The zone among `zones` whose apex is the closest enclosing name of `name`, if any.
    static func deepest<Zone>(_ zones: [Zone], holding name: DomainName, apex: (Zone) -> DomainName) -> Zone? {
        zones.filter { name.isSubdomain(of: apex($0)) }.max { apex($0).labelCount < apex($1).labelCount }
    }
}
