// Primary responsibilities: bounds-checked reads from an untrusted message, and the one place
// where compressed names are followed (backwards only, with a hop limit).

/// A cursor over a whole DNS message.
///
/// Every read checks its bounds and throws ``DNSWireError``; nothing here traps on input.
/// The reader keeps the whole message so that compression pointers (RFC 1035 §4.1.4) can be
/// followed, and an optional ``limit`` so that RDATA is read inside its RDLENGTH only.
public struct WireReader {
    /// Most compression pointers followed while reading one name. A name has at most 127 labels,
    /// so a legitimate name never needs more hops; more means a loop or an attack (architecture §5).
    public static let maxPointerHops = 127

    /// The whole message.
    public let bytes: [UInt8]
    /// The next byte to read.
    public private(set) var offset: Int
    /// One past the last byte this reader may consume (the end of the current RDATA, or of the message).
    public private(set) var limit: Int

    /// Creates a reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.limit = bytes.count
    }

    /// Bytes left before ``limit``.
    public var remaining: Int { limit - offset }

    /// Whether every byte before ``limit`` has been read.
    public var isAtEnd: Bool { offset >= limit }

    /// Throws unless `count` more bytes can be read.
    @inline(__always)
    private func require(_ count: Int) throws(DNSWireError) {
        guard count >= 0, count <= limit - offset else {
            throw DNSWireError(.truncated, "need \(count) bytes, \(limit - offset) left", offset: offset)
        }
    }

    /// Reads one octet.
    public mutating func readUInt8() throws(DNSWireError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a big-endian 16-bit integer.
    public mutating func readUInt16() throws(DNSWireError) -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// Reads a big-endian 32-bit integer.
    public mutating func readUInt32() throws(DNSWireError) -> UInt32 {
        try require(4)
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    /// Reads `count` octets.
    public mutating func readBytes(_ count: Int) throws(DNSWireError) -> [UInt8] {
        try require(count)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Moves past a name without building it: its labels up to the root label, or up to a
    /// compression pointer, which ends the name where it stands (its target is not followed).
    /// Bounded: a name of at most 255 octets has at most 128 labels.
    public mutating func skipName() throws(DNSWireError) {
        var length = 0
        while true {
            let label = Int(try readUInt8())
            switch label & 0xC0 {
            case 0x00:
                length += label + 1
                guard length <= DomainName.maxWireLength else {
                    throw DNSWireError(.nameTooLong, "name longer than 255 octets", offset: offset)
                }
                if label == 0 { return }
                try skip(label)
            case 0xC0:
                try skip(1)
                return
            default:
                throw DNSWireError(.badLabelType, "label type 0x\(String(label & 0xC0, radix: 16))", offset: offset - 1)
            }
        }
    }

    /// Moves past `count` octets without copying them.
    public mutating func skip(_ count: Int) throws(DNSWireError) {
        try require(count)
        offset += count
    }

    /// Reads every octet up to ``limit``.
    public mutating func readRest() -> [UInt8] {
        defer { offset = limit }
        return Array(bytes[offset..<limit])
    }

    /// Reads a `<character-string>`: a length octet and that many octets (RFC 1035 §3.3).
    public mutating func readCharacterString() throws(DNSWireError) -> [UInt8] {
        let length = Int(try readUInt8())
        return try readBytes(length)
    }

    /// Reads a domain name, following compression pointers when `allowCompression` is true.
    ///
    /// Pointers must point strictly before the name's own start (so no loop is possible) and at
    /// most ``maxPointerHops`` are followed. Labels are checked against 63 octets, the name
    /// against 255 (RFC 1035 §2.3.4), and label types 0x40 and 0x80 are refused (RFC 6891 §5).
    /// - Parameter allowCompression: false for names in RDATA of types that must not be
    ///   compressed (RFC 3597 §4, RFC 4034 §3.1.7, §4.1.1); a pointer there is an error.
    public mutating func readName(allowCompression: Bool = true) throws(DNSWireError) -> DomainName {
        var name: [UInt8] = []
        name.reserveCapacity(32)
        var position = offset
        var hops = 0
        // The lowest offset reached so far: every pointer must point below it.
        var floor = offset
        var resumeAt: Int? = nil
        while true {
            guard position < (hops == 0 ? limit : bytes.count) else {
                throw DNSWireError(.truncated, "name runs past the end", offset: position)
            }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    name.append(0)
                    offset = resumeAt ?? (position + 1)
                    return DomainName(trustedWireBytes: name)
                }
                let end = position + 1 + length
                guard end <= (hops == 0 ? limit : bytes.count) else {
                    throw DNSWireError(.truncated, "label runs past the end", offset: position)
                }
                guard name.count + length + 2 <= DomainName.maxWireLength else {
                    throw DNSWireError(.nameTooLong, "name longer than 255 octets", offset: position)
                }
                name.append(contentsOf: bytes[position..<end])
                position = end
            case 0xC0:
                guard allowCompression else {
                    throw DNSWireError(
                        .compressionNotAllowed, "compressed name where compression is not allowed",
                        offset: position)
                }
                guard position + 1 < (hops == 0 ? limit : bytes.count) else {
                    throw DNSWireError(.truncated, "pointer runs past the end", offset: position)
                }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < floor else {
                    throw DNSWireError(.badPointer, "pointer to \(target) does not point backwards", offset: position)
                }
                hops += 1
                guard hops <= Self.maxPointerHops else {
                    throw DNSWireError(.tooManyPointers, "more than \(Self.maxPointerHops) pointers", offset: position)
                }
                if resumeAt == nil { resumeAt = position + 2 }
                floor = target
                position = target
            default:
                throw DNSWireError(.badLabelType, "label type 0x\(String(length & 0xC0, radix: 16))", offset: position)
            }
        }
    }

    /// Runs `body` with the readable range narrowed to the next `length` bytes, and checks that
    /// `body` consumed exactly that many (RDLENGTH enforced exactly).
    public mutating func withLimit<T>(
        _ length: Int, _ body: (inout WireReader) throws(DNSWireError) -> T
    ) throws(DNSWireError) -> T {
        try require(length)
        let savedLimit = limit
        let end = offset + length
        limit = end
        defer { limit = savedLimit }
        let value = try body(&self)
        guard offset == end else {
            throw DNSWireError(
                .rdataLengthMismatch, "RDATA used \(offset - (end - length)) of \(length) bytes",
                offset: offset)
        }
        return value
    }
}
