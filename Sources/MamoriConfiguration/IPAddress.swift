// Primary responsibilities: an IPv4 or IPv6 address as two fixed-width integers, so that access
// control can match a client on the hot path without allocating; text parsing and printing
// through inet_pton/inet_ntop (RFC 4291 §2.2 text forms, RFC 5952 output).

#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address.
///
/// Stored as integers (most significant octet first) rather than bytes: comparing a client with
/// a network then costs two masks and two compares.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address, most significant octet first.
    case v4(UInt32)
    /// An IPv6 address: the first and last 64 bits, most significant octet first.
    case v6(high: UInt64, low: UInt64)

    /// The IPv4 loopback address 127.0.0.1.
    public static let loopbackV4 = IPAddress.v4(0x7F00_0001)
    /// The IPv6 loopback address ::1.
    public static let loopbackV6 = IPAddress.v6(high: 0, low: 1)

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text; nil when it is neither.
    /// An IPv6 literal may be written in brackets (`[::1]`); zone indexes (`%eth0`) are not accepted.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            self = withUnsafeBytes(of: &storage) { IPAddress(ipv6Bytes: $0) }
        } else {
            var storage = in_addr()
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            self = .v4(UInt32(bigEndian: storage.s_addr))
        }
    }

    /// Creates an IPv6 address from its 16 octets in network order.
    public init(ipv6Bytes bytes: UnsafeRawBufferPointer) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        self = .v6(high: high, low: low)
    }

    /// True for IPv6 addresses.
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

    /// True for the unspecified address (0.0.0.0 or ::), that is a wildcard bind.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let value): value == 0
        case .v6(let high, let low): high == 0 && low == 0
        }
    }

    /// True for 127.0.0.0/8 and ::1.
    public var isLoopback: Bool {
        switch self.unmapped {
        case .v4(let value): value >> 24 == 127
        case .v6(let high, let low): high == 0 && low == 1
        }
    }

    /// The address in its 4 or 16 network-order octets.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// The conventional text form (RFC 5952 for IPv6, via inet_ntop).
    public var description: String {
        var output = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv6 ? AF_INET6 : AF_INET
        let octets = bytes
        let ok = octets.withUnsafeBytes { source in
            inet_ntop(family, source.baseAddress, &output, socklen_t(output.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
