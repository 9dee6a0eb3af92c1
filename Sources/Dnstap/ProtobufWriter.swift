// Primary responsibilities: the few Protocol Buffers wire rules one fixed schema (dnstap.proto)
// needs — varints, tags, length-delimited bytes and fixed32 — written by hand instead of taking a
// general protobuf library for two messages.

/// Appends Protocol Buffers fields to a byte buffer (the encoding of
/// https://protobuf.dev/programming-guides/encoding/: each field a tag `number << 3 | wire type`
/// as a varint, then its value).
struct ProtobufWriter {
    /// The wire types used by dnstap.proto.
    enum WireType: UInt64 {
        /// int32, uint32, uint64, enum: a varint.
        case varint = 0
        /// bytes and embedded messages: a varint length, then the bytes.
        case lengthDelimited = 2
        /// fixed32: four octets, little-endian.
        case fixed32 = 5
    }

    /// The encoded fields so far.
    private(set) var bytes: [UInt8] = []

    /// An empty buffer with room for `capacity` octets.
    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// A base-128 varint: seven bits per octet, least significant group first, the high bit set on
    /// every octet but the last.
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The tag of field `number`.
    mutating func tag(_ number: UInt64, _ type: WireType) { varint(number << 3 | type.rawValue) }

    /// A varint field (uint32, uint64, enum).
    mutating func field(_ number: UInt64, varint value: UInt64) {
        tag(number, .varint)
        varint(value)
    }

    /// A fixed32 field, little-endian.
    mutating func field(_ number: UInt64, fixed32 value: UInt32) {
        tag(number, .fixed32)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// A bytes field, or an embedded message's encoding.
    mutating func field<Bytes: Collection<UInt8>>(_ number: UInt64, bytes value: Bytes) {
        tag(number, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}
