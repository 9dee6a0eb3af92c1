// Primary responsibilities: a CIDR network (address/prefix-length, RFC 4632 and RFC 4291 §2.3)
// for access control: parsing, normalising host bits, and matching client addresses. The
// configuration reads it and the listeners match with it: one type, beside IPAddress.

/// An IPv4 or IPv6 network in CIDR form, e.g. `127.0.0.0/8` or `::1/128`.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network address, host bits cleared.
    public let address: IPAddress
    /// The prefix length: 0…32 for IPv4, 0…128 for IPv6.
    public let prefixLength: Int

    /// Creates a network; host bits of `address` beyond the prefix are cleared (as Unbound does),
    /// so `192.0.2.1/24` means `192.0.2.0/24`.
    /// - Returns: nil when the prefix length is out of range for the family.
    public init?(address: IPAddress, prefixLength: Int) {
        switch address {
        case .v4(let value):
            guard (0...32).contains(prefixLength) else { return nil }
            let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << (32 - prefixLength)
            self.address = .v4(value & mask)
        case .v6(let high, let low):
            guard (0...128).contains(prefixLength) else { return nil }
            let (highMask, lowMask) = Self.masks(prefixLength)
            self.address = .v6(high: high & highMask, low: low & lowMask)
        }
        self.prefixLength = prefixLength
    }

    /// Parses `ADDRESS/PREFIX` or a bare address (a single host: /32 or /128).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        var length = address.isIPv6 ? 128 : 32
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = parsed
        }
        self.init(address: address, prefixLength: length)
    }

    /// The two 64-bit masks of an IPv6 prefix.
    private static func masks(_ length: Int) -> (UInt64, UInt64) {
        let highMask: UInt64 = length == 0 ? 0 : (length >= 64 ? ~0 : ~0 << (64 - length))
        let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~0 << (128 - length))
        return (highMask, lowMask)
    }

    /// True when `candidate` (IPv4-mapped IPv6 addresses read as IPv4) lies in this network.
    public func contains(_ candidate: IPAddress) -> Bool {
        switch (address, candidate.unmapped) {
        case (.v4(let network), .v4(let value)):
            let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << (32 - prefixLength)
            return value & mask == network
        case (.v6(let networkHigh, let networkLow), .v6(let high, let low)):
            let (highMask, lowMask) = Self.masks(prefixLength)
            return high & highMask == networkHigh && low & lowMask == networkLow
        default:
            return false
        }
    }

    /// `address/prefix`.
    public var description: String { "\(address)/\(prefixLength)" }
}
