// Primary responsibilities: decoding the "Base 32 Encoding with Extended Hex Alphabet" (RFC 4648 §7) that NSEC3
// owner labels use (RFC 5155 §3.3), without padding and case-insensitively, never trapping on bad input.

/// Base32hex decoding for NSEC3 hashed owner labels (RFC 4648 §7, RFC 5155 §3.3).
enum Base32Hex {
    /// Decodes an unpadded base32hex label (`0-9`, `a-v`, either case).
    ///
    /// - Returns: the octets, or `nil` for a character outside the alphabet, a length no octet string
    ///   encodes to (1, 3 or 6 characters modulo 8), or non-zero leftover bits (RFC 4648 §3.5 canonical form).
    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard ![1, 3, 6].contains(text.count % 8) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text {
            let value: UInt8
            switch character {
            case 0x30...0x39: value = character - 0x30
            case 0x41...0x56: value = character - 0x41 + 10
            case 0x61...0x76: value = character - 0x61 + 10
            default: return nil
            }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        guard buffer == 0 else { return nil }
        return output
    }
}
