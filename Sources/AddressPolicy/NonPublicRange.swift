// Primary responsibilities: the address ranges that must not appear in a public name's answer —
// private, shared, loopback, link-local, unique-local, "this network", unspecified — each with the
// RFC that sets it aside, for rebinding protection.

import DNSWire

/// An address range that is not reachable on the public Internet, with the rule that sets it aside.
///
/// A public name resolving into one of these is DNS rebinding: a page from that name's origin would
/// reach the client's own network or host (Jackson et al., "Protecting Browsers from DNS Rebinding
/// Attacks", CCS 2007). IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) are read as
/// the IPv4 address they carry (``DNSWire/IPNetwork/contains(_:)``), so the mapped forms are caught.
public struct NonPublicRange: Hashable, Sendable, CustomStringConvertible {
    /// The network.
    public let network: IPNetwork
    /// The rule, as the client's EDE text names it: `RFC 1918`.
    public let rule: String

    /// Creates a range.
    public init(_ network: String, _ rule: String) {
        self.network = IPNetwork(network)!
        self.rule = rule
    }

    /// `network (rule)`.
    public var description: String { "\(network) (\(rule))" }

    /// The ranges rebinding protection withholds, in the order they are tested.
    ///
    /// - 10/8, 172.16/12, 192.168/16: private use (RFC 1918 §3).
    /// - 100.64/10: shared address space behind carrier-grade NAT (RFC 6598 §7).
    /// - 127/8 and ::1: loopback (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3).
    /// - 169.254/16 and fe80::/10: link-local (RFC 3927 §2.1, RFC 4291 §2.5.6).
    /// - fc00::/7: unique local (RFC 4193 §3).
    /// - 0/8 and ::: "this network" and the unspecified address, which many stacks send to the host
    ///   itself (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2).
    /// - fec0::/10: the deprecated site-local range (RFC 3879 §4), still routed inside some sites.
    ///
    /// Not included: documentation, benchmarking and multicast ranges, which reach nothing a page
    /// could attack on the client's network; the NAT64 prefix is handled by embedding
    /// (``rule(for:)``).
    public static let rebinding: [NonPublicRange] = [
        NonPublicRange("10.0.0.0/8", "RFC 1918"),
        NonPublicRange("172.16.0.0/12", "RFC 1918"),
        NonPublicRange("192.168.0.0/16", "RFC 1918"),
        NonPublicRange("100.64.0.0/10", "RFC 6598"),
        NonPublicRange("127.0.0.0/8", "RFC 1122, loopback"),
        NonPublicRange("169.254.0.0/16", "RFC 3927, link-local"),
        NonPublicRange("0.0.0.0/8", "RFC 1122, this network"),
        NonPublicRange("::1/128", "RFC 4291, loopback"),
        NonPublicRange("::/128", "RFC 4291, unspecified"),
        NonPublicRange("fe80::/10", "RFC 4291, link-local"),
        NonPublicRange("fc00::/7", "RFC 4193"),
        NonPublicRange("fec0::/10", "RFC 3879, site-local"),
    ]

    /// The well-known NAT64 prefix (RFC 6052 §2.1), which must not carry a non-global IPv4
    /// address (RFC 6052 §3.1): one that does reaches that address through the NAT64.
    static let wellKnownNAT64 = IPNetwork("64:ff9b::/96")!

    /// The range `address` falls in, or nil for an address rebinding protection lets through; an
    /// address under the well-known NAT64 prefix is judged by the IPv4 address it embeds.
    public static func rule(for address: IPAddress) -> NonPublicRange? {
        if let range = rebinding.first(where: { $0.network.contains(address) }) { return range }
        if wellKnownNAT64.contains(address), case .v6(_, let low) = address {
            return rebinding.first { $0.network.contains(.v4(UInt32(truncatingIfNeeded: low))) }
        }
        return nil
    }
}
