// Primary responsibilities: parsing RDATA from presentation text, type by type, and the RFC 3597
// §5 generic `\# LEN HEX` form for any type (decoded into the typed value when the type is known).

extension RData {
    /// Parses RDATA text of `type`, e.g. `10 mail.example.` for MX.
    /// - Parameters:
    ///   - presentation: the RDATA part of a zone-file line (it may span lines inside parentheses).
    ///   - type: the record type.
    ///   - origin: completes relative names.
    /// - Throws: ``DNSWireError`` `badText` naming the line and column of the bad field.
    public init(presentation: some StringProtocol, type: RRType, origin: DomainName = .root) throws(DNSWireError) {
        var scanner = ZoneFileScanner(text: presentation)
        var tokens: [ZoneFileScanner.Token] = []
        while let entry = try scanner.nextEntry() { tokens += entry.tokens }
        let anchor = ZoneFileScanner.Token(text: Array(type.description.utf8), line: 1, column: 1)
        try self.init(tokens: tokens[...], type: type, origin: origin, anchor: anchor)
    }

    /// Parses RDATA from scanned tokens.
    /// - Parameters:
    ///   - tokens: the RDATA tokens.
    ///   - type: the record type.
    ///   - origin: completes relative names.
    ///   - anchor: the type token, where "missing field" errors point.
    init(
        tokens: ArraySlice<ZoneFileScanner.Token>, type: RRType, origin: DomainName, anchor: ZoneFileScanner.Token
    ) throws(DNSWireError) {
        var fields = PresentationFields(tokens, origin: origin, anchor: anchor)
        if let first = tokens.first, first.text == [0x5C, 0x23] {  // \#
            _ = try fields.next("\\#")
            self = try Self.generic(&fields, type: type, at: first)
            return
        }
        switch type {
        case .a:
            let token = try fields.next("address")
            guard let value = A(presentation: token.text) else { throw token.error("bad IPv4 address '\(token)'") }
            self = .a(value)
        case .aaaa:
            let token = try fields.next("address")
            guard let value = AAAA(presentation: token.text) else {
                throw token.error("bad IPv6 address '\(token)'")
            }
            self = .aaaa(value)
        case .ns:
            self = .ns(NS(nameServer: try fields.name("name server")))
        case .cname:
            self = .cname(CNAME(target: try fields.name("target")))
        case .ptr:
            self = .ptr(PTR(target: try fields.name("target")))
        case .dname:
            self = .dname(DNAME(target: try fields.name("target")))
        case .soa:
            self = .soa(
                SOA(
                    mname: try fields.name("MNAME"), rname: try fields.name("RNAME"),
                    serial: try fields.integer(UInt32.self, "serial"), refresh: try fields.duration("refresh"),
                    retry: try fields.duration("retry"), expire: try fields.duration("expire"),
                    minimum: try fields.duration("minimum")))
        case .mx:
            self = .mx(
                MX(preference: try fields.integer(UInt16.self, "preference"), exchange: try fields.name("exchange")))
        case .txt:
            var strings: [[UInt8]] = []
            for token in fields.rest() {
                let string = try token.characterStringBytes()
                guard string.count <= 255 else { throw token.error("character-string longer than 255 octets") }
                strings.append(string)
            }
            guard !strings.isEmpty else { throw anchor.error("missing text") }
            self = .txt(TXT(strings: strings))
        case .srv:
            self = .srv(
                SRV(
                    priority: try fields.integer(UInt16.self, "priority"),
                    weight: try fields.integer(UInt16.self, "weight"), port: try fields.integer(UInt16.self, "port"),
                    target: try fields.name("target")))
        case .ds, .cds:
            let value = DS(
                keyTag: try fields.integer(UInt16.self, "key tag"), algorithm: try fields.algorithm(),
                digestType: DigestType(try fields.integer(UInt8.self, "digest type")), digest: try fields.hexRest())
            self = type == .ds ? .ds(value) : .cds(value)
        case .dnskey, .cdnskey:
            let value = DNSKEY(
                flags: try fields.integer(UInt16.self, "flags"), protocol: try fields.integer(UInt8.self, "protocol"),
                algorithm: try fields.algorithm(), publicKey: try fields.base64Rest())
            self = type == .dnskey ? .dnskey(value) : .cdnskey(value)
        case .rrsig:
            self = .rrsig(
                RRSIG(
                    typeCovered: try fields.type("type covered"), algorithm: try fields.algorithm(),
                    labels: try fields.integer(UInt8.self, "labels"),
                    originalTTL: try fields.integer(UInt32.self, "original TTL"),
                    expiration: try Self.time(&fields, "expiration"), inception: try Self.time(&fields, "inception"),
                    keyTag: try fields.integer(UInt16.self, "key tag"), signerName: try fields.name("signer name"),
                    signature: try fields.base64Rest()))
        case .nsec:
            self = .nsec(NSEC(nextDomainName: try fields.name("next domain name"), types: try fields.typesRest()))
        case .nsec3:
            let algorithm = try fields.integer(UInt8.self, "hash algorithm")
            let flags = try fields.integer(UInt8.self, "flags")
            let iterations = try fields.integer(UInt16.self, "iterations")
            let salt = try fields.salt()
            let token = try fields.next("next hashed owner name")
            guard let next = BaseEncoding.decodeBase32Hex(token.text), !next.isEmpty, next.count <= 255 else {
                throw token.error("bad base32hex '\(token)'")
            }
            self = .nsec3(
                NSEC3(
                    hashAlgorithm: algorithm, flags: flags, iterations: iterations, salt: salt,
                    nextHashedOwnerName: next, types: try fields.typesRest()))
        case .nsec3param:
            self = .nsec3param(
                NSEC3PARAM(
                    hashAlgorithm: try fields.integer(UInt8.self, "hash algorithm"),
                    flags: try fields.integer(UInt8.self, "flags"),
                    iterations: try fields.integer(UInt16.self, "iterations"), salt: try fields.salt()))
        case .tlsa:
            self = .tlsa(
                TLSA(
                    usage: try fields.integer(UInt8.self, "usage"),
                    selector: try fields.integer(UInt8.self, "selector"),
                    matchingType: try fields.integer(UInt8.self, "matching type"), data: try fields.hexRest()))
        case .caa:
            let flags = try fields.integer(UInt8.self, "flags")
            let tagToken = try fields.next("tag")
            guard !tagToken.text.isEmpty, tagToken.text.count <= 255, tagToken.text.allSatisfy(Self.isLetterOrDigit)
            else { throw tagToken.error("bad CAA tag '\(tagToken)'") }
            let value = try fields.next("value").characterStringBytes()
            self = .caa(CAA(flags: flags, tag: tagToken.text, value: value))
        case .svcb, .https:
            let value = try SVCB(fields: &fields)
            self = type == .svcb ? .svcb(value) : .https(value)
        default:
            throw anchor.error("type \(type) takes only the generic form \\# LEN HEX")
        }
        try fields.finish()
    }

    /// Reads an RRSIG time stamp in either RFC 4034 §3.2 form.
    private static func time(_ fields: inout PresentationFields, _ what: String) throws(DNSWireError) -> UInt32 {
        let token = try fields.next(what)
        guard let value = DNSTime.parse(token.text) else { throw token.error("bad \(what) time '\(token)'") }
        return value
    }

    /// Reads the generic form after `\#` (RFC 3597 §5): the length, then hex in any number of tokens,
    /// and decodes the wire bytes as RDATA of `type`.
    private static func generic(
        _ fields: inout PresentationFields, type: RRType, at marker: ZoneFileScanner.Token
    ) throws(DNSWireError) -> RData {
        let length = try fields.integer(UInt16.self, "RDATA length")
        let (text, first) = fields.joinedRest()
        guard let bytes = BaseEncoding.decodeHex(text) else { throw (first ?? marker).error("bad hex") }
        guard bytes.count == Int(length) else {
            throw marker.error("generic RDATA has \(bytes.count) octets, length says \(length)")
        }
        var reader = WireReader(bytes)
        do throws(DNSWireError) {
            let rdata = try RData.decode(type: type, from: &reader)
            guard reader.isAtEnd else { throw DNSWireError(.rdataLengthMismatch, "octets left over") }
            return rdata
        } catch {
            throw marker.error("generic RDATA is not valid \(type): \(error.reason)")
        }
    }
}
