// Primary responsibilities: identify an upstream server by address and port, without sockets or
// Foundation, as the key of the infrastructure cache.

/// An upstream server's transport address: IPv4 or IPv6 plus UDP/TCP port.
public struct UpstreamAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IP address.
    public enum Host: Hashable, Sendable {
        /// An IPv4 address, most significant octet first.
        case ipv4(UInt32)
        /// An IPv6 address as two big-endian halves.
        case ipv6(high: UInt64, low: UInt64)
    }

    /// The address.
    public var host: Host
    /// The port (53 for classic DNS).
    public var port: UInt16

    /// Creates an address.
    public init(host: Host, port: UInt16 = 53) {
        self.host = host
        self.port = port
    }

    /// An IPv4 address from its four octets.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16 = 53) -> UpstreamAddress {
        UpstreamAddress(host: .ipv4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)), port: port)
    }

    /// An IPv6 address from its sixteen octets (fewer are padded with zeros, more ignored).
    public static func ipv6(_ octets: [UInt8], port: UInt16 = 53) -> UpstreamAddress {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<16 {
            let octet = UInt64(index < octets.count ? octets[index] : 0)
            if index < 8 { high = high << 8 | octet } else { low = low << 8 | octet }
        }
        return UpstreamAddress(host: .ipv6(high: high, low: low), port: port)
    }

    /// `192.0.2.1@53` or `2001:db8:0:0:0:0:0:1@53` (uncompressed), as the configuration writes addresses.
    public var description: String {
        switch host {
        case .ipv4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)@\(port)"
        case .ipv6(let high, let low):
            let groups =
                (0..<4).map { String(high >> (48 - 16 * $0) & 0xFFFF, radix: 16) }
                + (0..<4).map { String(low >> (48 - 16 * $0) & 0xFFFF, radix: 16) }
            return groups.joined(separator: ":") + "@\(port)"
        }
    }
}
