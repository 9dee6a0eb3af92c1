// Primary responsibilities: the EDNS(0) pseudo-record (RFC 6891) pulled out of the additional
// section, and its options: cookies (RFC 7873), Extended DNS Errors (RFC 8914), padding (RFC 7830).

/// The EDNS(0) data of a message, from its OPT record (RFC 6891 §6.1).
public struct EDNS: Hashable, Sendable {
    /// The requestor's UDP payload size (the OPT CLASS field).
    public var udpPayloadSize: UInt16
    /// The EDNS version; only 0 is defined (RFC 6891 §6.1.3).
    public var version: UInt8
    /// The DNSSEC OK bit (RFC 3225 §3).
    public var dnssecOK: Bool
    /// The other flag bits (Z), kept as received, DO excluded.
    public var otherFlags: UInt16
    /// The options, in order.
    public var options: [EDNSOption]

    /// The UDP payload size recommended since DNS Flag Day 2020: 1232 bytes fit an IPv6 packet of
    /// the minimum MTU (1280) without fragmentation. Every default payload size in Mamori is this one.
    public static let flagDay2020PayloadSize: UInt16 = 1232

    /// Creates EDNS data.
    public init(
        udpPayloadSize: UInt16 = flagDay2020PayloadSize, version: UInt8 = 0, dnssecOK: Bool = false,
        otherFlags: UInt16 = 0,
        options: [EDNSOption] = []
    ) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.otherFlags = otherFlags
        self.options = options
    }

    /// The Extended DNS Errors among the options.
    public var extendedErrors: [ExtendedDNSError] {
        options.compactMap { if case .extendedDNSError(let error) = $0 { error } else { nil } }
    }

    /// The cookie option, if any.
    public var cookie: (client: [UInt8], server: [UInt8])? {
        for option in options { if case .cookie(let client, let server) = option { return (client, server) } }
        return nil
    }

    /// Whether a COOKIE option has a length other than 8 or 16–40 (RFC 7873 §4): decoding keeps such
    /// an option as ``EDNSOption/unknown(_:_:)``, and RFC 7873 §5.2.2 and §5.3 make it an error.
    public var hasMalformedCookie: Bool {
        options.contains { if case .unknown(.cookie, _) = $0 { true } else { false } }
    }

    /// Encoded size of the OPT record: root owner, fixed fields, options.
    var encodedSize: Int { options.reduce(11) { $0 + 4 + $1.dataLength } }
}

/// An Extended DNS Error (RFC 8914 §2): a code and optional UTF-8 text for a person.
public struct ExtendedDNSError: Hashable, Sendable, CustomStringConvertible {
    /// The INFO-CODE.
    public var code: EDECode
    /// The EXTRA-TEXT (UTF-8, may be empty).
    public var extraText: String

    /// Creates an EDE.
    public init(_ code: EDECode, _ extraText: String = "") {
        self.code = code
        self.extraText = extraText
    }

    /// `code (name): text`, as dig prints it.
    public var description: String {
        extraText.isEmpty ? "\(code.rawValue) (\(code))" : "\(code.rawValue) (\(code)): \(extraText)"
    }
}

/// One EDNS option (RFC 6891 §6.1.2).
public enum EDNSOption: Hashable, Sendable {
    /// DNS Cookie: 8-byte client cookie and 8…32-byte server cookie, or none (RFC 7873 §4).
    case cookie(client: [UInt8], server: [UInt8])
    /// Extended DNS Error (RFC 8914 §2).
    case extendedDNSError(ExtendedDNSError)
    /// Padding of this many octets (RFC 7830 §3); sent as zeros.
    case padding(Int)
    /// Any other option, kept as received.
    case unknown(EDNSOptionCode, [UInt8])

    /// The option code.
    public var code: EDNSOptionCode {
        switch self {
        case .cookie: .cookie
        case .extendedDNSError: .extendedDNSError
        case .padding: .padding
        case .unknown(let code, _): code
        }
    }

    /// The OPTION-LENGTH.
    var dataLength: Int {
        switch self {
        case .cookie(let client, let server): client.count + server.count
        case .extendedDNSError(let error): 2 + min(error.extraText.utf8.count, Self.maxExtraTextLength)
        case .padding(let count): min(max(count, 0), Int(UInt16.max))
        case .unknown(_, let data): min(data.count, Int(UInt16.max))
        }
    }

    /// Most EXTRA-TEXT octets sent, so the option length fits 16 bits.
    static let maxExtraTextLength = Int(UInt16.max) - 2

    /// Decodes one option's data. A malformed known option is kept as ``unknown(_:_:)`` rather
    /// than failing the message: options are advisory, and the caller decides what to do.
    static func decode(code: EDNSOptionCode, data: [UInt8]) -> EDNSOption {
        switch code {
        case .cookie where data.count == 8 || (16...40).contains(data.count):
            return .cookie(client: Array(data[0..<8]), server: Array(data[8...]))
        case .extendedDNSError where data.count >= 2:
            let infoCode = EDECode(UInt16(data[0]) << 8 | UInt16(data[1]))
            // RFC 8914 §2: EXTRA-TEXT is UTF-8 and "SHOULD NOT" be NUL-terminated; tolerate NUL
            // padding by dropping every trailing NUL, so that decoding is idempotent (a fuzzer finding:
            // dropping only one turned "x\0\0" into "x\0", which decoded again as "x").
            var text = Array(data[2...])
            while text.last == 0 { text.removeLast() }
            return .extendedDNSError(ExtendedDNSError(infoCode, String(decoding: text, as: UTF8.self)))
        case .padding:
            return .padding(data.count)
        default:
            return .unknown(code, data)
        }
    }

    /// Writes code, length and data.
    func encode(to writer: inout WireWriter) {
        writer.writeUInt16(code.rawValue)
        writer.writeUInt16(UInt16(dataLength))
        switch self {
        case .cookie(let client, let server):
            writer.writeBytes(client)
            writer.writeBytes(server)
        case .extendedDNSError(let error):
            writer.writeUInt16(error.code.rawValue)
            writer.writeBytes(error.extraText.utf8.prefix(Self.maxExtraTextLength))
        case .padding:
            writer.writeBytes(repeatElement(0, count: dataLength))
        case .unknown(_, let data):
            writer.writeBytes(data.prefix(dataLength))
        }
    }
}
