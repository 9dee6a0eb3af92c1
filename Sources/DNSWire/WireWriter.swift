// Primary responsibilities: building wire data — integers, names with optional compression,
// length-prefixed RDATA — and rolling back to a mark so that truncation drops whole RRsets.

/// A growing buffer of wire data with a name compressor.
public struct WireWriter {
    /// Compression pointers can address only the first 16 KiB of a message (14-bit offsets).
    static let maxPointerTarget = 0x3FFF

    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    /// How many name suffixes the inline table holds before the dictionary takes the rest: a
    /// cached answer (question, owners, an RRSIG signer) writes fewer than a dozen.
    static let inlineTargets = 24

    /// Hashes of the first ``inlineTargets`` name suffixes written, searched linearly.
    ///
    /// A profile of cached answers (perf, Benchmarks/e2e) put 5.5 % of the daemon's CPU in
    /// ``writeName(_:compress:lowercase:)``, a quarter of it allocating and probing the dictionary
    /// below; a linear scan of an inline array allocates nothing and beats hashing at this size.
    private var inlineHashes = InlineArray<24, UInt64>(repeating: 0)
    /// The offsets that go with ``inlineHashes``.
    private var inlineOffsets = InlineArray<24, UInt16>(repeating: 0)
    /// How many entries of ``inlineHashes`` are in use.
    private var inlineCount = 0
    /// Offsets of names already written beyond the inline ones, keyed by a hash of their case-folded
    /// wire form from that offset. A hit is confirmed against the bytes written before a pointer is
    /// used, so a hash collision costs only a missed compression. Keyed by hash rather than by
    /// ``DomainName`` so that writing a name allocates nothing per suffix (a benchmark finding: 51 →
    /// fewer mallocs per compression-heavy message).
    private var compressionTable: [UInt64: Int] = [:]

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written.
    public var count: Int { bytes.count }

    /// Appends one octet.
    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// Appends a big-endian 16-bit integer.
    public mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a big-endian 32-bit integer.
    public mutating func writeUInt32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends raw octets.
    public mutating func writeBytes(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// Appends a `<character-string>` (RFC 1035 §3.3).
    /// - Throws: ``DNSWireError`` `tooLarge` when longer than 255 octets.
    public mutating func writeCharacterString(_ value: [UInt8]) throws(DNSWireError) {
        guard value.count <= 255 else { throw DNSWireError(.tooLarge, "character-string longer than 255 octets") }
        bytes.append(UInt8(value.count))
        bytes.append(contentsOf: value)
    }

    /// Overwrites a 16-bit integer already written at `offset`.
    public mutating func patchUInt16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Appends a name. With `compress`, the longest suffix already written becomes a pointer
    /// (RFC 1035 §4.1.4); either way the name's own suffixes become available as targets, so a
    /// name written uncompressed inside RDATA can still be pointed at by later owners.
    /// - Parameters:
    ///   - compress: true only for owner names and RDATA names of RFC 1035 types (RFC 3597 §4).
    ///   - lowercase: write the canonical lowercase form (RFC 4034 §6.2).
    public mutating func writeName(_ name: DomainName, compress: Bool, lowercase: Bool = false) {
        let wire = name.wireBytes
        let base = bytes.count
        var offset = 0
        while wire[offset] != 0 {
            let hash = Self.foldedHash(wire, from: offset)
            let known = target(of: hash)
            if compress, let target = known, suffixMatches(wire, from: offset, at: target) {
                appendPrefix(of: wire, count: offset, lowercase: lowercase)
                writeUInt16(0xC000 | UInt16(target))
                return
            }
            // The labels are copied after the loop; a target inside them is only ever confirmed by
            // `suffixMatches` against bytes already written, so none is used before it exists.
            if base + offset <= Self.maxPointerTarget && known == nil {
                remember(hash, at: base + offset)
            }
            offset += Int(wire[offset]) + 1
        }
        appendPrefix(of: wire, count: offset + 1, lowercase: lowercase)
    }

    /// Appends the first `count` octets of a wire-form name in one copy (label by label through
    /// `ArraySlice` cost 1.2 % of the daemon's CPU on cached answers), folded when `lowercase`.
    /// Length octets (at most 63) are below "A", so folding leaves them alone.
    @inline(__always)
    private mutating func appendPrefix(of wire: [UInt8], count: Int, lowercase: Bool) {
        wire.withUnsafeBufferPointer { source in
            let prefix = UnsafeBufferPointer(rebasing: source[0..<count])
            if lowercase {
                for byte in prefix { bytes.append(DomainName.fold(byte)) }
            } else {
                bytes.append(contentsOf: prefix)
            }
        }
    }

    /// Where a name suffix with this hash was first written, if anywhere.
    @inline(__always)
    private func target(of hash: UInt64) -> Int? {
        var index = 0
        while index < inlineCount {
            if inlineHashes[index] == hash { return Int(inlineOffsets[index]) }
            index += 1
        }
        return compressionTable.isEmpty ? nil : compressionTable[hash]
    }

    /// Records a compression target (an offset at most ``maxPointerTarget``, so it fits 16 bits).
    @inline(__always)
    private mutating func remember(_ hash: UInt64, at offset: Int) {
        if inlineCount < Self.inlineTargets {
            inlineHashes[inlineCount] = hash
            inlineOffsets[inlineCount] = UInt16(offset)
            inlineCount += 1
        } else {
            compressionTable[hash] = offset
        }
    }

    /// FNV-1a over the case-folded wire form of the suffix of `wire` starting at `offset`.
    /// - Parameters:
    ///   - wire: an uncompressed, validated name.
    ///   - offset: the start of a label.
    /// - Returns: the hash.
    private static func foldedHash(_ wire: [UInt8], from offset: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for index in offset..<wire.count {
            hash = (hash ^ UInt64(DomainName.fold(wire[index]))) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Whether the name written at `target` (following the pointers in what was written) equals the
    /// suffix of `wire` from `offset`, ASCII case folded.
    /// - Parameters:
    ///   - wire: an uncompressed, validated name.
    ///   - offset: the start of a label in `wire`.
    ///   - target: an offset in ``bytes`` where a name was written.
    /// - Returns: true when the two spell the same name.
    private func suffixMatches(_ wire: [UInt8], from offset: Int, at target: Int) -> Bool {
        var position = target
        var index = offset
        var hops = 0
        while position < bytes.count {
            let length = Int(bytes[position])
            if length & 0xC0 == 0xC0 {
                // Our own output: pointers point backwards; the cap guards against a bug, never input.
                guard position + 1 < bytes.count, hops < WireReader.maxPointerHops else { return false }
                position = (length & 0x3F) << 8 | Int(bytes[position + 1])
                hops += 1
                continue
            }
            guard index < wire.count, Int(wire[index]) == length else { return false }
            if length == 0 { return true }
            guard position + length < bytes.count else { return false }
            for step in 1...length where DomainName.fold(bytes[position + step]) != DomainName.fold(wire[index + step])
            {
                return false
            }
            position += length + 1
            index += length + 1
        }
        return false
    }

    /// Appends a 16-bit length, runs `body`, then writes the length of what `body` appended.
    /// - Throws: what `body` throws, or `tooLarge` when the body exceeds 65535 octets.
    public mutating func withLengthPrefix(
        _ body: (inout WireWriter) throws(DNSWireError) -> Void
    ) throws(DNSWireError) {
        let lengthAt = bytes.count
        writeUInt16(0)
        try body(&self)
        let length = bytes.count - lengthAt - 2
        guard length <= Int(UInt16.max) else { throw DNSWireError(.tooLarge, "RDATA longer than 65535 octets") }
        patchUInt16(UInt16(length), at: lengthAt)
    }

    /// A point to come back to: the byte count at the time.
    public struct Mark: Sendable {
        /// The byte count when the mark was taken.
        let count: Int
    }

    /// Remembers the current length.
    public func mark() -> Mark { Mark(count: bytes.count) }

    /// Drops everything written after `mark`, and the compression targets inside it.
    public mutating func rollBack(to mark: Mark) {
        guard bytes.count > mark.count else { return }
        bytes.removeSubrange(mark.count...)
        // Targets are appended in offset order: the ones inside the dropped bytes are a tail.
        while inlineCount > 0 && Int(inlineOffsets[inlineCount - 1]) >= mark.count { inlineCount -= 1 }
        if !compressionTable.isEmpty { compressionTable = compressionTable.filter { $0.value < mark.count } }
    }
}
