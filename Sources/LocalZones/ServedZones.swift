// Primary responsibilities: the zones every resolver answers itself unless told otherwise — the
// private and special-use reverse zones of RFC 6303 and the IANA locally-served zones registry,
// `home.arpa.` (RFC 8375), and the special-use names `localhost.`, `invalid.`, `test.` (RFC 6761)
// and `onion.` (RFC 7686) — with what each holds.

import DNSWire

/// One locally served zone.
public struct ServedZone: Hashable, Sendable {
    /// The apex.
    public var name: DomainName
    /// Where the zone is defined, for the documentation and the log.
    public var reference: String
    /// Whether every name at or below the apex answers with the loopback addresses (`localhost.`,
    /// RFC 6761 §6.3) instead of being an empty zone.
    public var isLocalhost: Bool

    /// A zone.
    init(_ name: DomainName, _ reference: String, localhost: Bool = false) {
        self.name = name
        self.reference = reference
        self.isLocalhost = localhost
    }
}

/// The zones answered locally by default (`local.served-zones: true`).
///
/// Each is served as RFC 6303 §2.1 and §3 describe: an empty zone holding only its SOA and NS, so
/// a name below the apex is NXDOMAIN and the apex is NODATA for other types, the SOA and NS in the
/// authority section; such a query never reaches the root or the AS112 servers. Two exceptions:
/// `localhost.` and every name below it answer A 127.0.0.1 and AAAA ::1 (RFC 6761 §6.3: "an
/// immediate positive response giving the IP loopback address"), and the two loopback reverse
/// names, `1.0.0.127.in-addr.arpa.` and the reverse name of ::1, give PTR `localhost.` as
/// `gethostbyaddr` expects (Unbound does the same).
///
/// `test.` is answered NXDOMAIN as RFC 6761 §6.2 asks of caching servers ("SHOULD, by default,
/// generate immediate negative responses"); a lab or test bed that uses names under it names its
/// zone as a forward or stub zone, which takes precedence. `local.` (RFC 6762) is not served: many
/// offices run unicast DNS under it (Active Directory), and mDNS names never reach a unicast
/// resolver from a conforming stub. `resolver.arpa.` is the discovery stage's (RFC 9462 §6.4).
public enum ServedZones {
    /// Every zone, in the order of the registries.
    public static let all: [ServedZone] = reverseIPv4 + reverseIPv6 + specialUse

    /// The IPv4 zones: RFC 6303 §4.1 (RFC 1918), §4.2 (RFC 5735, RFC 5737) and RFC 7793 (RFC 6598
    /// shared address space, 100.64.0.0/10).
    static let reverseIPv4: [ServedZone] =
        [ServedZone("10.in-addr.arpa.", "RFC 6303 §4.1")]
        + (16...31).map { ServedZone(try! DomainName("\($0).172.in-addr.arpa."), "RFC 6303 §4.1") }
        + [
            ServedZone("168.192.in-addr.arpa.", "RFC 6303 §4.1"),
            ServedZone("0.in-addr.arpa.", "RFC 6303 §4.2"),
            ServedZone("127.in-addr.arpa.", "RFC 6303 §4.2"),
            ServedZone("254.169.in-addr.arpa.", "RFC 6303 §4.2"),
            ServedZone("2.0.192.in-addr.arpa.", "RFC 6303 §4.2"),
            ServedZone("100.51.198.in-addr.arpa.", "RFC 6303 §4.2"),
            ServedZone("113.0.203.in-addr.arpa.", "RFC 6303 §4.2"),
            ServedZone("255.255.255.255.in-addr.arpa.", "RFC 6303 §4.2"),
        ]
        + (64...127).map { ServedZone(try! DomainName("\($0).100.in-addr.arpa."), "RFC 7793 §2") }

    /// The IPv6 zones: RFC 6303 §4.3 (unique local, RFC 4193), §4.4 (link-local, fe80::/10), §4.5
    /// (documentation, 2001:db8::/32) and §4.6 (the unspecified address :: and the loopback ::1).
    static let reverseIPv6: [ServedZone] = [
        ServedZone("d.f.ip6.arpa.", "RFC 6303 §4.3"),
        ServedZone("8.e.f.ip6.arpa.", "RFC 6303 §4.4"),
        ServedZone("9.e.f.ip6.arpa.", "RFC 6303 §4.4"),
        ServedZone("a.e.f.ip6.arpa.", "RFC 6303 §4.4"),
        ServedZone("b.e.f.ip6.arpa.", "RFC 6303 §4.4"),
        ServedZone("8.b.d.0.1.0.0.2.ip6.arpa.", "RFC 6303 §4.5"),
        ServedZone(IPAddress.v6(high: 0, low: 0).reverseName, "RFC 6303 §4.6"),
        ServedZone(IPAddress.loopbackV6.reverseName, "RFC 6303 §4.6"),
    ]

    /// The special-use domains a resolver answers itself.
    static let specialUse: [ServedZone] = [
        ServedZone("home.arpa.", "RFC 8375 §4"),
        ServedZone("localhost.", "RFC 6761 §6.3", localhost: true),
        ServedZone("invalid.", "RFC 6761 §6.4"),
        ServedZone("test.", "RFC 6761 §6.2"),
        ServedZone("onion.", "RFC 7686 §2"),
    ]

    /// The records the zones hold besides their SOA and NS: the loopback PTRs, and the loopback
    /// addresses every name in `localhost.` gets (as the apex's, owner renamed at answer time).
    static let loopbackRecords: [Record] = [
        Record(
            name: IPAddress.loopbackV4.reverseName, ttl: LocalZoneTable.syntheticTTL,
            rdata: .ptr(PTR(target: "localhost."))),
        Record(
            name: IPAddress.loopbackV6.reverseName, ttl: LocalZoneTable.syntheticTTL,
            rdata: .ptr(PTR(target: "localhost."))),
        Record(name: "localhost.", ttl: LocalZoneTable.syntheticTTL, rdata: .a(A(127, 0, 0, 1))),
        Record(name: "localhost.", ttl: LocalZoneTable.syntheticTTL, rdata: .aaaa(AAAA(high: 0, low: 1))),
    ]
}
