// Primary responsibilities: the compact set of names behind a blocklist — every name's lowercased
// wire form (RFC 1035 §3.1) packed into one contiguous buffer, found through an open-addressed
// hash table of offsets into it — and the walk from a query name up through its parents.

/// What one listed name does, for the name itself and for the names below it.
///
/// Codes are four bits each: ``Code/none`` means the entry says nothing for that position.
struct PolicyCodes: Hashable, Sendable {
    /// One entry's policy at one position.
    enum Code: UInt8, Sendable {
        /// No policy here.
        case none = 0
        /// The list's own action (hosts and domain lists).
        case listed = 1
        /// RPZ NXDOMAIN (`CNAME .`).
        case nxdomain = 2
        /// RPZ NODATA (`CNAME *.`).
        case nodata = 3
        /// RPZ PASSTHRU (`CNAME rpz-passthru.`).
        case passthru = 4
        /// RPZ local data: the records of the owner, kept beside the table.
        case localData = 5
    }

    /// For the listed name itself.
    var exact: Code
    /// For every name strictly below it (an RPZ wildcard owner, a domain list's entry).
    var below: Code

    /// The packed byte stored after the name.
    var byte: UInt8 { exact.rawValue | below.rawValue << 4 }

    /// Unpacks a stored byte.
    init(byte: UInt8) {
        exact = Code(rawValue: byte & 0x0F) ?? .none
        below = Code(rawValue: byte >> 4) ?? .none
    }

    /// Codes for a name and the names below it.
    init(exact: Code, below: Code) {
        self.exact = exact
        self.below = below
    }
}

/// A set of lowercased domain names with a ``PolicyCodes`` byte each, built once and then only read.
///
/// Memory: each name costs its wire length plus one byte in ``storage`` and about 4–8 bytes of slot
/// (a power-of-two table kept at most 3/4 full), so a list of typical 20–30 character names costs
/// about 30–40 bytes a name — against several hundred for a `Set<DomainName>` of separately
/// allocated arrays. Lookups hash the query's suffixes in place, without allocating.
struct NameTable: Sendable {
    /// Entries one after another: a name's lowercased wire bytes, then its packed codes.
    private(set) var storage: [UInt8] = []
    /// Offsets into ``storage`` plus one (zero is an empty slot); the count is a power of two.
    private(set) var slots: [UInt32] = Array(repeating: 0, count: 16)
    /// Names held.
    private(set) var count = 0

    /// The most bytes ``storage`` may hold: offsets are 32 bits.
    static let maxStorageBytes = Int(UInt32.max) - 512

    /// Bytes this table holds on the heap: what it accounts for in the list's memory figure.
    var byteCount: Int { storage.capacity + slots.capacity * MemoryLayout<UInt32>.stride }

    /// Reserves room for about `bytes` of names, so a list sized from its file grows no further.
    mutating func reserve(bytes: Int) {
        storage.reserveCapacity(min(bytes, Self.maxStorageBytes))
    }

    /// Sizes the slots for up to `names` names at once, so the table is never doubled (and never
    /// holds its old and new slots together) while it fills.
    mutating func reserve(names: Int) {
        guard count == 0 else { return }
        var size = slots.count
        while size * 3 < names * 4 && size < 1 << 31 { size *= 2 }
        if size > slots.count { slots = Array(repeating: 0, count: size) }
    }

    /// FNV-1a over `bytes[start..<end]`, ASCII letters folded to lower case: wire length octets
    /// are at most 63, below every letter, so folding every byte keeps them (RFC 4343 §3: names
    /// compare without regard to ASCII case).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var index = start
        while index < end {
            hash = (hash ^ UInt64(fold(bytes[index]))) &* 0x0000_0100_0000_01b3
            index += 1
        }
        return hash ^ (hash >> 29)
    }

    /// `byte` with an upper-case ASCII letter made lower case.
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// The entry offset and slot holding the name `bytes[start..<end]` (a suffix of a wire name,
    /// ending in the root label), or nil.
    @inline(__always)
    private func find(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, hash: UInt64,
        storage: UnsafeBufferPointer<UInt8>, slots: UnsafeBufferPointer<UInt32>
    ) -> (offset: Int, slot: Int)? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let length = end - start
        // Each probe moves one slot; the table is never full, so an empty slot ends the walk.
        while true {
            let stored = slots[slot]
            if stored == 0 { return nil }
            let offset = Int(stored) - 1
            if offset + length <= storage.count {
                var index = 0
                while index < length && storage[offset + index] == Self.fold(bytes[start + index]) { index += 1 }
                if index == length { return (offset, slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The codes of the name whose wire form is `bytes[start..<end]`, or nil when it is not held.
    @inline(__always)
    func codes(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int
    ) -> (
        PolicyCodes, offset: Int, slot: Int
    )? {
        storage.withUnsafeBufferPointer { storage in
            slots.withUnsafeBufferPointer { slots in
                let hash = Self.hash(bytes, from: start, to: end)
                guard let (offset, slot) = find(bytes, from: start, to: end, hash: hash, storage: storage, slots: slots)
                else { return nil }
                return (PolicyCodes(byte: storage[offset + end - start]), offset, slot)
            }
        }
    }

    /// Calls `body` with each entry's slot, the bounds of its name in ``storage`` and its packed codes.
    func forEachEntry(_ body: (_ slot: Int, _ name: Range<Int>, _ codes: UInt8) -> Void) {
        // One visit a slot: the slots are a fixed array.
        for (slot, stored) in slots.enumerated() where stored != 0 {
            let offset = Int(stored) - 1
            let end = Self.nameEnd(storage, at: offset)
            body(slot, offset..<end, storage[end])
        }
    }

    /// Adds the name whose lowercased wire bytes were just appended to ``storage`` from `start`
    /// (by the parsers, to avoid a copy), or merges `codes` into the entry already there: a
    /// position already given a policy keeps it (the first line wins).
    /// - Returns: the entry's offset, and the codes it had before (nil when it is new).
    @discardableResult
    mutating func commitAppendedName(from start: Int, codes: PolicyCodes) -> (offset: Int, previous: PolicyCodes?) {
        let end = storage.count
        let hash = storage.withUnsafeBufferPointer { Self.hash($0, from: start, to: end) }
        let existing = storage.withUnsafeBufferPointer { bytes in
            slots.withUnsafeBufferPointer { slots in
                find(
                    bytes, from: start, to: end, hash: hash, storage: UnsafeBufferPointer(rebasing: bytes[..<start]),
                    slots: slots)
            }
        }
        if let offset = existing?.offset {
            storage.removeLast(end - start)
            let at = offset + end - start
            let previous = PolicyCodes(byte: storage[at])
            var merged = previous
            if merged.exact == .none { merged.exact = codes.exact }
            if merged.below == .none { merged.below = codes.below }
            storage[at] = merged.byte
            return (offset, previous)
        }
        storage.append(codes.byte)
        if (count + 1) * 4 > slots.count * 3 { grow() }
        place(offset: start, hash: hash)
        count += 1
        return (start, nil)
    }

    /// Puts `offset` into the first free slot from `hash`.
    private mutating func place(offset: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(offset + 1)
    }

    /// Doubles the slots and places every entry again.
    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        for stored in old where stored != 0 {
            let offset = Int(stored) - 1
            let end = Self.nameEnd(storage, at: offset)
            let hash = storage.withUnsafeBufferPointer { Self.hash($0, from: offset, to: end) }
            place(offset: offset, hash: hash)
        }
    }

    /// The end of the wire name starting at `offset` (just past its root label).
    static func nameEnd(_ storage: [UInt8], at offset: Int) -> Int {
        var index = offset
        while storage[index] != 0 { index += Int(storage[index]) + 1 }
        return index + 1
    }

    /// Gives back the storage's unused capacity when it is more than an eighth: a list is read once
    /// and then kept for a long time. The copy is the size of the names, after the parser's scratch
    /// is gone.
    mutating func trim() {
        if storage.capacity > storage.count + storage.count / 8 + 64 {
            // `Array(storage)` would share the buffer; a copy through a pointer gets its own, sized to fit.
            storage = storage.withUnsafeBufferPointer { Array($0) }
        }
    }

    /// Appends `byte` to ``storage`` (the parsers build a name in place before committing it).
    @inline(__always)
    mutating func append(_ byte: UInt8) { storage.append(byte) }

    /// Drops what was appended from `start` on (a name that turned out bad).
    mutating func discard(from start: Int) { storage.removeLast(storage.count - start) }

    /// The number of bytes in ``storage``.
    var storageCount: Int { storage.count }
}
