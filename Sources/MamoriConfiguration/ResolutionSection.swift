// Primary responsibilities: the `resolution` section — root hints, upstream address families,
// private upstreams, QNAME minimisation, forward zones, the EDNS buffer size, the query timeout —
// in the engine's vocabulary (QNAMEMinimisation, ForwardZone), with the engine's defaults.

import DNSWire
import Resolver

/// How the resolver reaches authoritative servers (`resolution`).
package struct ResolutionSection: Hashable, Sendable {
    /// Where the root servers are listed (`root-hints`).
    package var rootHints: RootHintsSource
    /// Whether upstream servers may have loopback or private addresses (`allow-private-upstreams`);
    /// false by default so answers cannot steer the resolver into the local network.
    package var allowPrivateUpstreams: Bool
    /// Whether loopback upstreams (127.0.0.0/8, ::1) are never queried, even with
    /// ``allowPrivateUpstreams`` (`do-not-query-localhost`, Unbound's name and meaning). This is the
    /// value in force: when the file does not give the key it follows
    /// ``doNotQueryLocalhost(given:allowPrivateUpstreams:)``.
    package var doNotQueryLocalhost: Bool
    /// Whether upstream servers are queried over IPv4 (`ipv4`).
    package var ipv4: Bool
    /// Whether upstream servers are queried over IPv6 (`ipv6`).
    package var ipv6: Bool
    /// QNAME minimisation (RFC 9156) mode (`qname-minimisation`).
    package var qnameMinimisation: QNAMEMinimisation
    /// Zones sent to given servers instead of being resolved from the root (`forward-zones`).
    package var forwardZones: [ForwardZone]
    /// Zones resolved from given authoritative servers, asked RD=0, instead of from the root
    /// (`stub-zones`).
    package var stubZones: [StubZone]
    /// The EDNS UDP payload size we advertise and the largest UDP answer we send (`edns-buffer-size`,
    /// RFC 6891 §6.2.5; 1232 after DNS flag day 2020). 512…4096.
    package var ednsBufferSize: Int
    /// The longest one client query may be worked on before the resolver gives up with SERVFAIL
    /// (`query-timeout`, architecture.md §5: 10 s).
    package var queryTimeout: Duration
    /// How long a client waits for a resolution before it gets an answer while resolution goes on:
    /// stale data under `cache.serve-stale` (RFC 8767 §4, the client response timer), else SERVFAIL
    /// with EDE 22 saying so (`client-timeout`). Stub resolvers retry after 1–5 s; an answer before
    /// that lets them move on instead of sending the query again.
    package var clientTimeout: Duration
    /// Upstream queries outstanding at once, all resolutions together (`max-outstanding-queries`):
    /// each holds a socket, so this bounds the descriptors and memory a flood can take. Nil is
    /// `auto`: derived at start from the open-file limit.
    package var maxOutstandingQueries: Int?
    /// 0x20: the letters of each upstream query name in random case, and replies that do not echo
    /// them exactly retried over TCP (`case-randomisation`; draft-vixie-dnsext-dns0x20). Off by
    /// default, as in Unbound: some authorities answer in their own case.
    package var caseRandomisation: Bool
    /// Whether EDNS queries to upstream servers carry a DNS cookie, and replies with the wrong one are
    /// discarded (`send-cookies`, RFC 7873 §5.1, §5.3).
    package var sendCookies: Bool

    /// The defaults: the engine's own (``ResolverConfiguration``, ``ResolutionLimits``), so that
    /// a default is written once, where it acts.
    package init() {
        let engine = ResolverConfiguration()
        rootHints = .builtIn
        allowPrivateUpstreams = engine.allowPrivateUpstreams
        doNotQueryLocalhost = engine.doNotQueryLocalhost
        ipv4 = engine.useIPv4
        ipv6 = engine.useIPv6
        qnameMinimisation = engine.qnameMinimisation
        forwardZones = engine.forwardZones
        stubZones = engine.stubZones
        ednsBufferSize = Int(engine.ednsBufferSize)
        queryTimeout = engine.limits.resolutionTimeout
        clientTimeout = .milliseconds(2500)
        maxOutstandingQueries = nil
        caseRandomisation = engine.useCaseRandomisation
        sendCookies = engine.sendCookies
    }

    /// The apexes of the stub and forward zones: names the operator sends to given servers, which
    /// therefore are not answered locally (a locally served zone such as `168.192.in-addr.arpa.`,
    /// RFC 6303 §3, is turned off by naming it here).
    package var configuredZoneNames: [DomainName] { stubZones.map(\.zone) + forwardZones.map(\.zone) }

    /// `do-not-query-localhost` in force: the value given, or when the key is absent the engine's
    /// default (true) unless `allow-private-upstreams` is true, which then keeps loopback
    /// upstreams allowed as before the key existed (the lab's servers are on 127.10.0.0/16).
    package static func doNotQueryLocalhost(given: Bool?, allowPrivateUpstreams: Bool) -> Bool {
        given ?? (allowPrivateUpstreams ? false : ResolverConfiguration().doNotQueryLocalhost)
    }
}

/// Where the root name servers' names and addresses come from (`root-hints`); the engine's
/// ``Resolver/RootHints`` is what is read from it.
package enum RootHintsSource: Hashable, Sendable {
    /// The list compiled into the resolver.
    case builtIn
    /// A file of zone-file NS and A/AAAA lines, absolute path; the resolver parses it.
    case file(String)
}
