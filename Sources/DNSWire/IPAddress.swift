// Primary responsibilities: the one IP address type every target shares — clients, listening
// addresses, upstream servers — as two fixed-width integers (cheap to compare and hash, no
// allocation), with text forms from the A/AAAA presentation code and the address-class checks
// the resolver and access control need.

/// An IPv4 or IPv6 address.
///
/// Stored as integers, most significant octet first: matching a client against a network costs
/// two masks and two compares, and the value fits in a register pair.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address.
    case v4(UInt32)
    /// An IPv6 address: the first and last 64 bits.
    case v6(high: UInt64, low: UInt64)

    /// The IPv4 loopback address 127.0.0.1.
    public static let loopbackV4 = IPAddress.v4(0x7F00_0001)
    /// The IPv6 loopback address ::1.
    public static let loopbackV6 = IPAddress.v6(high: 0, low: 1)

    /// The address of an A record.
    public init(_ record: A) { self = .v4(record.address) }

    /// The address of an AAAA record.
    public init(_ record: AAAA) { self = .v6(high: record.high, low: record.low) }

    /// Parses a dotted quad or RFC 4291 §2.2 IPv6 text, optionally in brackets (`[::1]`).
    /// Zone indexes (`%eth0`) are not accepted.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        if bytes.first == 0x5B && bytes.last == 0x5D { bytes = Array(bytes.dropFirst().dropLast()) }
        if bytes.contains(0x3A) {
            guard let address = AAAA(presentation: bytes) else { return nil }
            self.init(address)
        } else {
            guard let address = A(presentation: bytes) else { return nil }
            self.init(address)
        }
    }

    /// Creates an IPv6 address from its 16 octets in network order.
    public init(ipv6Bytes bytes: some Collection<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.prefix(16).enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self = .v6(high: high, low: low)
    }

    /// Whether this is an IPv6 address.
    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2),
    /// else the address itself: a client is matched by the address it really has.
    public var unmapped: IPAddress {
        if case .v6(0, let low) = self, low >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: low)) }
        return self
    }

    /// Whether this is the unspecified address (0.0.0.0 or ::), that is a wildcard bind.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let value): value == 0
        case .v6(let high, let low): high == 0 && low == 0
        }
    }

    /// Whether this is 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch unmapped {
        case .v4(let value): value >> 24 == 127
        case .v6(let high, let low): high == 0 && low == 1
        }
    }

    /// Whether the address is loopback, private, link-local, unspecified, multicast, shared,
    /// benchmarking or documentation space — not a public unicast address (the RFC 6890
    /// special-purpose registries). A resolver must not follow a referral to such an address unless
    /// told to (`allow-private-upstreams`): it could be turned against its own network.
    public var isSpecialPurpose: Bool {
        switch unmapped {
        case .v4(let value):
            let first = value >> 24
            let second = (value >> 16) & 0xFF
            return first == 0 || first == 10 || first == 127 || first >= 224  // RFC 1122, 1918, 5771, 1112
                || (first == 100 && second & 0xC0 == 64)  // 100.64.0.0/10 shared (RFC 6598)
                || (first == 169 && second == 254)  // link-local (RFC 3927)
                || (first == 172 && second & 0xF0 == 16)  // RFC 1918
                || (first == 192 && second == 168)  // RFC 1918
                || (first == 192 && second == 0 && (value >> 8) & 0xFF == 0)  // IETF protocol assignments
                || (first == 198 && second & 0xFE == 18)  // benchmarking (RFC 2544)
        case .v6(let high, let low):
            if high == 0 && low <= 1 { return true }  // :: and ::1
            let top = high >> 48
            return top & 0xFE00 == 0xFC00  // unique local fc00::/7 (RFC 4193)
                || top & 0xFFC0 == 0xFE80  // link-local fe80::/10
                || top & 0xFF00 == 0xFF00  // multicast ff00::/8
                || high >> 32 == 0x2001_0DB8  // documentation 2001:db8::/32 (RFC 3849)
        }
    }

    /// The address in its 4 or 16 network-order octets.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return A(address: value).octets
        case .v6(let high, let low):
            return AAAA(high: high, low: low).octets
        }
    }

    /// Dotted quad, or RFC 5952 text for IPv6.
    public var description: String {
        switch self {
        case .v4(let value): A(address: value).description
        case .v6(let high, let low): AAAA(high: high, low: low).description
        }
    }
}

/// An IP address with a port: a listening address, a client, or an upstream server.
public struct ServiceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var host: IPAddress
    /// The port.
    public var port: UInt16

    /// Creates an address with a port.
    public init(host: IPAddress, port: UInt16 = 53) {
        self.host = host
        self.port = port
    }

    /// Parses `ADDR@PORT` or `ADDR` (then `defaultPort`), the notation Unbound and Knot use,
    /// which keeps IPv6 literals free of bracket rules: `127.0.0.1@53`, `::1@53`,
    /// `[2001:db8::1]@5353`.
    /// - Returns: nil for anything else, including port 0.
    public init?(_ text: some StringProtocol, defaultPort: UInt16 = 53) {
        let text = Substring(text)
        var hostText = text
        var port = defaultPort
        if let at = text.lastIndex(of: "@") {
            hostText = text[..<at]
            let portText = text[text.index(after: at)...]
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), let value = UInt16(portText), value > 0 else {
                return nil
            }
            port = value
        }
        guard let host = IPAddress(hostText) else { return nil }
        self.init(host: host, port: port)
    }

    /// `ADDR@PORT`, the configuration notation.
    public var description: String { "\(host)@\(port)" }
}
