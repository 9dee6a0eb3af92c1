// Primary responsibilities: Discovery of Designated Resolvers (RFC 9462) — `_dns.resolver.arpa`
// SVCB answered with this resolver's encrypted endpoints, so stubs that know only its address
// upgrade to DNS over TLS by themselves — and `resolver.arpa` answered here, never sent upstream.

import DNSSEC
import DNSWire
import LocalZones
import Resolver
import ResolverServer

/// The stage before the cache that owns `resolver.arpa` (RFC 9462 §6.4: a resolver answers it
/// itself).
///
/// `_dns.resolver.arpa` SVCB gets one ServiceMode record per encrypted protocol served (RFC 9462
/// §4, RFC 9461: `alpn`, `port` unless the protocol's default, `dohpath` for DoH, and address hints
/// from the listeners' specific addresses), whose TargetName is the first DNS name of the
/// certificate: a client checks that name, or for verified discovery the address it asked, against
/// the certificate (§4.2). Every other question in the zone, and the SVCB question when there is no
/// encrypted listener or no certificate name, gets NODATA, as §6.4 asks of a locally served zone
/// (RFC 6303). Answers are local, not validated: no AD (status insecure), AA clear, the zone's SOA
/// in the authority section of negative answers.
package struct DesignatedResolverStage: LocalAnswerStage {
    /// One encrypted protocol this resolver serves.
    package struct Endpoint: Hashable, Sendable {
        /// The ALPN protocol ID: `dot` or `h2`.
        package var alpn: String
        /// The port clients connect to.
        package var port: UInt16
        /// The URI template of DNS over HTTPS (RFC 9461 §5), nil for DoT.
        package var dohPath: String?
        /// The addresses it listens on, given as hints (RFC 9460 §7.3); wildcard addresses are left
        /// out, since they say nothing a client can use.
        package var addresses: [IPAddress]

        /// Creates an endpoint.
        package init(alpn: String, port: UInt16, dohPath: String? = nil, addresses: [IPAddress] = []) {
            self.alpn = alpn
            self.port = port
            self.dohPath = dohPath
            self.addresses = addresses
        }

        /// The DoT endpoints of listeners bound to `addresses`: one per port.
        package static func dnsOverTLS(_ addresses: [ServiceAddress]) -> [Endpoint] {
            perPort(addresses) { Endpoint(alpn: "dot", port: $0, addresses: $1) }
        }

        /// The DoH endpoints of listeners bound to `addresses` serving `path`: one per port, the
        /// URI template `path{?dns}` (RFC 9461 §5, RFC 8484 §4.1).
        package static func dnsOverHTTPS(_ addresses: [ServiceAddress], path: String) -> [Endpoint] {
            perPort(addresses) { Endpoint(alpn: "h2", port: $0, dohPath: path + "{?dns}", addresses: $1) }
        }

        /// One endpoint per distinct port of `addresses`, in order, with that port's hosts.
        private static func perPort(
            _ addresses: [ServiceAddress], _ make: (UInt16, [IPAddress]) -> Endpoint
        ) -> [Endpoint] {
            var ports: [UInt16] = []
            for address in addresses where !ports.contains(address.port) { ports.append(address.port) }
            return ports.map { port in make(port, addresses.filter { $0.port == port }.map(\.host)) }
        }

        /// The port a client assumes for this protocol when the record names none (RFC 7858 §3.1: 853
        /// for DoT; 443 for HTTPS).
        var defaultPort: UInt16 { dohPath == nil ? 853 : 443 }
    }

    /// The special-use zone (RFC 9462 §6.4, IANA's special-use domain names).
    static let zone: DomainName = "resolver.arpa."
    /// The name clients ask (RFC 9462 §4).
    static let discoveryName: DomainName = "_dns.resolver.arpa."
    /// TTL of the answers: short, so clients notice a change of endpoints soon.
    static let ttl: UInt32 = 300

    /// The SVCB RRset, nil when there is nothing to designate.
    let designations: RRSet?

    /// A stage designating `endpoints` under `target` (the certificate's name), preferred in order.
    package init(target: DomainName?, endpoints: [Endpoint]) {
        guard let target, !endpoints.isEmpty else {
            designations = nil
            return
        }
        let records = endpoints.enumerated().map { index, endpoint in
            RData.svcb(SVCB(priority: UInt16(index + 1), target: target, parameters: Self.parameters(of: endpoint)))
        }
        designations = RRSet(name: Self.discoveryName, type: .svcb, ttl: Self.ttl, rdatas: records)
    }

    /// The SvcParams of `endpoint`, in increasing key order (RFC 9460 §2.2).
    static func parameters(of endpoint: Endpoint) -> [SVCB.Parameter] {
        let hints = endpoint.addresses.filter { !$0.isUnspecified }
        var parameters = [SVCB.Parameter(key: 1, value: [UInt8(endpoint.alpn.utf8.count)] + Array(endpoint.alpn.utf8))]
        if endpoint.port != endpoint.defaultPort {
            parameters.append(SVCB.Parameter(key: 3, value: [UInt8(endpoint.port >> 8), UInt8(endpoint.port & 0xFF)]))
        }
        let v4 = hints.filter { !$0.isIPv6 }.flatMap(\.bytes)
        if !v4.isEmpty { parameters.append(SVCB.Parameter(key: 4, value: v4)) }
        let v6 = hints.filter(\.isIPv6).flatMap(\.bytes)
        if !v6.isEmpty { parameters.append(SVCB.Parameter(key: 6, value: v6)) }
        if let path = endpoint.dohPath { parameters.append(SVCB.Parameter(key: 7, value: Array(path.utf8))) }
        return parameters
    }

    /// The zone's SOA, for negative answers (RFC 2308 §3), in the style of the locally served zones
    /// of RFC 6303 §3.
    static let soa = LocalZoneTable.syntheticSOA(zone, ttl: ttl)

    /// The answer for a name in `resolver.arpa`, nil for any other name.
    package func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        guard question.name.isSubdomain(of: Self.zone) else { return nil }
        if question.name == Self.discoveryName && question.type == .svcb, let designations {
            return Resolution(rcode: .noError, answer: [designations], status: .insecure)
        }
        if question.name == Self.zone && question.type == .soa {
            return Resolution(rcode: .noError, answer: [Self.soa], status: .insecure)
        }
        return Resolution(rcode: .noError, authority: [Self.soa], status: .insecure)
    }
}
