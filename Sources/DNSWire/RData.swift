// Primary responsibilities: the one table of record types — how each RDATA is decoded, encoded,
// compressed and canonicalised. Decompression, canonical form and presentation all follow it.

/// Record data: typed for the types Mamori interprets or shows, opaque bytes otherwise (RFC 3597).
public enum RData: Hashable, Sendable {
    case a(A)
    case ns(NS)
    case cname(CNAME)
    case soa(SOA)
    case ptr(PTR)
    case mx(MX)
    case txt(TXT)
    case aaaa(AAAA)
    case srv(SRV)
    case dname(DNAME)
    case ds(DS)
    case cds(DS)
    case rrsig(RRSIG)
    case nsec(NSEC)
    case dnskey(DNSKEY)
    case cdnskey(DNSKEY)
    case nsec3(NSEC3)
    case nsec3param(NSEC3PARAM)
    case tlsa(TLSA)
    case caa(CAA)
    case svcb(SVCB)
    case https(SVCB)
    /// Any other type, RDATA kept as uncompressed bytes (RFC 3597 §3).
    case unknown(RRType, [UInt8])

    /// The record type this data belongs to.
    public var type: RRType {
        switch self {
        case .a: .a
        case .ns: .ns
        case .cname: .cname
        case .soa: .soa
        case .ptr: .ptr
        case .mx: .mx
        case .txt: .txt
        case .aaaa: .aaaa
        case .srv: .srv
        case .dname: .dname
        case .ds: .ds
        case .cds: .cds
        case .rrsig: .rrsig
        case .nsec: .nsec
        case .dnskey: .dnskey
        case .cdnskey: .cdnskey
        case .nsec3: .nsec3
        case .nsec3param: .nsec3param
        case .tlsa: .tlsa
        case .caa: .caa
        case .svcb: .svcb
        case .https: .https
        case .unknown(let type, _): type
        }
    }

    // MARK: - Decoding

    /// Decodes RDATA of `type` from exactly the bytes left in `reader` (the caller bounds it to RDLENGTH).
    ///
    /// Names are decompressed only in the RFC 1035 types and those RFC 3597 §4 lists (SRV, RP,
    /// AFSDB, RT, PX, NAPTR, …); a pointer in any other type's RDATA is an error.
    public static func decode(type: RRType, from reader: inout WireReader) throws(DNSWireError) -> RData {
        switch type {
        case .a:
            guard reader.remaining == 4 else { throw DNSWireError(.badRData, "A RDATA must be 4 octets") }
            return .a(A(address: try reader.readUInt32()))
        case .aaaa:
            guard reader.remaining == 16 else { throw DNSWireError(.badRData, "AAAA RDATA must be 16 octets") }
            let high = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
            let low = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
            return .aaaa(AAAA(high: high, low: low))
        case .ns:
            return .ns(NS(nameServer: try reader.readName()))
        case .cname:
            return .cname(CNAME(target: try reader.readName()))
        case .ptr:
            return .ptr(PTR(target: try reader.readName()))
        case .dname:
            return .dname(DNAME(target: try reader.readName(allowCompression: false)))
        case .soa:
            return .soa(
                SOA(
                    mname: try reader.readName(), rname: try reader.readName(), serial: try reader.readUInt32(),
                    refresh: try reader.readUInt32(), retry: try reader.readUInt32(), expire: try reader.readUInt32(),
                    minimum: try reader.readUInt32()))
        case .mx:
            return .mx(MX(preference: try reader.readUInt16(), exchange: try reader.readName()))
        case .txt:
            var strings: [[UInt8]] = []
            while !reader.isAtEnd { strings.append(try reader.readCharacterString()) }
            return .txt(TXT(strings: strings))
        case .srv:
            return .srv(
                SRV(
                    priority: try reader.readUInt16(), weight: try reader.readUInt16(), port: try reader.readUInt16(),
                    target: try reader.readName()))
        case .ds, .cds:
            let value = DS(
                keyTag: try reader.readUInt16(), algorithm: DNSSECAlgorithm(try reader.readUInt8()),
                digestType: DigestType(try reader.readUInt8()), digest: reader.readRest())
            return type == .ds ? .ds(value) : .cds(value)
        case .dnskey, .cdnskey:
            let value = DNSKEY(
                flags: try reader.readUInt16(), protocol: try reader.readUInt8(),
                algorithm: DNSSECAlgorithm(try reader.readUInt8()), publicKey: reader.readRest())
            return type == .dnskey ? .dnskey(value) : .cdnskey(value)
        case .rrsig:
            return .rrsig(
                RRSIG(
                    typeCovered: RRType(try reader.readUInt16()), algorithm: DNSSECAlgorithm(try reader.readUInt8()),
                    labels: try reader.readUInt8(), originalTTL: try reader.readUInt32(),
                    expiration: try reader.readUInt32(), inception: try reader.readUInt32(),
                    keyTag: try reader.readUInt16(), signerName: try reader.readName(allowCompression: false),
                    signature: reader.readRest()))
        case .nsec:
            let next = try reader.readName(allowCompression: false)
            return .nsec(NSEC(nextDomainName: next, types: try TypeBitmap.decode(&reader)))
        case .nsec3:
            let algorithm = try reader.readUInt8()
            let flags = try reader.readUInt8()
            let iterations = try reader.readUInt16()
            let salt = try reader.readCharacterString()
            let next = try reader.readCharacterString()
            guard !next.isEmpty else { throw DNSWireError(.badRData, "NSEC3 next hashed owner is empty") }
            return .nsec3(
                NSEC3(
                    hashAlgorithm: algorithm, flags: flags, iterations: iterations, salt: salt,
                    nextHashedOwnerName: next, types: try TypeBitmap.decode(&reader)))
        case .nsec3param:
            return .nsec3param(
                NSEC3PARAM(
                    hashAlgorithm: try reader.readUInt8(), flags: try reader.readUInt8(),
                    iterations: try reader.readUInt16(), salt: try reader.readCharacterString()))
        case .tlsa:
            return .tlsa(
                TLSA(
                    usage: try reader.readUInt8(), selector: try reader.readUInt8(),
                    matchingType: try reader.readUInt8(), data: reader.readRest()))
        case .caa:
            let flags = try reader.readUInt8()
            let tag = try reader.readCharacterString()
            guard !tag.isEmpty else { throw DNSWireError(.badRData, "CAA tag is empty") }
            return .caa(CAA(flags: flags, tag: tag, value: reader.readRest()))
        case .svcb, .https:
            let priority = try reader.readUInt16()
            let target = try reader.readName(allowCompression: false)
            var parameters: [SVCB.Parameter] = []
            while !reader.isAtEnd {
                let key = try reader.readUInt16()
                if let last = parameters.last, last.key >= key {
                    throw DNSWireError(.badRData, "SvcParamKeys not in increasing order (RFC 9460 §2.2)")
                }
                let length = Int(try reader.readUInt16())
                parameters.append(SVCB.Parameter(key: key, value: try reader.readBytes(length)))
            }
            let value = SVCB(priority: priority, target: target, parameters: parameters)
            return type == .svcb ? .svcb(value) : .https(value)
        case .opt:
            throw DNSWireError(.badOPT, "OPT outside the additional section")
        default:
            guard let layout = EmbeddedNameLayout.of(type) else { return .unknown(type, reader.readRest()) }
            return .unknown(type, try layout.decompress(&reader))
        }
    }

    // MARK: - Encoding

    /// Encodes the RDATA (without RDLENGTH).
    /// - Parameters:
    ///   - compress: compress names where RFC 3597 §4 allows it (NS, CNAME, SOA, PTR, MX).
    ///   - canonical: write the RFC 4034 §6.2 canonical form, as amended by RFC 6840 §5.1 (names
    ///     lowercased in the listed types, never compressed).
    public func encode(to writer: inout WireWriter, compress: Bool, canonical: Bool = false) throws(DNSWireError) {
        let compress = compress && !canonical
        switch self {
        case .a(let value):
            writer.writeUInt32(value.address)
        case .aaaa(let value):
            writer.writeUInt32(UInt32(truncatingIfNeeded: value.high >> 32))
            writer.writeUInt32(UInt32(truncatingIfNeeded: value.high))
            writer.writeUInt32(UInt32(truncatingIfNeeded: value.low >> 32))
            writer.writeUInt32(UInt32(truncatingIfNeeded: value.low))
        case .ns(let value):
            writer.writeName(value.nameServer, compress: compress, lowercase: canonical)
        case .cname(let value):
            writer.writeName(value.target, compress: compress, lowercase: canonical)
        case .ptr(let value):
            writer.writeName(value.target, compress: compress, lowercase: canonical)
        case .dname(let value):
            writer.writeName(value.target, compress: false, lowercase: canonical)
        case .soa(let value):
            writer.writeName(value.mname, compress: compress, lowercase: canonical)
            writer.writeName(value.rname, compress: compress, lowercase: canonical)
            writer.writeUInt32(value.serial)
            writer.writeUInt32(value.refresh)
            writer.writeUInt32(value.retry)
            writer.writeUInt32(value.expire)
            writer.writeUInt32(value.minimum)
        case .mx(let value):
            writer.writeUInt16(value.preference)
            writer.writeName(value.exchange, compress: compress, lowercase: canonical)
        case .txt(let value):
            for string in value.strings { try writer.writeCharacterString(string) }
        case .srv(let value):
            writer.writeUInt16(value.priority)
            writer.writeUInt16(value.weight)
            writer.writeUInt16(value.port)
            writer.writeName(value.target, compress: false, lowercase: canonical)
        case .ds(let value), .cds(let value):
            writer.writeUInt16(value.keyTag)
            writer.writeUInt8(value.algorithm.rawValue)
            writer.writeUInt8(value.digestType.rawValue)
            writer.writeBytes(value.digest)
        case .dnskey(let value), .cdnskey(let value):
            writer.writeUInt16(value.flags)
            writer.writeUInt8(value.protocol)
            writer.writeUInt8(value.algorithm.rawValue)
            writer.writeBytes(value.publicKey)
        case .rrsig(let value):
            value.encodeWithoutSignature(to: &writer, lowercaseSigner: canonical)
            writer.writeBytes(value.signature)
        case .nsec(let value):
            // RFC 6840 §5.1: NSEC's next name keeps its case in canonical form.
            writer.writeName(value.nextDomainName, compress: false)
            value.types.encode(to: &writer)
        case .nsec3(let value):
            writer.writeUInt8(value.hashAlgorithm)
            writer.writeUInt8(value.flags)
            writer.writeUInt16(value.iterations)
            try writer.writeCharacterString(value.salt)
            try writer.writeCharacterString(value.nextHashedOwnerName)
            value.types.encode(to: &writer)
        case .nsec3param(let value):
            writer.writeUInt8(value.hashAlgorithm)
            writer.writeUInt8(value.flags)
            writer.writeUInt16(value.iterations)
            try writer.writeCharacterString(value.salt)
        case .tlsa(let value):
            writer.writeUInt8(value.usage)
            writer.writeUInt8(value.selector)
            writer.writeUInt8(value.matchingType)
            writer.writeBytes(value.data)
        case .caa(let value):
            writer.writeUInt8(value.flags)
            try writer.writeCharacterString(value.tag)
            writer.writeBytes(value.value)
        case .svcb(let value), .https(let value):
            writer.writeUInt16(value.priority)
            writer.writeName(value.target, compress: false)
            for parameter in value.parameters {
                writer.writeUInt16(parameter.key)
                guard parameter.value.count <= Int(UInt16.max) else {
                    throw DNSWireError(.tooLarge, "SvcParamValue longer than 65535 octets")
                }
                writer.writeUInt16(UInt16(parameter.value.count))
                writer.writeBytes(parameter.value)
            }
        case .unknown(let type, let bytes):
            if canonical, let layout = EmbeddedNameLayout.of(type) {
                writer.writeBytes(layout.lowercased(bytes))
            } else {
                writer.writeBytes(bytes)
            }
        }
    }

    /// The RDATA in RFC 4034 §6.2 canonical form: what RRset sorting and signatures use.
    public var canonicalBytes: [UInt8] {
        var writer = WireWriter(capacity: 64)
        // Encoding fails only for values that were never decodable (a 256-octet TXT string built
        // in code); the canonical form then holds what could be written, which no signature matches.
        try? encode(to: &writer, compress: false, canonical: true)
        return writer.bytes
    }
}

extension RRSIG {
    /// Writes RRSIG RDATA up to and excluding the signature field: the first part of the data
    /// a signature covers (RFC 4034 §3.1.8.1), with the signer name lowercased when canonical.
    public func encodeWithoutSignature(to writer: inout WireWriter, lowercaseSigner: Bool = true) {
        writer.writeUInt16(typeCovered.rawValue)
        writer.writeUInt8(algorithm.rawValue)
        writer.writeUInt8(labels)
        writer.writeUInt32(originalTTL)
        writer.writeUInt32(expiration)
        writer.writeUInt32(inception)
        writer.writeUInt16(keyTag)
        writer.writeName(signerName, compress: false, lowercase: lowercaseSigner)
    }
}

// MARK: - Types kept opaque that embed names

/// The layout of RDATA of types kept as bytes but holding domain names that may arrive compressed
/// (RFC 3597 §4) and are lowercased in canonical form (RFC 4034 §6.2): MD, MF, MB, MG, MR, MINFO,
/// RP, AFSDB, RT, PX, KX, NAPTR. Decoding expands their names so the stored bytes are uncompressed.
struct EmbeddedNameLayout {
    /// One field of the layout.
    enum Field {
        case uint16
        case characterString
        case name
    }

    /// The fields in order.
    let fields: [Field]

    /// The layout for `type`, or nil when its RDATA holds no names we know of.
    static func of(_ type: RRType) -> EmbeddedNameLayout? {
        switch type {
        case .md, .mf, .mb, .mg, .mr: EmbeddedNameLayout(fields: [.name])
        case .minfo, .rp: EmbeddedNameLayout(fields: [.name, .name])
        case .afsdb, .rt, .kx: EmbeddedNameLayout(fields: [.uint16, .name])
        case .px: EmbeddedNameLayout(fields: [.uint16, .name, .name])
        case .naptr:
            EmbeddedNameLayout(fields: [.uint16, .uint16, .characterString, .characterString, .characterString, .name])
        default: nil
        }
    }

    /// Reads the fields, expanding compressed names, and returns the uncompressed RDATA.
    func decompress(_ reader: inout WireReader) throws(DNSWireError) -> [UInt8] {
        var writer = WireWriter(capacity: 64)
        for field in fields {
            switch field {
            case .uint16: writer.writeUInt16(try reader.readUInt16())
            case .characterString: try writer.writeCharacterString(try reader.readCharacterString())
            case .name: writer.writeName(try reader.readName(), compress: false)
            }
        }
        return writer.bytes
    }

    /// The same RDATA with its names lowercased; bytes that do not fit the layout are returned unchanged.
    func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        var reader = WireReader(bytes)
        var writer = WireWriter(capacity: bytes.count)
        do {
            for field in fields {
                switch field {
                case .uint16: writer.writeUInt16(try reader.readUInt16())
                case .characterString: try writer.writeCharacterString(try reader.readCharacterString())
                case .name:
                    writer.writeName(try reader.readName(allowCompression: false), compress: false, lowercase: true)
                }
            }
        } catch {
            return bytes
        }
        writer.writeBytes(reader.readRest())
        return writer.bytes
    }
}
