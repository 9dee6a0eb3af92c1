// Primary responsibilities: the engine's view of an upstream address — the cache's
// UpstreamAddress, plus reading it from configuration text and from A/AAAA data, and the
// address-class check applied before anything is sent (no loopback or private targets unless
// the operator allows them).

public import DNSCache
public import DNSWire

/// An upstream server's address and port; one type shared with the infrastructure cache.
public typealias ServerAddress = UpstreamAddress

extension UpstreamAddress {
    /// The address of an A record, port 53.
    public init(_ record: A, port: UInt16 = 53) { self.init(host: .ipv4(record.address), port: port) }

    /// The address of an AAAA record, port 53.
    public init(_ record: AAAA, port: UInt16 = 53) {
        self.init(host: .ipv6(high: record.high, low: record.low), port: port)
    }

    /// Parses `address@port` or `address` (port 53): a dotted quad, or IPv6 text (RFC 4291 §2.2,
    /// with `::` and an embedded IPv4 tail), optionally bracketed.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        var port: UInt16 = 53
        if parts.count == 2 {
            guard let value = UInt16(parts[1]), value != 0 else { return nil }
            port = value
        }
        var address = Substring(parts[0])
        if address.hasPrefix("[") && address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        if address.contains(":") {
            guard let (high, low) = Self.parseIPv6(address) else { return nil }
            self.init(host: .ipv6(high: high, low: low), port: port)
        } else {
            guard let value = Self.parseIPv4(address) else { return nil }
            self.init(host: .ipv4(value), port: port)
        }
    }

    /// Whether the address is IPv6.
    public var isIPv6: Bool { if case .ipv6 = host { true } else { false } }

    /// Whether the address is loopback, private, link-local, unspecified, multicast or otherwise
    /// not public unicast (the RFC 6890 special-purpose registries). Upstream servers at such
    /// addresses are skipped unless `allow-private-upstreams` is set: a resolver that follows a
    /// referral to 127.0.0.1 or 10.0.0.1 can be turned against its own network.
    public var isSpecialPurpose: Bool {
        switch host {
        case .ipv4(let value):
            return Self.isSpecialPurpose(ipv4: value)
        case .ipv6(let high, let low):
            if high == 0 && (low == 0 || low == 1) { return true }  // :: and ::1
            if high == 0 && low >> 32 == 0xFFFF {  // IPv4-mapped: judge the IPv4 address
                return Self.isSpecialPurpose(ipv4: UInt32(truncatingIfNeeded: low))
            }
            let top = high >> 48
            return top & 0xFE00 == 0xFC00  // fc00::/7 unique local
                || top & 0xFFC0 == 0xFE80  // fe80::/10 link-local
                || top & 0xFF00 == 0xFF00  // ff00::/8 multicast
                || high >> 32 == 0x2001_0DB8  // 2001:db8::/32 documentation
        }
    }

    /// The IPv4 special-purpose blocks (RFC 6890 §2.2.2).
    private static func isSpecialPurpose(ipv4 value: UInt32) -> Bool {
        let first = value >> 24
        let second = (value >> 16) & 0xFF
        return first == 0 || first == 10 || first == 127 || first >= 224
            || (first == 100 && (second & 0xC0) == 64)  // 100.64.0.0/10 shared address space
            || (first == 169 && second == 254) || (first == 172 && (second & 0xF0) == 16)
            || (first == 192 && second == 168) || (first == 192 && second == 0 && (value >> 8) & 0xFF == 0)
            || (first == 198 && (second & 0xFE) == 18)
    }

    /// Parses a dotted quad with exactly four decimal parts of 0…255.
    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt8(part) else {
                return nil
            }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    /// Parses IPv6 text: up to eight hex groups, at most one `::`, and an optional dotted-quad tail.
    private static func parseIPv6(_ text: Substring) -> (UInt64, UInt64)? {
        // Split at the one permitted "::" by hand (no Foundation in the engine).
        var halves: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":" && next < text.endIndex && text[next] == ":" {
                halves.append(text[start..<index])
                start = text.index(after: next)
                index = start
                continue
            }
            index = next
        }
        halves.append(text[start...])
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (position, piece) in pieces.enumerated() {
                if position == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(truncatingIfNeeded: v4))
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return (all[0..<4].reduce(0) { $0 << 16 | UInt64($1) }, all[4..<8].reduce(0) { $0 << 16 | UInt64($1) })
    }
}
