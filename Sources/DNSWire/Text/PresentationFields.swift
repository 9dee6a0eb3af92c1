// Primary responsibilities: reading the fields of one RDATA (or record) from scanned tokens —
// integers, durations, names relative to an origin, and the runs of base64/hex that may be split
// over several tokens — with every error naming the token's line and column.

/// A cursor over the tokens of one record's RDATA.
struct PresentationFields {
    /// The tokens not read yet.
    private(set) var tokens: ArraySlice<ZoneFileScanner.Token>
    /// The origin relative names are completed with.
    let origin: DomainName
    /// The token errors point at when a field is missing (the type mnemonic).
    let anchor: ZoneFileScanner.Token

    /// Creates a cursor.
    /// - Parameters:
    ///   - tokens: the RDATA tokens.
    ///   - origin: the origin for relative names.
    ///   - anchor: where "missing field" errors point.
    init(_ tokens: ArraySlice<ZoneFileScanner.Token>, origin: DomainName, anchor: ZoneFileScanner.Token) {
        self.tokens = tokens
        self.origin = origin
        self.anchor = anchor
    }

    /// Whether every token has been read.
    var isAtEnd: Bool { tokens.isEmpty }

    /// Takes the next token.
    /// - Parameter what: the field's name, for the error.
    /// - Throws: `badText` "missing <what>" when none is left.
    mutating func next(_ what: String) throws(DNSWireError) -> ZoneFileScanner.Token {
        guard let token = tokens.popFirst() else { throw anchor.error("missing \(what)") }
        return token
    }

    /// Takes every remaining token.
    mutating func rest() -> ArraySlice<ZoneFileScanner.Token> {
        defer { tokens = tokens[tokens.endIndex...] }
        return tokens
    }

    /// Throws unless every token has been read.
    func finish() throws(DNSWireError) {
        if let extra = tokens.first { throw extra.error("unexpected '\(extra)'") }
    }

    /// Reads an unsigned decimal integer.
    /// - Parameters:
    ///   - type: the integer type, whose range bounds the value.
    ///   - what: the field's name.
    mutating func integer<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, _ what: String
    ) throws(DNSWireError) -> T {
        let token = try next(what)
        guard let value = Self.decimal(token.text, as: type) else { throw token.error("bad \(what) '\(token)'") }
        return value
    }

    /// Parses unsigned decimal digits that fit `T`.
    /// - Returns: the value, or nil for no digits, a non-digit or overflow.
    static func decimal<T: FixedWidthInteger & UnsignedInteger>(_ text: [UInt8], as type: T.Type) -> T? {
        guard !text.isEmpty, text.count <= 20 else { return nil }
        var value: T = 0
        for byte in text {
            guard (0x30...0x39).contains(byte) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(T(byte - 0x30))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }

    /// Reads a duration: decimal seconds, or BIND's unit form such as `1h30m` or `2W` (units w, d, h,
    /// m, s, either case), at most 2^32 − 1 seconds.
    /// - Parameter what: the field's name.
    mutating func duration(_ what: String) throws(DNSWireError) -> UInt32 {
        let token = try next(what)
        guard let value = Self.duration(token.text) else { throw token.error("bad \(what) '\(token)'") }
        return value
    }

    /// Parses a duration; see ``duration(_:)``.
    static func duration(_ text: [UInt8]) -> UInt32? {
        if let plain = decimal(text, as: UInt32.self) { return plain }
        guard !text.isEmpty, text.count <= 40 else { return nil }
        var total: UInt64 = 0
        var number: UInt64 = 0
        var digits = 0
        for byte in text {
            if (0x30...0x39).contains(byte) {
                number = number * 10 + UInt64(byte - 0x30)
                digits += 1
                guard digits <= 10 else { return nil }
                continue
            }
            let unit: UInt64
            switch byte | 0x20 {
            case 0x77: unit = 604_800  // w
            case 0x64: unit = 86_400  // d
            case 0x68: unit = 3_600  // h
            case 0x6D: unit = 60  // m
            case 0x73: unit = 1  // s
            default: return nil
            }
            guard digits > 0 else { return nil }
            total += number * unit
            guard total <= UInt64(UInt32.max) else { return nil }
            number = 0
            digits = 0
        }
        guard digits == 0 else { return nil }
        return UInt32(total)
    }

    /// Reads a domain name, relative names completed with ``origin`` and `@` meaning the origin.
    /// - Parameter what: the field's name.
    mutating func name(_ what: String) throws(DNSWireError) -> DomainName {
        let token = try next(what)
        return try Self.name(token, origin: origin, what: what)
    }

    /// Parses a token as a domain name.
    static func name(
        _ token: ZoneFileScanner.Token, origin: DomainName, what: String
    ) throws(DNSWireError)
        -> DomainName
    {
        guard !token.isQuoted else { throw token.error("\(what) may not be quoted") }
        do {
            return try DomainName(String(decoding: token.text, as: UTF8.self), origin: origin)
        } catch {
            throw token.error("bad \(what) '\(token)': \(error.reason)")
        }
    }

    /// Reads a DNSSEC algorithm: its number, or its mnemonic (`ECDSAP256SHA256`).
    mutating func algorithm() throws(DNSWireError) -> DNSSECAlgorithm {
        let token = try next("algorithm")
        if let value = Self.decimal(token.text, as: UInt8.self) { return DNSSECAlgorithm(value) }
        let text = token.description.uppercased()
        for value in UInt8.min...UInt8.max where DNSSECAlgorithm(value).description == text {
            return DNSSECAlgorithm(value)
        }
        throw token.error("bad algorithm '\(token)'")
    }

    /// Reads a type mnemonic or `TYPEnnn` (RFC 3597 §5).
    mutating func type(_ what: String) throws(DNSWireError) -> RRType {
        let token = try next(what)
        return try Self.type(token)
    }

    /// Parses a token as a type mnemonic or `TYPEnnn`.
    static func type(_ token: ZoneFileScanner.Token) throws(DNSWireError) -> RRType {
        guard let type = RRType(mnemonic: token.description), !token.isQuoted else {
            throw token.error("unknown type '\(token)'")
        }
        return type
    }

    /// Reads the remaining tokens as one run of text with the blanks between them removed, as
    /// base64 and hex fields may be split over several tokens (RFC 4034 §2.2).
    mutating func joinedRest() -> (bytes: [UInt8], first: ZoneFileScanner.Token?) {
        let rest = rest()
        return (rest.flatMap(\.text), rest.first)
    }

    /// Reads the remaining tokens as base64 (RFC 4648 §4); nothing at all is empty data.
    mutating func base64Rest() throws(DNSWireError) -> [UInt8] {
        let (text, first) = joinedRest()
        guard let first else { return [] }
        guard let bytes = BaseEncoding.decodeBase64(text) else { throw first.error("bad base64") }
        return bytes
    }

    /// Reads the remaining tokens as hex; nothing at all is empty data.
    mutating func hexRest() throws(DNSWireError) -> [UInt8] {
        let (text, first) = joinedRest()
        guard let first else { return [] }
        guard let bytes = BaseEncoding.decodeHex(text) else { throw first.error("bad hex") }
        return bytes
    }

    /// Reads the remaining tokens as a type list (NSEC and NSEC3 type bitmaps, RFC 4034 §4.2).
    mutating func typesRest() throws(DNSWireError) -> TypeBitmap {
        var types: [RRType] = []
        for token in rest() { types.append(try Self.type(token)) }
        return TypeBitmap(types)
    }

    /// Reads an NSEC3 salt: hex, or `-` for none (RFC 5155 §3.3).
    mutating func salt() throws(DNSWireError) -> [UInt8] {
        let token = try next("salt")
        if token.text == [0x2D] { return [] }
        guard let salt = BaseEncoding.decodeHex(token.text), !salt.isEmpty, salt.count <= 255 else {
            throw token.error("bad salt '\(token)'")
        }
        return salt
    }
}
