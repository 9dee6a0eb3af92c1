// Primary responsibilities: printing RDATA in presentation format, type by type (RFC 1035 §5.1,
// RFC 3596, RFC 4034 §2.2–§5.3, RFC 5155 §3.3 and §4.3, RFC 6698 §2.2, RFC 8659 §4.1.1,
// RFC 9460 §2.1), and the RFC 3597 §5 generic form for everything else.

extension RData: CustomStringConvertible {
    /// The RDATA as presentation text, the part of a zone-file line after the type. Values that no
    /// typed form can express faithfully (an empty TXT, a CAA tag that is not a word) fall back to
    /// the generic `\# LEN HEX` form, so that printing and parsing always round-trip.
    public var description: String { presentation }

    /// The RDATA as presentation text; see ``description``.
    public var presentation: String {
        switch self {
        case .a(let value):
            return value.description
        case .aaaa(let value):
            return value.description
        case .ns(let value):
            return value.nameServer.description
        case .cname(let value):
            return value.target.description
        case .ptr(let value):
            return value.target.description
        case .dname(let value):
            return value.target.description
        case .soa(let value):
            return "\(value.mname) \(value.rname) \(value.serial) \(value.refresh) \(value.retry) \(value.expire) "
                + "\(value.minimum)"
        case .mx(let value):
            return "\(value.preference) \(value.exchange)"
        case .txt(let value):
            guard !value.strings.isEmpty, value.strings.allSatisfy({ $0.count <= 255 }) else {
                return genericPresentation
            }
            return value.strings.map { Self.quoted($0) }.joined(separator: " ")
        case .srv(let value):
            return "\(value.priority) \(value.weight) \(value.port) \(value.target)"
        case .ds(let value), .cds(let value):
            // RFC 4034 §5.3: the digest as hex; upper case, as dig prints it.
            return Self.fields(
                "\(value.keyTag) \(value.algorithm.rawValue) \(value.digestType.rawValue)",
                BaseEncoding.hex(value.digest))
        case .dnskey(let value), .cdnskey(let value):
            return Self.fields(
                "\(value.flags) \(value.protocol) \(value.algorithm.rawValue)", BaseEncoding.base64(value.publicKey))
        case .rrsig(let value):
            return Self.fields(
                "\(value.typeCovered) \(value.algorithm.rawValue) \(value.labels) \(value.originalTTL) "
                    + "\(DNSTime.format(value.expiration)) \(DNSTime.format(value.inception)) \(value.keyTag) "
                    + "\(value.signerName)",
                BaseEncoding.base64(value.signature))
        case .nsec(let value):
            return Self.fields(value.nextDomainName.description, value.types.description)
        case .nsec3(let value):
            guard !value.nextHashedOwnerName.isEmpty, value.salt.count <= 255,
                value.nextHashedOwnerName.count <= 255
            else { return genericPresentation }
            return Self.fields(
                "\(value.hashAlgorithm) \(value.flags) \(value.iterations) \(Self.salt(value.salt)) "
                    + BaseEncoding.base32Hex(value.nextHashedOwnerName),
                value.types.description)
        case .nsec3param(let value):
            guard value.salt.count <= 255 else { return genericPresentation }
            return "\(value.hashAlgorithm) \(value.flags) \(value.iterations) \(Self.salt(value.salt))"
        case .tlsa(let value):
            return Self.fields(
                "\(value.usage) \(value.selector) \(value.matchingType)", BaseEncoding.hex(value.data))
        case .caa(let value):
            let isWord = (1...255).contains(value.tag.count) && value.tag.allSatisfy(Self.isLetterOrDigit)
            guard isWord else { return genericPresentation }
            return "\(value.flags) \(String(decoding: value.tag, as: UTF8.self)) \(Self.quoted(value.value))"
        case .svcb(let value), .https(let value):
            return value.presentation
        case .unknown:
            return genericPresentation
        }
    }

    /// The RFC 3597 §5 generic form: `\#`, the RDATA length in octets, and the RDATA in hex.
    public var genericPresentation: String {
        var writer = WireWriter(capacity: 64)
        // Encoding fails only for values never decodable from the wire (a 256-octet string built in
        // code); the generic form then shows what could be written.
        try? encode(to: &writer, compress: false)
        return Self.fields("\\# \(writer.bytes.count)", BaseEncoding.hex(writer.bytes))
    }

    /// Joins fixed fields and a trailing field that may be empty, without a dangling blank.
    static func fields(_ head: String, _ tail: String) -> String { tail.isEmpty ? head : head + " " + tail }

    /// An NSEC3 salt: hex, or `-` when empty (RFC 5155 §3.3).
    static func salt(_ salt: [UInt8]) -> String { salt.isEmpty ? "-" : BaseEncoding.hex(salt) }

    /// Whether an octet is an ASCII letter or digit (CAA tags, RFC 8659 §4.1.1).
    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// A `<character-string>` in double quotes (RFC 1035 §5.1): `"` and `\` escaped with a
    /// backslash, octets outside printable ASCII as `\DDD`.
    /// - Parameter bytes: the string's octets.
    /// - Returns: the quoted text.
    public static func quoted(_ bytes: some Sequence<UInt8>) -> String {
        var text = "\""
        appendEscaped(bytes, to: &text)
        text.append("\"")
        return text
    }

    /// Appends octets with `"` and `\` escaped and non-printable octets as `\DDD`.
    static func appendEscaped(_ bytes: some Sequence<UInt8>, to text: inout String) {
        for byte in bytes {
            switch byte {
            case 0x22, 0x5C:
                text.append("\\")
                text.append(Character(Unicode.Scalar(byte)))
            case 0x20...0x7E:
                text.append(Character(Unicode.Scalar(byte)))
            default:
                let digits = String(byte)
                text.append("\\" + String(repeating: "0", count: 3 - digits.count) + digits)
            }
        }
    }
}
