// Primary responsibilities: the IANA registries the resolver speaks, as open structs with static
// members (a value nobody named yet is still representable), printing their mnemonics, or the
// RFC 3597 generic form for unknown values.

/// A resource record TYPE (RFC 1035 §3.2.2; IANA "Resource Record (RR) TYPEs").
public struct RRType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 16-bit TYPE value.
    public let rawValue: UInt16
    /// Creates a type from its value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Creates a type from its value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = RRType(1)
    public static let ns = RRType(2)
    public static let md = RRType(3)
    public static let mf = RRType(4)
    public static let cname = RRType(5)
    public static let soa = RRType(6)
    public static let mb = RRType(7)
    public static let mg = RRType(8)
    public static let mr = RRType(9)
    public static let null = RRType(10)
    public static let ptr = RRType(12)
    public static let hinfo = RRType(13)
    public static let minfo = RRType(14)
    public static let mx = RRType(15)
    public static let txt = RRType(16)
    public static let rp = RRType(17)
    public static let afsdb = RRType(18)
    public static let rt = RRType(21)
    public static let sig = RRType(24)
    public static let key = RRType(25)
    public static let px = RRType(26)
    public static let aaaa = RRType(28)
    public static let nxt = RRType(30)
    public static let srv = RRType(33)
    public static let naptr = RRType(35)
    public static let kx = RRType(36)
    public static let a6 = RRType(38)
    public static let dname = RRType(39)
    public static let opt = RRType(41)
    public static let ds = RRType(43)
    public static let sshfp = RRType(44)
    public static let rrsig = RRType(46)
    public static let nsec = RRType(47)
    public static let dnskey = RRType(48)
    public static let nsec3 = RRType(50)
    public static let nsec3param = RRType(51)
    public static let tlsa = RRType(52)
    public static let cds = RRType(59)
    public static let cdnskey = RRType(60)
    public static let zonemd = RRType(63)
    public static let svcb = RRType(64)
    public static let https = RRType(65)
    public static let tkey = RRType(249)
    public static let tsig = RRType(250)
    public static let ixfr = RRType(251)
    public static let axfr = RRType(252)
    public static let any = RRType(255)
    public static let caa = RRType(257)

    /// Mnemonics of the named types, by value.
    private static let mnemonics: [UInt16: String] = [
        1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
        12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 21: "RT", 24: "SIG",
        25: "KEY", 26: "PX", 28: "AAAA", 30: "NXT", 33: "SRV", 35: "NAPTR", 36: "KX", 38: "A6", 39: "DNAME",
        41: "OPT", 43: "DS", 44: "SSHFP", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3", 51: "NSEC3PARAM",
        52: "TLSA", 59: "CDS", 60: "CDNSKEY", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS", 249: "TKEY", 250: "TSIG",
        251: "IXFR", 252: "AXFR", 255: "ANY", 257: "CAA",
    ]

    /// Values by mnemonic, for presentation text.
    private static let values: [String: UInt16] = Dictionary(
        uniqueKeysWithValues: mnemonics.map { ($0.value, $0.key) })

    /// The mnemonic, or `TYPEnnn` (RFC 3597 §5).
    public var description: String { Self.mnemonics[rawValue] ?? "TYPE\(rawValue)" }

    /// Parses a mnemonic (case-insensitive) or the RFC 3597 `TYPEnnn` form.
    public init?(mnemonic: some StringProtocol) {
        let upper = mnemonic.uppercased()
        if let value = Self.values[upper] {
            self.init(value)
        } else if upper.hasPrefix("TYPE"), let value = UInt16(upper.dropFirst(4)) {
            self.init(value)
        } else {
            return nil
        }
    }

    /// Orders by numeric value (the NSEC type bitmap order).
    public static func < (lhs: RRType, rhs: RRType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Meta-types and QTYPEs that never appear as data in a zone (RFC 6895 §3.1).
    public var isMetaType: Bool { (128...255).contains(rawValue) || self == .opt }
}

/// A resource record CLASS (RFC 1035 §3.2.4).
public struct RRClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit CLASS value.
    public let rawValue: UInt16
    /// Creates a class from its value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Creates a class from its value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let `in` = RRClass(1)
    public static let ch = RRClass(3)
    public static let hs = RRClass(4)
    public static let none = RRClass(254)
    public static let any = RRClass(255)

    /// The mnemonic, or `CLASSnnn` (RFC 3597 §5).
    public var description: String {
        switch rawValue {
        case 1: "IN"
        case 3: "CH"
        case 4: "HS"
        case 254: "NONE"
        case 255: "ANY"
        default: "CLASS\(rawValue)"
        }
    }

    /// Parses a mnemonic (case-insensitive) or the RFC 3597 `CLASSnnn` form.
    public init?(mnemonic: some StringProtocol) {
        switch mnemonic.uppercased() {
        case "IN": self = .in
        case "CH": self = .ch
        case "HS": self = .hs
        case "NONE": self = .none
        case "ANY": self = .any
        case let text where text.hasPrefix("CLASS"):
            guard let value = UInt16(text.dropFirst(5)) else { return nil }
            self.init(value)
        default: return nil
        }
    }
}

/// A response code, 12 bits wide when EDNS carries the upper 8 (RFC 6891 §6.1.3).
public struct RCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 12-bit RCODE value.
    public let rawValue: UInt16
    /// Creates a code from its value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Creates a code from its value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = RCode(0)
    public static let formErr = RCode(1)
    public static let servFail = RCode(2)
    public static let nxDomain = RCode(3)
    public static let notImp = RCode(4)
    public static let refused = RCode(5)
    public static let yxDomain = RCode(6)
    public static let yxRRSet = RCode(7)
    public static let nxRRSet = RCode(8)
    public static let notAuth = RCode(9)
    public static let notZone = RCode(10)
    /// Bad OPT version (RFC 6891 §6.1.3); needs EDNS to be expressed.
    public static let badVers = RCode(16)
    /// Bad server cookie (RFC 7873 §8); needs EDNS to be expressed.
    public static let badCookie = RCode(23)

    /// The mnemonic as dig prints it, or `RCODEnnn`.
    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        case 16: "BADVERS"
        case 23: "BADCOOKIE"
        default: "RCODE\(rawValue)"
        }
    }
}

/// A message OPCODE (RFC 1035 §4.1.1).
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit OPCODE value.
    public let rawValue: UInt8
    /// Creates an opcode from its value.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Creates an opcode from its value.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let query = Opcode(0)
    public static let iquery = Opcode(1)
    public static let status = Opcode(2)
    public static let notify = Opcode(4)
    public static let update = Opcode(5)

    /// The mnemonic, or `OPCODEnnn`.
    public var description: String {
        switch rawValue {
        case 0: "QUERY"
        case 1: "IQUERY"
        case 2: "STATUS"
        case 4: "NOTIFY"
        case 5: "UPDATE"
        default: "OPCODE\(rawValue)"
        }
    }
}

/// A DNSSEC algorithm number (IANA "DNS Security Algorithm Numbers", RFC 8624 §3.1).
public struct DNSSECAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 8-bit algorithm number.
    public let rawValue: UInt8
    /// Creates an algorithm from its number.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Creates an algorithm from its number.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let rsamd5 = DNSSECAlgorithm(1)
    public static let dsa = DNSSECAlgorithm(3)
    public static let rsasha1 = DNSSECAlgorithm(5)
    public static let dsaNSEC3SHA1 = DNSSECAlgorithm(6)
    public static let rsasha1NSEC3SHA1 = DNSSECAlgorithm(7)
    public static let rsasha256 = DNSSECAlgorithm(8)
    public static let rsasha512 = DNSSECAlgorithm(10)
    public static let eccGOST = DNSSECAlgorithm(12)
    public static let ecdsaP256SHA256 = DNSSECAlgorithm(13)
    public static let ecdsaP384SHA384 = DNSSECAlgorithm(14)
    public static let ed25519 = DNSSECAlgorithm(15)
    public static let ed448 = DNSSECAlgorithm(16)
    public static let privateDNS = DNSSECAlgorithm(253)
    public static let privateOID = DNSSECAlgorithm(254)

    /// The mnemonic from the IANA registry, or the number.
    public var description: String {
        switch rawValue {
        case 1: "RSAMD5"
        case 3: "DSA"
        case 5: "RSASHA1"
        case 6: "DSA-NSEC3-SHA1"
        case 7: "RSASHA1-NSEC3-SHA1"
        case 8: "RSASHA256"
        case 10: "RSASHA512"
        case 12: "ECC-GOST"
        case 13: "ECDSAP256SHA256"
        case 14: "ECDSAP384SHA384"
        case 15: "ED25519"
        case 16: "ED448"
        case 253: "PRIVATEDNS"
        case 254: "PRIVATEOID"
        default: "\(rawValue)"
        }
    }
}

/// A DS digest type (IANA "Delegation Signer (DS) Resource Record Digest Algorithms").
public struct DigestType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 8-bit digest type.
    public let rawValue: UInt8
    /// Creates a digest type from its number.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Creates a digest type from its number.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let sha1 = DigestType(1)
    public static let sha256 = DigestType(2)
    public static let gost = DigestType(3)
    public static let sha384 = DigestType(4)

    /// The mnemonic, or the number.
    public var description: String {
        switch rawValue {
        case 1: "SHA-1"
        case 2: "SHA-256"
        case 3: "GOST"
        case 4: "SHA-384"
        default: "\(rawValue)"
        }
    }
}

/// An EDNS(0) option code (IANA "DNS EDNS0 Option Codes").
public struct EDNSOptionCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit option code.
    public let rawValue: UInt16
    /// Creates an option code from its value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Creates an option code from its value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let nsid = EDNSOptionCode(3)
    public static let clientSubnet = EDNSOptionCode(8)
    public static let cookie = EDNSOptionCode(10)
    public static let tcpKeepalive = EDNSOptionCode(11)
    public static let padding = EDNSOptionCode(12)
    public static let extendedDNSError = EDNSOptionCode(15)

    /// The mnemonic, or `OPTnnn`.
    public var description: String {
        switch rawValue {
        case 3: "NSID"
        case 8: "ECS"
        case 10: "COOKIE"
        case 11: "KEEPALIVE"
        case 12: "PADDING"
        case 15: "EDE"
        default: "OPT\(rawValue)"
        }
    }
}

/// An Extended DNS Error INFO-CODE (RFC 8914 §4).
public struct EDECode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit INFO-CODE.
    public let rawValue: UInt16
    /// Creates a code from its value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Creates a code from its value.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let other = EDECode(0)
    public static let unsupportedDNSKEYAlgorithm = EDECode(1)
    public static let unsupportedDSDigestType = EDECode(2)
    public static let staleAnswer = EDECode(3)
    public static let forgedAnswer = EDECode(4)
    public static let dnssecIndeterminate = EDECode(5)
    public static let dnssecBogus = EDECode(6)
    public static let signatureExpired = EDECode(7)
    public static let signatureNotYetValid = EDECode(8)
    public static let dnskeyMissing = EDECode(9)
    public static let rrsigsMissing = EDECode(10)
    public static let noZoneKeyBitSet = EDECode(11)
    public static let nsecMissing = EDECode(12)
    public static let cachedError = EDECode(13)
    public static let notReady = EDECode(14)
    public static let blocked = EDECode(15)
    public static let censored = EDECode(16)
    public static let filtered = EDECode(17)
    public static let prohibited = EDECode(18)
    public static let staleNXDOMAINAnswer = EDECode(19)
    public static let notAuthoritative = EDECode(20)
    public static let notSupported = EDECode(21)
    public static let noReachableAuthority = EDECode(22)
    public static let networkError = EDECode(23)
    public static let invalidData = EDECode(24)
    public static let signatureExpiredBeforeValid = EDECode(25)
    public static let tooEarly = EDECode(26)
    public static let unsupportedNSEC3Iterations = EDECode(27)
    public static let unableToConformToPolicy = EDECode(28)
    public static let synthesized = EDECode(29)

    /// The registry's name for the code, as dig prints it.
    public var description: String {
        switch rawValue {
        case 0: "Other"
        case 1: "Unsupported DNSKEY Algorithm"
        case 2: "Unsupported DS Digest Type"
        case 3: "Stale Answer"
        case 4: "Forged Answer"
        case 5: "DNSSEC Indeterminate"
        case 6: "DNSSEC Bogus"
        case 7: "Signature Expired"
        case 8: "Signature Not Yet Valid"
        case 9: "DNSKEY Missing"
        case 10: "RRSIGs Missing"
        case 11: "No Zone Key Bit Set"
        case 12: "NSEC Missing"
        case 13: "Cached Error"
        case 14: "Not Ready"
        case 15: "Blocked"
        case 16: "Censored"
        case 17: "Filtered"
        case 18: "Prohibited"
        case 19: "Stale NXDOMAIN Answer"
        case 20: "Not Authoritative"
        case 21: "Not Supported"
        case 22: "No Reachable Authority"
        case 23: "Network Error"
        case 24: "Invalid Data"
        case 25: "Signature Expired before Valid"
        case 26: "Too Early"
        case 27: "Unsupported NSEC3 Iterations Value"
        case 28: "Unable to conform to policy"
        case 29: "Synthesized"
        default: "EDE\(rawValue)"
        }
    }
}
