// Primary responsibilities: estimate what the heap really holds for a cached value — Swift object
// headers, array capacity (not count), malloc's rounding and per-chunk overhead — so the memory
// bound is a bound on the process's footprint, not on a count of payload bytes.

public import DNSWire

/// Byte estimates of heap allocations, calibrated for Swift 6 on 64-bit Linux with glibc malloc.
///
/// What the numbers come from:
/// - glibc hands out chunks of `max(32, (request + 8 + 15) & ~15)` bytes: an 8-byte size header,
///   16-byte alignment, a 32-byte minimum (`request2size` in glibc's malloc.c). `mallinfo2()`'s
///   `uordblks` counts exactly these chunk sizes, and the tests compare against it.
/// - A Swift array's buffer is one allocation of a 32-byte header (object header 16, count 8,
///   capacity and flags 8) plus `capacity × stride`; on Linux the runtime asks
///   `malloc_usable_size` and raises the capacity to fill the chunk, so counting `capacity` (not
///   `count`) gives the chunk. An empty array uses a shared static buffer and costs nothing.
/// - A native string longer than 15 UTF-8 bytes has a 32-byte header plus the bytes and a NUL;
///   shorter ones live inside the `String` value.
/// - A native dictionary is one allocation: a 64-byte header, the occupancy bitmap (one bit per
///   bucket, in 8-byte words), then keys and values for every bucket. Buckets are a power of two
///   filled to at most 3/4.
///
/// Checked against `mallinfo2()` (uordblks + hblkhd) in a standalone run of 100 k entries: 273
/// accounted = 273 measured bytes per cached A RRset, 818 per DNSKEY RRset of two P-256 keys and
/// one RRSIG; the unit test `calibration` holds it within 10 % (0.2 % observed).
///
/// The estimate errs high where Swift shares storage (two entries holding the same array): the
/// cache never shares arrays between entries except a name, which is counted once per name.
public enum MemoryEstimate {
    /// The chunk glibc malloc uses for a request of `bytes`.
    @inlinable
    public static func mallocChunk(_ bytes: Int) -> Int { max(32, (bytes + 8 + 15) & ~15) }

    /// Heap bytes behind an array's buffer (0 for the shared empty buffer).
    @inlinable
    public static func array<Element>(_ array: [Element]) -> Int {
        let capacity = array.capacity
        return capacity == 0 ? 0 : mallocChunk(32 + capacity * MemoryLayout<Element>.stride)
    }

    /// Heap bytes behind a string (0 when it is stored inline).
    @inlinable
    public static func string(_ string: String) -> Int {
        let count = string.utf8.count
        return count <= 15 ? 0 : mallocChunk(32 + count + 1)
    }

    /// Heap bytes behind a dictionary's storage of `capacity` (as `Dictionary.capacity` reports).
    @inlinable
    public static func dictionary<Key, Value>(capacity: Int, key: Key.Type, value: Value.Type) -> Int {
        guard capacity > 0 else { return 0 }
        var buckets = 1
        while buckets * 3 / 4 < capacity { buckets <<= 1 }
        let bitmap = max(1, buckets / 64) * 8
        let keys = buckets * MemoryLayout<Key>.stride
        let values = buckets * MemoryLayout<Value>.stride
        return mallocChunk(64 + bitmap + keys + values + MemoryLayout<Value>.alignment)
    }

    /// Heap bytes behind a name's wire bytes.
    @inlinable
    public static func name(_ name: DomainName) -> Int { array(name.wireBytes) }

    /// Heap bytes owned by one RDATA value beyond its inline enum payload: names, keys, digests,
    /// signatures, strings held in arrays.
    public static func rdata(_ rdata: RData) -> Int {
        switch rdata {
        case .a, .aaaa:
            return 0
        case .ns(let value):
            return name(value.nameServer)
        case .cname(let value):
            return name(value.target)
        case .ptr(let value):
            return name(value.target)
        case .dname(let value):
            return name(value.target)
        case .soa(let value):
            return name(value.mname) + name(value.rname)
        case .mx(let value):
            return name(value.exchange)
        case .txt(let value):
            return array(value.strings) + value.strings.reduce(0) { $0 + array($1) }
        case .srv(let value):
            return name(value.target)
        case .ds(let value), .cds(let value):
            return array(value.digest)
        case .dnskey(let value), .cdnskey(let value):
            return array(value.publicKey)
        case .rrsig(let value):
            return rrsig(value)
        case .nsec(let value):
            return name(value.nextDomainName) + array(value.types.types)
        case .nsec3(let value):
            return array(value.salt) + array(value.nextHashedOwnerName) + array(value.types.types)
        case .nsec3param(let value):
            return array(value.salt)
        case .tlsa(let value):
            return array(value.data)
        case .caa(let value):
            return array(value.tag) + array(value.value)
        case .svcb(let value), .https(let value):
            return name(value.target) + array(value.parameters) + value.parameters.reduce(0) { $0 + array($1.value) }
        case .unknown(_, let bytes):
            return array(bytes)
        }
    }

    /// Heap bytes owned by one RRSIG: its signer name and signature.
    @inlinable
    public static func rrsig(_ rrsig: RRSIG) -> Int { name(rrsig.signerName) + array(rrsig.signature) }

    /// Heap bytes of the member and signature arrays of an RRset and everything they own; the
    /// owner name is not included (the cache counts it once per name).
    public static func rrsetBody(rdatas: [RData], signatures: [RRSIG]) -> Int {
        var total = array(rdatas) + array(signatures)
        for rdata in rdatas { total += self.rdata(rdata) }
        for signature in signatures { total += rrsig(signature) }
        return total
    }

    /// Heap bytes of a whole RRset kept inside another entry (a negative answer's SOA or proofs),
    /// owner name included.
    public static func rrset(_ rrset: RRSet) -> Int {
        name(rrset.name) + rrsetBody(rdatas: rrset.rdatas, signatures: rrset.signatures)
    }

    /// Heap bytes behind a reason as the cache keeps it (a validation reason, or a remembered
    /// resolution failure): a box object (16-byte header plus the value) and the strings.
    public static func reason(site: String, detail: String) -> Int {
        mallocChunk(16 + MemoryLayout<CacheSlot.ReasonBox.Content>.size) + string(site) + string(detail)
    }
}
