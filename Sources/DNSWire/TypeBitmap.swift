/// The set of types present at an NSEC or NSEC3 owner, encoded as windowed bitmaps (RFC 4034 §4.1.2).
public struct TypeBitmap: Hashable, Sendable, CustomStringConvertible {
    /// The types, sorted ascending, without duplicates.
    public private(set) var types: [RRType]

    /// Creates a bitmap holding `types` (any order, duplicates ignored).
    public init(_ types: some Sequence<RRType>) {
        self.types = Array(Set(types)).sorted()
    }

    /// Whether `type` is present.
    public func contains(_ type: RRType) -> Bool {
        var low = 0
        var high = types.count
        while low < high {
            let middle = (low + high) / 2
            if types[middle] == type { return true }
            if types[middle] < type { low = middle + 1 } else { high = middle }
        }
        return false
    }

    /// The types as mnemonics separated by spaces.
    public var description: String { types.map(\.description).joined(separator: " ") }

    /// Decodes every remaining byte of `reader` as window blocks: strictly increasing window
    /// numbers, bitmap lengths 1…32 (RFC 4034 §4.1.2).
    static func decode(_ reader: inout WireReader) throws(DNSWireError) -> TypeBitmap {
        var types: [RRType] = []
        var lastWindow = -1
        while !reader.isAtEnd {
            let window = Int(try reader.readUInt8())
            let length = Int(try reader.readUInt8())
            guard window > lastWindow else {
                throw DNSWireError(.badRData, "type bitmap windows out of order", offset: reader.offset)
            }
            guard (1...32).contains(length) else {
                throw DNSWireError(.badRData, "type bitmap length \(length) not in 1…32", offset: reader.offset)
            }
            lastWindow = window
            let bits = try reader.readBytes(length)
            for (index, octet) in bits.enumerated() where octet != 0 {
                for bit in 0..<8 where octet & (0x80 >> bit) != 0 {
                    types.append(RRType(UInt16(window << 8 | index << 3 | bit)))
                }
            }
        }
        var bitmap = TypeBitmap([])
        bitmap.types = types
        return bitmap
    }

    /// Encodes the set as window blocks, omitting empty windows and trailing zero octets.
    func encode(to writer: inout WireWriter) {
        var index = 0
        while index < types.count {
            let window = types[index].rawValue >> 8
            var bits = [UInt8](repeating: 0, count: 32)
            var used = 0
            while index < types.count && types[index].rawValue >> 8 == window {
                let low = Int(types[index].rawValue & 0xFF)
                bits[low >> 3] |= 0x80 >> UInt8(low & 7)
                used = (low >> 3) + 1
                index += 1
            }
            writer.writeUInt8(UInt8(window))
            writer.writeUInt8(UInt8(used))
            writer.writeBytes(bits[0..<used])
        }
    }
}
