// Primary responsibilities: the canonical form of an RRset as an RRSIG covers it (RFC 4034 §3.1.8.1, §6.2,
// §6.3, as amended by RFC 6840 §5.1), wildcard owner reconstruction (RFC 4035 §5.3.2), and the whole signed
// data — RRSIG RDATA without its signature followed by the canonical RRset — written into one buffer.

extension RRSet {
    /// The data an RRSIG's signature covers: the RRSIG RDATA up to the Signature field, signer name
    /// lowercased, followed by this RRset in canonical form for that RRSIG (RFC 4034 §3.1.8.1).
    ///
    /// Owner, class and type come from this set; the TTL written is the RRSIG's Original TTL and the owner is
    /// rebuilt from the RRSIG's Labels field (RFC 4035 §5.3.2). Whether the RRSIG belongs to this set at all
    /// is the validator's question, not this function's: any input produces bytes and nothing traps.
    ///
    /// - Parameter rrsig: the signature whose signed data is wanted.
    /// - Returns: the octets to hand to signature verification.
    public func signedData(for rrsig: RRSIG) -> [UInt8] {
        var writer = WireWriter(capacity: estimatedCanonicalLength(signer: rrsig.signerName))
        Self.writeSignedPrefix(of: rrsig, to: &writer)
        writeCanonicalRecords(labels: Int(rrsig.labels), originalTTL: rrsig.originalTTL, to: &writer)
        return writer.bytes
    }

    /// This RRset alone in canonical form for an RRSIG: each RR as owner ‖ type ‖ class ‖ Original TTL ‖
    /// RDLENGTH ‖ canonical RDATA, sorted by canonical RDATA, duplicates removed (RFC 4034 §6.3).
    ///
    /// - Parameters:
    ///   - labels: the RRSIG Labels field; when it is less than the owner's label count the owner becomes
    ///     `*.` followed by that many rightmost labels (RFC 4035 §5.3.2).
    ///   - originalTTL: the RRSIG Original TTL field, written in place of each RR's TTL (RFC 4034 §3.1.8.1).
    /// - Returns: the canonical RRs, concatenated.
    public func canonicalRecords(labels: Int, originalTTL: UInt32) -> [UInt8] {
        var writer = WireWriter(capacity: estimatedCanonicalLength(signer: .root))
        writeCanonicalRecords(labels: labels, originalTTL: originalTTL, to: &writer)
        return writer.bytes
    }

    /// The owner name as signed (RFC 4035 §5.3.2): lowercased (RFC 4034 §6.2), and when the RRSIG Labels
    /// field is smaller than the owner's label count (a wildcard expansion), `*` prepended to the rightmost
    /// `labels` labels. A Labels field larger than the owner's count leaves the owner unchanged; the validator
    /// rejects such an RRSIG before it gets here (RFC 4035 §5.3.1).
    ///
    /// - Parameter labels: the RRSIG Labels field.
    /// - Returns: the owner in canonical wire form.
    public func signedOwnerWireBytes(labels: Int) -> [UInt8] {
        let owner = name.wireBytes
        let ownerLabels = name.labelCount
        guard labels >= 0, labels < ownerLabels else { return owner.map(DomainName.fold) }
        var drop = ownerLabels - labels
        var offset = 0
        // Bounded by the owner's label count (at most 127 labels in 255 octets).
        while drop > 0 {
            offset += Int(owner[offset]) + 1
            drop -= 1
        }
        var bytes: [UInt8] = [1, 0x2A]
        bytes.reserveCapacity(2 + owner.count - offset)
        for byte in owner[offset...] { bytes.append(DomainName.fold(byte)) }
        return bytes
    }

    // MARK: - Writing

    /// Writes the RRSIG RDATA without its Signature field, signer name lowercased (RFC 4034 §3.1.8.1,
    /// §6.2). Written field by field so no name-compression bookkeeping is done for a buffer never compressed.
    static func writeSignedPrefix(of rrsig: RRSIG, to writer: inout WireWriter) {
        writer.writeUInt16(rrsig.typeCovered.rawValue)
        writer.writeUInt8(rrsig.algorithm.rawValue)
        writer.writeUInt8(rrsig.labels)
        writer.writeUInt32(rrsig.originalTTL)
        writer.writeUInt32(rrsig.expiration)
        writer.writeUInt32(rrsig.inception)
        writer.writeUInt16(rrsig.keyTag)
        writer.writeBytes(rrsig.signerName.wireBytes.lazy.map(DomainName.fold))
    }

    /// Appends the canonical RRs (RFC 4034 §6.3) to `writer`.
    ///
    /// One RR is written straight into `writer`; several are first encoded back to back into one scratch
    /// buffer, then sorted as left-justified unsigned octet sequences and written without duplicates.
    func writeCanonicalRecords(labels: Int, originalTTL: UInt32, to writer: inout WireWriter) {
        let owner = signedOwnerWireBytes(labels: labels)
        if rdatas.count == 1 {
            writeRecordHeader(owner: owner, originalTTL: originalTTL, to: &writer)
            let lengthAt = writer.count
            writer.writeUInt16(0)
            try? rdatas[0].encode(to: &writer, compress: false, canonical: true)
            writer.patchUInt16(UInt16(truncatingIfNeeded: writer.count - lengthAt - 2), at: lengthAt)
            return
        }
        var scratch = WireWriter(capacity: rdatas.count * 32)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(rdatas.count)
        // Bounded by the RRset's own size, which the parser caps (records per RRset).
        for rdata in rdatas {
            let start = scratch.count
            // Only values never decodable (a 256-octet TXT string built in code) fail; what was written stays,
            // and no signature will match it.
            try? rdata.encode(to: &scratch, compress: false, canonical: true)
            ranges.append(start..<scratch.count)
        }
        let bytes = scratch.bytes
        ranges.sort { Self.canonicalOrder(bytes[$0], bytes[$1]) }
        var previous: Range<Int>? = nil
        for range in ranges {
            if let previous, bytes[previous].elementsEqual(bytes[range]) { continue }
            previous = range
            writeRecordHeader(owner: owner, originalTTL: originalTTL, to: &writer)
            writer.writeUInt16(UInt16(truncatingIfNeeded: range.count))
            writer.writeBytes(bytes[range])
        }
    }

    /// Writes owner ‖ type ‖ class ‖ Original TTL for one canonical RR.
    private func writeRecordHeader(owner: [UInt8], originalTTL: UInt32, to writer: inout WireWriter) {
        writer.writeBytes(owner)
        writer.writeUInt16(type.rawValue)
        writer.writeUInt16(rrClass.rawValue)
        writer.writeUInt32(originalTTL)
    }

    /// RFC 4034 §6.3: RDATA compared as left-justified unsigned octet sequences, a missing octet sorting
    /// before a zero octet.
    static func canonicalOrder(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        var left = lhs.startIndex
        var right = rhs.startIndex
        while left < lhs.endIndex && right < rhs.endIndex {
            if lhs[left] != rhs[right] { return lhs[left] < rhs[right] }
            left += 1
            right += 1
        }
        return left == lhs.endIndex && right < rhs.endIndex
    }

    /// A capacity guess for the canonical form, so the output buffer rarely grows.
    private func estimatedCanonicalLength(signer: DomainName) -> Int {
        var length = 18 + signer.wireBytes.count
        for rdata in rdatas {
            let rdataLength: Int
            switch rdata {
            case .dnskey(let key), .cdnskey(let key): rdataLength = 4 + key.publicKey.count
            case .unknown(_, let bytes): rdataLength = bytes.count
            default: rdataLength = 64
            }
            length += name.wireBytes.count + 10 + rdataLength
        }
        return length
    }
}
