// Primary responsibilities: IPv4-embedded IPv6 addresses (RFC 6052 §2.2): a NAT64 prefix of an
// allowed length, and the IPv4 address placed around the reserved u octet.

import DNSWire

/// A NAT64 prefix (RFC 6052 §2.2): 32, 40, 48, 56, 64 or 96 bits, with bits 64 to 71 (the "u"
/// octet) zero, since they must be zero in every IPv4-embedded address.
public struct NAT64Prefix: Hashable, Sendable, CustomStringConvertible {
    /// The prefix.
    public let network: IPNetwork

    /// The prefix lengths RFC 6052 §2.2 allows.
    public static let allowedLengths = [32, 40, 48, 56, 64, 96]

    /// The Well-Known Prefix (RFC 6052 §2.1).
    public static let wellKnown = NAT64Prefix(IPNetwork("64:ff9b::/96")!)!

    /// The prefix, or nil when `network` is IPv4, of another length, or sets the u octet.
    public init?(_ network: IPNetwork) {
        guard case .v6(_, let low) = network.address, Self.allowedLengths.contains(network.prefixLength),
            low >> 56 == 0
        else { return nil }
        self.network = network
    }

    /// The octet positions of the IPv4 address's four octets in the IPv6 address: from the end of
    /// the prefix on, skipping octet 8 (the u octet), with the suffix zero (RFC 6052 §2.2, Figure 1).
    var positions: [Int] {
        let start = network.prefixLength / 8
        return (0..<4).map { start + $0 >= 8 && start < 12 ? start + $0 + 1 : start + $0 }
    }

    /// The IPv4-embedded IPv6 address of `ipv4` (RFC 6052 §2.3).
    public func embed(_ ipv4: A) -> AAAA {
        guard case .v6(let high, let low) = network.address else { return AAAA(high: 0, low: 0) }
        var octets = AAAA(high: high, low: low).octets
        for (octet, position) in zip(ipv4.octets, positions) { octets[position] = octet }
        return AAAA(octets: octets)!
    }

    /// The IPv4 address `address` embeds, when it lies under this prefix (RFC 6052 §2.3).
    public func extract(_ address: AAAA) -> A? {
        guard Self.network(network, holds: address) else { return nil }
        let octets = address.octets
        let embedded = positions.map { octets[$0] }
        return A(embedded[0], embedded[1], embedded[2], embedded[3])
    }

    /// Whether `address` lies in the IPv6 `network`, read as it is: ``DNSWire/IPNetwork/contains(_:)``
    /// reads an IPv4-mapped address as IPv4, which is right for clients and wrong for AAAA data.
    public static func network(_ network: IPNetwork, holds address: AAAA) -> Bool {
        IPNetwork(address: IPAddress(address), prefixLength: network.prefixLength)?.address == network.address
    }

    /// `prefix/length`.
    public var description: String { network.description }
}
