// Primary responsibilities: the two plain list formats — hosts files and domain lists — read a
// line at a time straight into the packed table, each name checked as a host name (RFC 1123 §2.1
// letters, digits and hyphens, and the underscore that service names use, RFC 8552) and written
// in its lowercased wire form (RFC 1035 §3.1).

import DNSWire

/// Loads plain lists.
enum ListFiles {
    /// The most names one list may hold: the bound on what a runaway file can make the daemon keep
    /// (about 40 bytes each: 400 MB at the bound).
    static let maxNames = 10_000_000

    /// Names a hosts file maps for the system's own sake, not to block them: blocking lists
    /// (StevenBlack's, for one) start with these lines, and `localhost` is answered elsewhere
    /// (RFC 6761 §6.3).
    static let housekeepingNames: Set<[UInt8]> = Set(
        [
            "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback",
            "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0",
        ].map { Array($0.utf8) })

    /// Reads a hosts file: `ADDRESS NAME [NAME…]` lines, `#` to the end of the line a comment. Names
    /// given 0.0.0.0, 127.0.0.1, :: or ::1 are listed for themselves (a hosts file never covered the
    /// names below one); lines with other addresses are left aside and counted.
    static func hosts(path: String, over base: NameTable? = nil) throws(BlocklistError) -> Blocklist? {
        let reader = try LineReader(path: path)
        var list = Blocklist()
        var overlay = base.map { Overlay(base: $0) }
        if overlay == nil { try presize(&list.table, reader, namesFrom: 1) }
        try reader.forEachLine { (line, number) throws(BlocklistError) in
            let fields = Self.fields(line)
            guard let first = fields.first else { return }
            guard fields.count >= 2 else {
                throw BlocklistError(file: path, line: number, "expected an address and at least one name")
            }
            let address = Array(line[first])
            guard let blocking = Self.isBlockingAddress(address) else {
                throw BlocklistError(
                    file: path, line: number, "'\(String(decoding: address, as: UTF8.self))' is not an address")
            }
            guard blocking else {
                list.notes.nonBlockingLines += 1
                return
            }
            for field in fields.dropFirst() {
                if Self.housekeepingNames.contains(line[field].map(NameTable.fold)) {
                    list.notes.housekeepingNames += 1
                    continue
                }
                try Self.add(
                    line, field, codes: PolicyCodes(exact: .listed, below: .none), to: &list, &overlay, path, number)
            }
        }
        return finish(list, overlay)
    }

    /// Reads a domain list: one name a line, which lists it and every name below it; `*.NAME` lists
    /// only the names below. `#` starts a comment. A line with two fields is refused with a hint,
    /// since it is most likely a hosts file given the wrong format.
    static func domains(path: String, over base: NameTable? = nil) throws(BlocklistError) -> Blocklist? {
        let reader = try LineReader(path: path)
        var list = Blocklist()
        var overlay = base.map { Overlay(base: $0) }
        if overlay == nil { try presize(&list.table, reader, namesFrom: 0) }
        try reader.forEachLine { (line, number) throws(BlocklistError) in
            let fields = Self.fields(line)
            guard var field = fields.first else { return }
            guard fields.count == 1 else {
                throw BlocklistError(
                    file: path, line: number,
                    "expected one name a line (a hosts file? give it format: hosts)")
            }
            var codes = PolicyCodes(exact: .listed, below: .listed)
            if field.count > 2 && line[field.lowerBound] == 0x2A && line[field.lowerBound + 1] == 0x2E {  // "*."
                codes.exact = .none
                field = field.lowerBound + 2..<field.upperBound
            }
            try Self.add(line, field, codes: codes, to: &list, &overlay, path, number)
        }
        return finish(list, overlay)
    }

    /// A list being read against the table of the list it replaces.
    struct Overlay {
        /// The replaced list's table.
        let base: NameTable
        /// For each slot of `base`, the packed codes the new file gives its name (0: not listed).
        var codes: [UInt8]

        /// An overlay on `base`.
        init(base: NameTable) {
            self.base = base
            codes = Array(repeating: 0, count: base.slots.count)
        }
    }

    /// The most an overlay may differ from its base (names added, changed or gone) before a list is
    /// built whole instead: past it the overlay saves little and every lookup would pay for two tables.
    static func overlayLimit(_ base: NameTable) -> Int { base.count / 4 }

    /// `list` as read: trimmed when whole; with an overlay, the base entries the file still lists with
    /// the same codes marked live and those it lists with other codes copied into the table. Nil when
    /// the overlay differs from its base by more than ``overlayLimit(_:)``.
    static func finish(_ list: Blocklist, _ overlay: Overlay?) -> Blocklist? {
        var list = list
        guard let overlay else {
            list.table.trim()
            return list
        }
        let base = overlay.base
        var live = [UInt64](repeating: 0, count: (base.slots.count + 63) / 64)
        var liveCount = 0
        base.storage.withUnsafeBufferPointer { storage in
            base.forEachEntry { slot, name, stored in
                let codes = overlay.codes[slot]
                if codes == 0 { return }
                if codes == stored {
                    live[slot >> 6] |= 1 << UInt64(slot & 63)
                    liveCount += 1
                    return
                }
                let start = list.table.storageCount
                for index in name { list.table.append(storage[index]) }
                list.table.commitAppendedName(from: start, codes: PolicyCodes(byte: codes))
            }
        }
        let gone = base.count - liveCount
        guard list.table.count + gone <= overlayLimit(base) else { return nil }
        list.table.trim()
        list.base = base
        list.live = live
        list.liveCount = liveCount
        return list
    }

    /// Sizes `table` for the file in a first pass that only splits fields: the names' bytes (each
    /// field from `namesFrom` on, its wire form two bytes longer, plus the policy byte) and their
    /// count. The table then fills without growing, and a list costs its final size while it loads,
    /// not twice it (a reload holds the old list meanwhile). Bad lines are left to the second pass.
    private static func presize(
        _ table: inout NameTable, _ reader: borrowing LineReader, namesFrom: Int
    )
        throws(BlocklistError)
    {
        var bytes = 0
        var names = 0
        try reader.forEachLine { (line, _) throws(BlocklistError) in
            let fields = Self.fields(line)
            guard fields.count > namesFrom else { return }
            for field in fields[namesFrom...] {
                bytes += field.count + 3
                names += 1
            }
        }
        table.reserve(bytes: bytes)
        table.reserve(names: min(names, maxNames + 1))
    }

    /// Adds the name `line[field]` with `codes`, checked and lowercased; with an overlay, a name its
    /// base holds is only noted there.
    private static func add(
        _ line: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, codes: PolicyCodes, to list: inout Blocklist,
        _ overlay: inout Overlay?, _ path: String, _ number: Int
    ) throws(BlocklistError) {
        let start = list.table.storageCount
        if let problem = appendWireName(line, field, to: &list.table) {
            list.table.discard(from: start)
            throw BlocklistError(file: path, line: number, problem)
        }
        if overlay != nil {
            let end = list.table.storageCount
            let found = list.table.storage.withUnsafeBufferPointer { overlay!.base.codes($0, from: start, to: end) }
            if let (_, _, slot) = found {
                list.table.discard(from: start)
                // Merged as the table merges a repeated name: a position already given keeps it.
                var merged = PolicyCodes(byte: overlay!.codes[slot])
                if overlay!.codes[slot] != 0 { list.notes.duplicates += 1 }
                if merged.exact == .none { merged.exact = codes.exact }
                if merged.below == .none { merged.below = codes.below }
                overlay!.codes[slot] = merged.byte
                return
            }
        }
        if list.table.commitAppendedName(from: start, codes: codes).previous != nil {
            list.notes.duplicates += 1
        }
        guard list.table.count <= maxNames else {
            throw BlocklistError(file: path, line: number, "more than \(maxNames) names")
        }
        guard list.table.storageCount < NameTable.maxStorageBytes else {
            throw BlocklistError(file: path, line: number, "more than \(NameTable.maxStorageBytes) bytes of names")
        }
    }

    /// Appends the wire form of the host name `line[field]` (an optional final dot), lowercased, to
    /// the table's storage.
    /// - Returns: what is wrong with the name, or nil.
    static func appendWireName(
        _ line: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, to table: inout NameTable
    )
        -> String?
    {
        var end = field.upperBound
        if end - field.lowerBound > 1 && line[end - 1] == 0x2E { end -= 1 }  // a final dot
        var text: String { String(decoding: line[field], as: UTF8.self) }
        guard end > field.lowerBound, line[field.lowerBound] != 0x2E || end - field.lowerBound > 1 else {
            return "'\(text)': the root cannot be listed (it would cover every name)"
        }
        guard end - field.lowerBound + 2 <= 255 else { return "'\(text)': longer than 255 octets (RFC 1035 §3.1)" }
        var labelStart = field.lowerBound
        var index = field.lowerBound
        // One pass over the field (at most LineReader.maxLineLength bytes).
        while index <= end {
            if index == end || line[index] == 0x2E {
                let length = index - labelStart
                guard length > 0 else { return "'\(text)': empty label" }
                guard length <= 63 else { return "'\(text)': a label longer than 63 octets (RFC 1035 §2.3.4)" }
                table.append(UInt8(length))
                for position in labelStart..<index { table.append(NameTable.fold(line[position])) }
                labelStart = index + 1
            } else {
                let byte = line[index]
                let letter = NameTable.fold(byte) &- 0x61 < 26
                let allowed = letter || byte &- 0x30 < 10 || byte == 0x2D || byte == 0x5F
                guard allowed else {
                    return byte >= 0x80
                        ? "'\(text)': not ASCII (write internationalised names as A-labels, xn--…, RFC 5890)"
                        : "'\(text)': '\(Character(Unicode.Scalar(byte)))' is not allowed in a host name"
                }
            }
            index += 1
        }
        table.append(0)
        return nil
    }

    /// The whitespace-separated fields of `line` before a `#` comment, at most 64 (a hosts line of
    /// more names is refused by the caller's checks only past that).
    static func fields(_ line: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var index = 0
        var start = -1
        // One pass over the line (at most LineReader.maxLineLength bytes).
        while index < line.count {
            let byte = line[index]
            if byte == 0x23 { break }  // #
            if byte == 0x20 || byte == 0x09 {
                if start >= 0 {
                    fields.append(start..<index)
                    start = -1
                }
            } else if start < 0 {
                start = index
            }
            index += 1
        }
        if start >= 0 { fields.append(start..<index) }
        return fields
    }

    /// Whether a hosts address blocks: 0.0.0.0, 127.0.0.1, :: or ::1; nil when it is not an address.
    /// A zone index (`fe80::1%lo0`, in the housekeeping lines of some lists) is allowed and ignored.
    static func isBlockingAddress(_ text: [UInt8]) -> Bool? {
        switch text {
        case Array("0.0.0.0".utf8), Array("127.0.0.1".utf8), Array("::".utf8), Array("::1".utf8): return true
        default: break
        }
        let bare = text.firstIndex(of: 0x25).map { Array(text[..<$0]) } ?? text  // %zone
        guard let address = IPAddress(String(decoding: bare, as: UTF8.self)) else { return nil }
        return address.isUnspecified || address == IPAddress("127.0.0.1")! || address == IPAddress("::1")!
    }
}
