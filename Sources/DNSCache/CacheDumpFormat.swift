// Primary responsibilities: the versioned binary format of a cache dump — entries with absolute
// expiries, typed data in RFC 1035 wire form — and its strict, bounds-checked reader.

import DNSSEC
import DNSWire

/// The dump format, version 1. All integers big-endian.
///
/// ```
/// header   "MAMORICD" (8) | version u16 = 1 | reserved u16 = 0 | written-at i64 (seconds)
/// entry*   kind u8 | rank u8 | status u8 | has-reason u8 | class u16 | type u16 | expiry i64 | ttl u32
///          | name (uncompressed wire) | [reason: EDE u16 | site len u16 + UTF-8 | detail len u16 + UTF-8]
///          | rdata-set | extra count u16 | extra: (name | type u16 | class u16 | ttl u32 | rdata-set)*
/// rdata-set  count u16 | (type u16 | length u16 | RDATA)* | RRSIG count u16 | (length u16 | RRSIG RDATA)*
/// trailer  "END." | entry count u32 | FNV-1a 64 of every byte before the trailer
/// ```
///
/// Expiries are absolute, so a dump loaded after a restart keeps each entry's deadline; RDATA is
/// the uncompressed wire form DNSWire already reads with every bounds check, so a damaged file
/// becomes an error, never a trap. The checksum catches damage that still parses.
enum CacheDumpFormat {
    /// The first eight bytes of a dump.
    static let magic: [UInt8] = Array("MAMORICD".utf8)
    /// The marker starting the trailer.
    static let trailerMarker: [UInt8] = Array("END.".utf8)
    /// The version written and read.
    static let version: UInt16 = 1
    /// Header size: magic, version, reserved, time.
    static let headerSize = 8 + 2 + 2 + 8
    /// Trailer size: marker, count, checksum.
    static let trailerSize = 4 + 4 + 8

    /// FNV-1a 64-bit over `bytes`: cheap and enough to catch accidental damage (not an adversary;
    /// the dump file is written by the daemon into its own state directory).
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Writes a big-endian 64-bit integer (DNSWire has no 64-bit fields).
    static func writeUInt64(_ value: UInt64, to writer: inout WireWriter) {
        writer.writeUInt32(UInt32(truncatingIfNeeded: value >> 32))
        writer.writeUInt32(UInt32(truncatingIfNeeded: value))
    }

    /// Reads a big-endian 64-bit integer.
    static func readUInt64(_ reader: inout WireReader) throws(DNSWireError) -> UInt64 {
        let high = UInt64(try reader.readUInt32())
        return high << 32 | UInt64(try reader.readUInt32())
    }

    // MARK: - Writing

    /// Serialises `slots` written at `now`.
    static func encode(_ slots: [CacheSlot], now: CacheTime) -> [UInt8] {
        var writer = WireWriter(capacity: 64 + slots.count * 128)
        writer.writeBytes(magic)
        writer.writeUInt16(version)
        writer.writeUInt16(0)
        writeUInt64(UInt64(bitPattern: now.seconds), to: &writer)
        var written: UInt32 = 0
        for slot in slots {
            guard let kind = slot.kind else { continue }
            let mark = writer.mark()
            do throws(DNSWireError) {
                try encode(slot, kind: kind, to: &writer)
                written += 1
            } catch {
                // Data that cannot be re-encoded (never decodable in the first place) is left out.
                writer.rollBack(to: mark)
            }
        }
        writer.writeBytes(trailerMarker)
        writer.writeUInt32(written)
        let sum = checksum(writer.bytes[...])
        writeUInt64(sum, to: &writer)
        return writer.bytes
    }

    /// Writes one entry.
    static func encode(_ slot: CacheSlot, kind: CacheEntryKind, to writer: inout WireWriter) throws(DNSWireError) {
        writer.writeUInt8(kind.rawValue)
        writer.writeUInt8(slot.rank.rawValue)
        writer.writeUInt8(UInt8(slot.status.rawValue))
        writer.writeUInt8(slot.reason == nil ? 0 : 1)
        writer.writeUInt16(slot.rrClass.rawValue)
        writer.writeUInt16(slot.type.rawValue)
        writeUInt64(UInt64(bitPattern: slot.expiry), to: &writer)
        writer.writeUInt32(slot.ttl)
        writer.writeBytes(slot.name.wireBytes)
        if let reason = slot.reason {
            writer.writeUInt16(reason.code.rawValue)
            try writeString(reason.site, to: &writer)
            try writeString(reason.detail, to: &writer)
        }
        try writeRDataSet(slot.rdatas, slot.signatures, to: &writer)
        guard slot.extra.count <= Int(UInt16.max) else { throw DNSWireError(.tooLarge, "too many extra RRsets") }
        writer.writeUInt16(UInt16(slot.extra.count))
        for rrset in slot.extra {
            writer.writeBytes(rrset.name.wireBytes)
            writer.writeUInt16(rrset.type.rawValue)
            writer.writeUInt16(rrset.rrClass.rawValue)
            writer.writeUInt32(rrset.ttl)
            try writeRDataSet(rrset.rdatas, rrset.signatures, to: &writer)
        }
    }

    /// Writes a length-prefixed UTF-8 string (cut at 65535 bytes).
    static func writeString(_ string: String, to writer: inout WireWriter) throws(DNSWireError) {
        let bytes = Array(string.utf8.prefix(Int(UInt16.max)))
        writer.writeUInt16(UInt16(bytes.count))
        writer.writeBytes(bytes)
    }

    /// Writes records and RRSIGs.
    static func writeRDataSet(
        _ rdatas: [RData], _ signatures: [RRSIG], to writer: inout WireWriter
    )
        throws(DNSWireError)
    {
        guard rdatas.count <= Int(UInt16.max), signatures.count <= Int(UInt16.max) else {
            throw DNSWireError(.tooLarge, "too many records")
        }
        writer.writeUInt16(UInt16(rdatas.count))
        for rdata in rdatas {
            writer.writeUInt16(rdata.type.rawValue)
            try writer.withLengthPrefix { (inner: inout WireWriter) throws(DNSWireError) in
                try rdata.encode(to: &inner, compress: false)
            }
        }
        writer.writeUInt16(UInt16(signatures.count))
        for signature in signatures {
            try writer.withLengthPrefix { (inner: inout WireWriter) throws(DNSWireError) in
                try RData.rrsig(signature).encode(to: &inner, compress: false)
            }
        }
    }

    // MARK: - Reading

    /// One decoded entry, before it goes through the cache's insertion rules.
    struct Entry {
        /// The entry's kind.
        var kind: CacheEntryKind
        /// Its rank.
        var rank: TrustRank
        /// Its status.
        var status: SecurityStatus
        /// Its reason.
        var reason: ValidationReason?
        /// Its class.
        var rrClass: RRClass
        /// Its type.
        var type: RRType
        /// Absolute expiry, seconds.
        var expiry: Int64
        /// Stored TTL.
        var ttl: UInt32
        /// Owner or zone.
        var name: DomainName
        /// Records.
        var rdatas: [RData]
        /// RRSIGs.
        var signatures: [RRSIG]
        /// SOA and proofs.
        var extra: [RRSet]
    }

    /// Parses a whole dump, or throws without side effects.
    static func decode(_ bytes: [UInt8]) throws(CacheDumpError) -> [Entry] {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw CacheDumpError(.notADump, "not a Mamori cache dump (bad magic)")
        }
        guard bytes.count >= headerSize + trailerSize else { throw CacheDumpError(.corrupt, "dump truncated") }
        let versionRead = UInt16(bytes[8]) << 8 | UInt16(bytes[9])
        guard versionRead == version else {
            throw CacheDumpError(.unsupportedVersion, "dump format version \(versionRead)")
        }
        let trailerAt = bytes.count - trailerSize
        guard Array(bytes[trailerAt..<(trailerAt + 4)]) == trailerMarker else {
            throw CacheDumpError(.corrupt, "dump truncated (no trailer)")
        }
        var sumRead: UInt64 = 0
        for byte in bytes[(bytes.count - 8)...] { sumRead = sumRead << 8 | UInt64(byte) }
        guard checksum(bytes[..<(bytes.count - 8)]) == sumRead else {
            throw CacheDumpError(.corrupt, "dump checksum mismatch")
        }
        var countRead: UInt32 = 0
        for byte in bytes[(trailerAt + 4)..<(trailerAt + 8)] { countRead = countRead << 8 | UInt32(byte) }
        var reader = WireReader(Array(bytes[..<trailerAt]))
        var entries: [Entry] = []
        do throws(DNSWireError) {
            _ = try reader.readBytes(headerSize)
            while !reader.isAtEnd {
                entries.append(try decodeEntry(&reader))
                guard entries.count <= Int(countRead) else { break }
            }
        } catch {
            throw CacheDumpError(.corrupt, "dump entry \(entries.count + 1) unreadable: \(error)")
        }
        guard entries.count == Int(countRead) else {
            throw CacheDumpError(.corrupt, "dump holds \(entries.count) entries, trailer says \(countRead)")
        }
        return entries
    }

    /// Reads one entry.
    static func decodeEntry(_ reader: inout WireReader) throws(DNSWireError) -> Entry {
        guard let kind = CacheEntryKind(rawValue: try reader.readUInt8()),
            let rank = TrustRank(rawValue: try reader.readUInt8()),
            let status = SecurityStatus(rawValue: Int(try reader.readUInt8()))
        else { throw DNSWireError(.badRData, "unknown kind, rank or status") }
        let hasReason = try reader.readUInt8()
        guard hasReason <= 1 else { throw DNSWireError(.badRData, "bad reason flag") }
        let rrClass = RRClass(rawValue: try reader.readUInt16())
        let type = RRType(try reader.readUInt16())
        let expiry = Int64(bitPattern: try readUInt64(&reader))
        let ttl = try reader.readUInt32()
        let name = try reader.readName(allowCompression: false)
        var reason: ValidationReason?
        if hasReason == 1 {
            let code = EDECode(rawValue: try reader.readUInt16())
            let site = try readString(&reader)
            let detail = try readString(&reader)
            // The entry's status says which verdict the reason explains: only bogus and insecure
            // entries carry one.
            reason =
                status == .bogus
                ? ValidationReason(bogus: code, site: site, detail)
                : ValidationReason(insecure: code, site: site, detail)
        }
        let (rdatas, signatures) = try readRDataSet(&reader)
        let extraCount = Int(try reader.readUInt16())
        var extra: [RRSet] = []
        for _ in 0..<extraCount {
            let owner = try reader.readName(allowCompression: false)
            let setType = RRType(try reader.readUInt16())
            let setClass = RRClass(rawValue: try reader.readUInt16())
            let setTTL = try reader.readUInt32()
            let (setData, setSignatures) = try readRDataSet(&reader)
            extra.append(
                RRSet(
                    name: owner, type: setType, rrClass: setClass, ttl: setTTL, rdatas: setData,
                    signatures: setSignatures))
        }
        return Entry(
            kind: kind, rank: rank, status: status, reason: reason, rrClass: rrClass, type: type, expiry: expiry,
            ttl: ttl, name: name, rdatas: rdatas, signatures: signatures, extra: extra)
    }

    /// Reads a length-prefixed UTF-8 string.
    static func readString(_ reader: inout WireReader) throws(DNSWireError) -> String {
        let length = Int(try reader.readUInt16())
        return String(decoding: try reader.readBytes(length), as: UTF8.self)
    }

    /// Reads records and RRSIGs.
    static func readRDataSet(_ reader: inout WireReader) throws(DNSWireError) -> ([RData], [RRSIG]) {
        let count = Int(try reader.readUInt16())
        var rdatas: [RData] = []
        rdatas.reserveCapacity(min(count, 256))
        for _ in 0..<count {
            let type = RRType(try reader.readUInt16())
            let length = Int(try reader.readUInt16())
            rdatas.append(
                try reader.withLimit(length) { (inner: inout WireReader) throws(DNSWireError) in
                    try RData.decode(type: type, from: &inner)
                })
        }
        let signatureCount = Int(try reader.readUInt16())
        var signatures: [RRSIG] = []
        signatures.reserveCapacity(min(signatureCount, 256))
        for _ in 0..<signatureCount {
            let length = Int(try reader.readUInt16())
            let rdata = try reader.withLimit(length) { (inner: inout WireReader) throws(DNSWireError) in
                try RData.decode(type: .rrsig, from: &inner)
            }
            guard case .rrsig(let signature) = rdata else { throw DNSWireError(.badRData, "RRSIG expected") }
            signatures.append(signature)
        }
        return (rdatas, signatures)
    }
}
