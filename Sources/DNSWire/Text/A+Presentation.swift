// Primary responsibilities: IPv4 and IPv6 addresses as text — dotted quads, and IPv6 in the
// RFC 5952 canonical form — printed and parsed without Foundation or the C library.

extension A: CustomStringConvertible {
    /// Dotted-quad text, `192.0.2.1` (RFC 1035 §5.1 presentation of A RDATA).
    public var description: String { octets.map { String($0) }.joined(separator: ".") }

    /// Parses dotted-quad text: four decimal octets 0…255, no leading zeros beyond a single `0`,
    /// so that each address has one spelling.
    /// - Parameter text: the address as ASCII bytes.
    public init?(presentation text: some Collection<UInt8>) {
        let parts = text.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var address: UInt32 = 0
        for part in parts {
            guard let octet = Self.decimalOctet(part) else { return nil }
            address = address << 8 | UInt32(octet)
        }
        self.init(address: address)
    }

    /// One decimal octet of a dotted quad.
    /// - Parameter digits: one to three ASCII digits.
    /// - Returns: the value, or nil when it is not 0…255 written without leading zeros.
    static func decimalOctet(_ digits: some Collection<UInt8>) -> UInt8? {
        guard (1...3).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard digits.count == 1 || digits.first != 0x30 else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value <= 255 ? UInt8(value) : nil
    }
}

extension AAAA: CustomStringConvertible {
    /// The eight 16-bit groups, most significant first.
    var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * $0)) }
    }

    /// The RFC 5952 §4 canonical text: lower-case hex without leading zeros, the longest run of two
    /// or more zero groups (the first of equal runs) shortened to `::`, and IPv4-mapped addresses
    /// in mixed notation (§5), e.g. `2001:db8::1` and `::ffff:192.0.2.1`.
    public var description: String {
        let groups = self.groups
        if high == 0 && low >> 32 == 0xFFFF {
            return "::ffff:" + A(address: UInt32(truncatingIfNeeded: low)).description
        }
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for index in 0...groups.count {
            if index < groups.count && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart
                }
                runStart = -1
            }
        }
        /// Hex text of groups in `range`, colon-separated.
        func text(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return text(0..<8) }
        return text(0..<bestStart) + "::" + text((bestStart + bestLength)..<8)
    }

    /// Parses IPv6 text (RFC 4291 §2.2): up to eight groups of one to four hex digits, at most one
    /// `::`, and an optional dotted-quad tail standing for the last two groups.
    /// - Parameter text: the address as ASCII bytes.
    public init?(presentation text: some Collection<UInt8>) {
        let bytes = Array(text)
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        if bytes.starts(with: [0x3A, 0x3A]) {
            sawDoubleColon = true
            index = 2
        } else if bytes[0] == 0x3A {
            return nil
        }
        while index < bytes.count {
            var end = index
            while end < bytes.count && bytes[end] != 0x3A { end += 1 }
            let part = bytes[index..<end]
            if part.contains(0x2E) {
                // A dotted quad may only end the address.
                guard end == bytes.count, let v4 = A(presentation: part) else { return nil }
                let pair = [UInt16(v4.address >> 16), UInt16(truncatingIfNeeded: v4.address)]
                if sawDoubleColon { tail += pair } else { head += pair }
                index = end
                break
            }
            guard (1...4).contains(part.count) else { return nil }
            var value: UInt16 = 0
            for digit in part {
                guard let nibble = BaseEncoding.hexValue(digit) else { return nil }
                value = value << 4 | UInt16(nibble)
            }
            if sawDoubleColon { tail.append(value) } else { head.append(value) }
            index = end
            guard index < bytes.count else { break }
            // At a colon: either a separator or the start of `::`.
            if index + 1 < bytes.count && bytes[index + 1] == 0x3A {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 2
            } else {
                index += 1
                guard index < bytes.count else { return nil }  // a trailing single colon
            }
        }
        let count = head.count + tail.count
        if sawDoubleColon {
            guard count <= 7 else { return nil }
        } else {
            guard count == 8 else { return nil }
        }
        let groups = head + [UInt16](repeating: 0, count: 8 - count) + tail
        self.init(
            high: groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) },
            low: groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) })
    }
}
