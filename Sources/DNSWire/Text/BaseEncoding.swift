// Primary responsibilities: the binary-to-text encodings of presentation format — base16 (hex),
// base64 and base32hex without padding (RFC 4648 §8, §4, §7) — written without Foundation.

/// Encoders and strict decoders for the RFC 4648 alphabets that DNS presentation format uses.
///
/// Decoders return nil on any character outside the alphabet, a bad length or stray padding, so the
/// zone-file parser can report "bad base64" (or hex, base32hex) with the line and column.
public enum BaseEncoding {
    /// The base64 alphabet (RFC 4648 §4, Table 1).
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    /// The base32hex alphabet (RFC 4648 §7, Table 4), the one NSEC3 uses (RFC 5155 §3.3).
    private static let base32HexAlphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUV".utf8)
    /// Upper-case hexadecimal digits, as dig prints DS digests.
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    // MARK: - Base16

    /// Hex digits, upper case, two per octet (RFC 4648 §8).
    /// - Parameter bytes: the data.
    /// - Returns: the text, empty for no data.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The value of one hex digit, either case.
    /// - Parameter digit: an ASCII byte.
    /// - Returns: 0…15, or nil when `digit` is not a hex digit.
    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x41...0x46: digit - 0x41 + 10
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }

    /// Decodes hex text (either case, an even number of digits, nothing else).
    /// - Parameter text: the digits as ASCII bytes.
    /// - Returns: the data, or nil when the text is not hex.
    public static func decodeHex(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(text.count / 2)
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let highValue = hexValue(high), let lowValue = hexValue(low) else { return nil }
            result.append(highValue << 4 | lowValue)
        }
        return result
    }

    // MARK: - Base64

    /// Base64 with padding (RFC 4648 §4), as DNSKEY and RRSIG presentation uses (RFC 4034 §2.2, §3.2).
    /// - Parameter bytes: the data.
    /// - Returns: the text, empty for no data.
    public static func base64(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if chunk > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if chunk > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                if position <= chunk {
                    text.append(base64Alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3F)])
                } else {
                    text.append(0x3D)  // =
                }
            }
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The 6-bit value of one base64 character.
    /// - Parameter character: an ASCII byte.
    /// - Returns: 0…63, or nil outside the alphabet.
    private static func base64Value(_ character: UInt8) -> UInt32? {
        switch character {
        case 0x41...0x5A: UInt32(character - 0x41)
        case 0x61...0x7A: UInt32(character - 0x61 + 26)
        case 0x30...0x39: UInt32(character - 0x30 + 52)
        case 0x2B: 62
        case 0x2F: 63
        default: nil
        }
    }

    /// Decodes padded base64 (RFC 4648 §4): a multiple of four characters, `=` only at the end.
    /// - Parameter text: the characters as ASCII bytes, whitespace already removed.
    /// - Returns: the data, or nil when the text is not base64.
    public static func decodeBase64(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(text.count / 4 * 3)
        var index = 0
        while index < text.count {
            var group: UInt32 = 0
            var padding = 0
            for position in 0..<4 {
                let character = text[index + position]
                if character == 0x3D {
                    // Padding: only the last one or two characters of the final group.
                    guard index + 4 == text.count, position >= 2 else { return nil }
                    padding += 1
                    group <<= 6
                } else {
                    guard padding == 0, let value = base64Value(character) else { return nil }
                    group = group << 6 | value
                }
            }
            result.append(UInt8(truncatingIfNeeded: group >> 16))
            if padding < 2 { result.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if padding < 1 { result.append(UInt8(truncatingIfNeeded: group)) }
            index += 4
        }
        return result
    }

    /// Decodes base64url without padding (RFC 4648 §5, as RFC 8484 §4.1 carries a DNS query in a
    /// URI): `-` and `_` in place of `+` and `/`; trailing `=` is tolerated.
    /// - Parameter text: the characters as ASCII bytes.
    /// - Returns: the data, or nil when the text is not base64url.
    public static func decodeBase64URL(_ text: [UInt8]) -> [UInt8]? {
        var standard: [UInt8] = []
        standard.reserveCapacity(text.count + 3)
        for character in text {
            switch character {
            case 0x2D: standard.append(0x2B)  // - → +
            case 0x5F: standard.append(0x2F)  // _ → /
            case 0x2B, 0x2F: return nil  // not in the URL alphabet
            default: standard.append(character)
            }
        }
        while standard.last == 0x3D { standard.removeLast() }
        guard standard.count % 4 != 1 else { return nil }
        while standard.count % 4 != 0 { standard.append(0x3D) }
        return decodeBase64(standard)
    }

    // MARK: - Base32hex

    /// Base32hex, upper case, without padding (RFC 4648 §7; RFC 5155 §3.3 for NSEC3).
    /// - Parameter bytes: the data.
    /// - Returns: the text, empty for no data.
    public static func base32Hex(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                text.append(base32HexAlphabet[Int(buffer >> UInt32(bits) & 0x1F)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { text.append(base32HexAlphabet[Int(buffer << UInt32(5 - bits) & 0x1F)]) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes unpadded base32hex, either case. The length must be one an encoder can produce and the
    /// unused low bits of the last character must be zero, so every value has exactly one spelling.
    /// - Parameter text: the characters as ASCII bytes.
    /// - Returns: the data, or nil when the text is not base32hex.
    public static func decodeBase32Hex(_ text: [UInt8]) -> [UInt8]? {
        guard [0, 2, 4, 5, 7].contains(text.count % 8) else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(text.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text {
            let value: UInt32
            switch character {
            case 0x30...0x39: value = UInt32(character - 0x30)
            case 0x41...0x56: value = UInt32(character - 0x41 + 10)
            case 0x61...0x76: value = UInt32(character - 0x61 + 10)
            default: return nil
            }
            buffer = buffer << 5 | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                result.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        guard buffer == 0 else { return nil }
        return result
    }
}
