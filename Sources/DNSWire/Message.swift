// Primary responsibilities: a whole DNS message as owned values — header, question, three
// sections of RRsets — parsed once from untrusted bytes and serialised with name compression
// and a size limit that drops whole RRsets (never splitting one from its RRSIGs).

/// The fixed 12-octet header (RFC 1035 §4.1.1), counts excluded: they follow from the sections.
public struct Header: Hashable, Sendable {
    /// The query ID.
    public var id: UInt16
    /// QR: this is a response.
    public var isResponse: Bool
    /// The OPCODE.
    public var opcode: Opcode
    /// AA: the answer is authoritative.
    public var authoritativeAnswer: Bool
    /// TC: the message was truncated.
    public var truncated: Bool
    /// RD: recursion desired.
    public var recursionDesired: Bool
    /// RA: recursion available.
    public var recursionAvailable: Bool
    /// Z: the reserved bit, kept as received (RFC 1035 §4.1.1 says zero).
    public var zero: Bool
    /// AD: authentic data (RFC 4035 §3.2.3, RFC 6840 §5.7).
    public var authenticData: Bool
    /// CD: checking disabled (RFC 4035 §3.2.2).
    public var checkingDisabled: Bool
    /// The low 4 bits of the RCODE; ``Message/rcode`` holds the full value.
    public var rcodeLow: UInt8

    /// Creates a header with every flag clear.
    public init(id: UInt16 = 0, opcode: Opcode = .query) {
        self.id = id
        self.isResponse = false
        self.opcode = opcode
        self.authoritativeAnswer = false
        self.truncated = false
        self.recursionDesired = false
        self.recursionAvailable = false
        self.zero = false
        self.authenticData = false
        self.checkingDisabled = false
        self.rcodeLow = 0
    }

    /// The 16 bits of flags, opcode and RCODE as on the wire.
    public var flagBits: UInt16 {
        var bits = UInt16(opcode.rawValue & 0x0F) << 11 | UInt16(rcodeLow & 0x0F)
        if isResponse { bits |= 0x8000 }
        if authoritativeAnswer { bits |= 0x0400 }
        if truncated { bits |= 0x0200 }
        if recursionDesired { bits |= 0x0100 }
        if recursionAvailable { bits |= 0x0080 }
        if zero { bits |= 0x0040 }
        if authenticData { bits |= 0x0020 }
        if checkingDisabled { bits |= 0x0010 }
        return bits
    }

    /// Sets every flag from the 16 wire bits.
    public init(id: UInt16, flagBits bits: UInt16) {
        self.id = id
        isResponse = bits & 0x8000 != 0
        opcode = Opcode(UInt8((bits >> 11) & 0x0F))
        authoritativeAnswer = bits & 0x0400 != 0
        truncated = bits & 0x0200 != 0
        recursionDesired = bits & 0x0100 != 0
        recursionAvailable = bits & 0x0080 != 0
        zero = bits & 0x0040 != 0
        authenticData = bits & 0x0020 != 0
        checkingDisabled = bits & 0x0010 != 0
        rcodeLow = UInt8(bits & 0x0F)
    }

    /// Reads the header and the four counts from the first 12 octets, for answering FORMERR to a
    /// query whose body cannot be parsed.
    /// - Returns: the header and QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
    public static func parse(_ bytes: [UInt8]) throws(DNSWireError) -> (Header, [Int]) {
        var reader = WireReader(bytes)
        let id = try reader.readUInt16()
        let bits = try reader.readUInt16()
        var counts: [Int] = []
        for _ in 0..<4 { counts.append(Int(try reader.readUInt16())) }
        return (Header(id: id, flagBits: bits), counts)
    }
}

/// The sections of a message after the question.
public enum Section: Int, Sendable, CaseIterable {
    case answer
    case authority
    case additional
}

/// A DNS message (RFC 1035 §4.1) with EDNS (RFC 6891) taken out of the additional section.
public struct Message: Hashable, Sendable {
    /// The header; ``Header/rcodeLow`` is kept in step with ``rcode``.
    public var header: Header
    /// The questions (one in practice; the resolver refuses others).
    public var questions: [Question]
    /// The answer section.
    public var answer: [RRSet]
    /// The authority section.
    public var authority: [RRSet]
    /// The additional section, OPT excluded.
    public var additional: [RRSet]
    /// The EDNS data, or nil when the message had no OPT record.
    public var edns: EDNS?
    /// The full RCODE: header bits plus, with EDNS, the extended upper 8 bits (RFC 6891 §6.1.3).
    public var rcode: RCode {
        didSet { header.rcodeLow = UInt8(rcode.rawValue & 0x0F) }
    }

    /// Creates a message.
    public init(
        header: Header = Header(), questions: [Question] = [], answer: [RRSet] = [], authority: [RRSet] = [],
        additional: [RRSet] = [], edns: EDNS? = nil, rcode: RCode = .noError
    ) {
        self.header = header
        self.questions = questions
        self.answer = answer
        self.authority = authority
        self.additional = additional
        self.edns = edns
        self.rcode = rcode
        self.header.rcodeLow = UInt8(rcode.rawValue & 0x0F)
    }

    /// The first question, if any.
    public var question: Question? { questions.first }

    /// The RRsets of a section.
    public subscript(section: Section) -> [RRSet] {
        get {
            switch section {
            case .answer: answer
            case .authority: authority
            case .additional: additional
            }
        }
        set {
            switch section {
            case .answer: answer = newValue
            case .authority: authority = newValue
            case .additional: additional = newValue
            }
        }
    }

    // MARK: - Parsing

    /// Most records read from one message. Each record takes at least 11 octets, so a 64 KiB
    /// message holds fewer than 6000; the cap only stops absurd counts early.
    public static let maxRecords = 65535 / 11

    /// Parses a whole message from untrusted bytes. Bytes after the last counted record are ignored.
    /// - Throws: ``DNSWireError`` for anything malformed: truncation, bad names, RDATA not matching
    ///   RDLENGTH, an OPT that is misplaced, repeated or not owned by the root (RFC 6891 §6.1.1).
    public init(parsing bytes: [UInt8]) throws(DNSWireError) {
        var reader = WireReader(bytes)
        let id = try reader.readUInt16()
        let bits = try reader.readUInt16()
        let questionCount = Int(try reader.readUInt16())
        // Counts and sections as plain locals, not arrays: parsing a query (the listener's fast path)
        // allocated three buffers for them before (Benchmarks/e2e profile).
        let answerCount = Int(try reader.readUInt16())
        let authorityCount = Int(try reader.readUInt16())
        let additionalCount = Int(try reader.readUInt16())
        guard questionCount + answerCount + authorityCount + additionalCount <= Self.maxRecords else {
            throw DNSWireError(.truncated, "counts exceed what a message can hold", offset: 4)
        }
        header = Header(id: id, flagBits: bits)
        questions = []
        // The owner most recently reached through a compression pointer, with that pointer: a record
        // whose owner is the same two octets reuses the decoded name instead of allocating it again
        // (most records point at the question or at the previous owner). Seeded with the first
        // question, which always starts at offset 12.
        var lastOwner: (pointer: UInt16, name: DomainName)? = nil
        for index in 0..<questionCount {
            let start = reader.offset
            let name = try reader.readName()
            if index == 0 && start <= WireWriter.maxPointerTarget { lastOwner = (0xC000 | UInt16(start), name) }
            questions.append(
                Question(
                    name: name, type: RRType(try reader.readUInt16()),
                    rrClass: RRClass(try reader.readUInt16())))
        }
        var answerRecords: [Record] = []
        var authorityRecords: [Record] = []
        var additionalRecords: [Record] = []
        var opt: EDNS? = nil
        var extendedRCode: UInt16 = 0
        for sectionIndex in 0..<3 {
            let count = sectionIndex == 0 ? answerCount : sectionIndex == 1 ? authorityCount : additionalCount
            var records: [Record] = []
            // A lone record (a query's OPT) needs no reserved buffer: it may never be appended.
            if count > 1 { records.reserveCapacity(count) }
            for _ in 0..<count {
                let start = reader.offset
                let name: DomainName
                let pointer: UInt16? =
                    reader.remaining >= 2 && reader.bytes[start] & 0xC0 == 0xC0
                    ? UInt16(reader.bytes[start]) << 8 | UInt16(reader.bytes[start + 1]) : nil
                if let pointer, let lastOwner, lastOwner.pointer == pointer {
                    // The same pointer decodes to the same name; it was validated when first read.
                    _ = try reader.readUInt16()
                    name = lastOwner.name
                } else {
                    name = try reader.readName()
                    if let pointer { lastOwner = (pointer, name) }
                }
                let type = RRType(try reader.readUInt16())
                let classField = try reader.readUInt16()
                let ttl = try reader.readUInt32()
                let length = Int(try reader.readUInt16())
                if type == .opt {
                    guard sectionIndex == Section.additional.rawValue, opt == nil, name.isRoot else {
                        throw DNSWireError(.badOPT, "OPT misplaced, repeated or not at the root", offset: start)
                    }
                    extendedRCode = UInt16(ttl >> 24)
                    opt = try reader.withLimit(length) { (inner: inout WireReader) throws(DNSWireError) in
                        var options: [EDNSOption] = []
                        while !inner.isAtEnd {
                            let code = EDNSOptionCode(try inner.readUInt16())
                            let data = try inner.readBytes(Int(try inner.readUInt16()))
                            options.append(EDNSOption.decode(code: code, data: data))
                        }
                        return EDNS(
                            udpPayloadSize: classField, version: UInt8(truncatingIfNeeded: ttl >> 16),
                            dnssecOK: ttl & 0x8000 != 0, otherFlags: UInt16(truncatingIfNeeded: ttl) & 0x7FFF,
                            options: options)
                    }
                    continue
                }
                let rdata = try reader.withLimit(length) { (inner: inout WireReader) throws(DNSWireError) in
                    try RData.decode(type: type, from: &inner)
                }
                records.append(Record(name: name, rrClass: RRClass(classField), ttl: ttl, rdata: rdata))
            }
            switch sectionIndex {
            case 0: answerRecords = records
            case 1: authorityRecords = records
            default: additionalRecords = records
            }
        }
        answer = RRSet.group(answerRecords)
        authority = RRSet.group(authorityRecords)
        additional = RRSet.group(additionalRecords)
        edns = opt
        rcode = RCode(extendedRCode << 4 | UInt16(header.rcodeLow))
    }

    // MARK: - Serialisation

    /// Serialises with name compression (RFC 1035 §4.1.4) within `maxSize` octets.
    ///
    /// When the message does not fit, whole RRsets (each with its RRSIGs) are dropped from the end;
    /// the OPT record is always kept, its room reserved first. TC is set when anything from the
    /// answer or authority section was dropped; dropping additional data alone does not set it
    /// (RFC 2181 §9). A question that does not fit yields a header-only message with TC.
    /// - Parameter maxSize: the limit, e.g. the client's EDNS buffer size or 512 (at least 12).
    /// - Throws: ``DNSWireError`` `tooLarge` only for values that cannot be encoded at all.
    public func serialized(maxSize: Int = 65535) throws(DNSWireError) -> [UInt8] {
        let limit = max(12, min(maxSize, 65535))
        var writer = WireWriter(capacity: min(limit, 4096))
        var header = self.header
        header.rcodeLow = UInt8(rcode.rawValue & 0x0F)
        writer.writeUInt16(header.id)
        let flagsAt = writer.count
        writer.writeUInt16(header.flagBits)
        let countsAt = writer.count
        for _ in 0..<4 { writer.writeUInt16(0) }
        let reserved = edns?.encodedSize ?? 0

        var questionCount = 0
        for question in questions {
            let mark = writer.mark()
            writer.writeName(question.name, compress: true)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.rrClass.rawValue)
            if writer.count + reserved > limit {
                writer.rollBack(to: mark)
                header.truncated = true
                break
            }
            questionCount += 1
        }

        // Counts as a tuple, not an array: one allocation fewer per response (Benchmarks/e2e profile).
        var counts = (answer: 0, authority: 0, additional: 0)
        var full = questionCount < questions.count
        for section in Section.allCases where !full {
            for rrset in self[section] {
                let mark = writer.mark()
                let written = try Self.write(rrset, to: &writer)
                if writer.count + reserved > limit {
                    writer.rollBack(to: mark)
                    if section != .additional { header.truncated = true }
                    full = true
                    break
                }
                switch section {
                case .answer: counts.answer += written
                case .authority: counts.authority += written
                case .additional: counts.additional += written
                }
            }
        }

        var additionalCount = counts.additional
        if let edns {
            writer.writeUInt8(0)
            writer.writeUInt16(RRType.opt.rawValue)
            writer.writeUInt16(edns.udpPayloadSize)
            let ttl =
                UInt32(rcode.rawValue >> 4 & 0xFF) << 24 | UInt32(edns.version) << 16
                | UInt32(edns.dnssecOK ? 0x8000 : 0) | UInt32(edns.otherFlags & 0x7FFF)
            writer.writeUInt32(ttl)
            try writer.withLengthPrefix { (inner: inout WireWriter) throws(DNSWireError) in
                for option in edns.options { option.encode(to: &inner) }
            }
            additionalCount += 1
        }
        writer.patchUInt16(header.flagBits, at: flagsAt)
        writer.patchUInt16(UInt16(questionCount), at: countsAt)
        writer.patchUInt16(UInt16(counts.answer), at: countsAt + 2)
        writer.patchUInt16(UInt16(counts.authority), at: countsAt + 4)
        writer.patchUInt16(UInt16(additionalCount), at: countsAt + 6)
        return writer.bytes
    }

    /// Writes an RRset's records then its RRSIGs; returns how many records were written.
    static func write(_ rrset: RRSet, to writer: inout WireWriter) throws(DNSWireError) -> Int {
        for rdata in rrset.rdatas {
            try writeRecord(name: rrset.name, rrClass: rrset.rrClass, ttl: rrset.ttl, rdata: rdata, to: &writer)
        }
        for signature in rrset.signatures {
            try writeRecord(
                name: rrset.name, rrClass: rrset.rrClass, ttl: rrset.ttl, rdata: .rrsig(signature),
                to: &writer)
        }
        return rrset.rdatas.count + rrset.signatures.count
    }

    /// Writes one record with a compressed owner.
    static func writeRecord(
        name: DomainName, rrClass: RRClass, ttl: UInt32, rdata: RData, to writer: inout WireWriter
    ) throws(DNSWireError) {
        writer.writeName(name, compress: true)
        writer.writeUInt16(rdata.type.rawValue)
        writer.writeUInt16(rrClass.rawValue)
        writer.writeUInt32(ttl)
        try writer.withLengthPrefix { (inner: inout WireWriter) throws(DNSWireError) in
            try rdata.encode(to: &inner, compress: true)
        }
    }
}
