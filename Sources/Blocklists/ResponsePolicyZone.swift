// Primary responsibilities: reading a Response Policy Zone file (draft-vixie-dnsop-dns-rpz-00, as
// BIND and Unbound implement it) into a blocklist: QNAME triggers with the NXDOMAIN (`CNAME .`),
// NODATA (`CNAME *.`), PASSTHRU (`CNAME rpz-passthru.`) and Local Data actions; wildcard owners
// (`*.example`) for the names below. Other trigger kinds are counted and left aside.

import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// Loads RPZ zone files.
enum ResponsePolicyZone {
    /// The largest RPZ file read (it is read whole, then scanned): a bound on a runaway file.
    static let maxFileBytes = 1 << 30
    /// The most records one owner may carry as local data (draft §4.1.4: an RRset per type).
    static let maxRecordsPerOwner = 64
    /// The most owners with local data: each is kept as RRsets, far larger than a packed name.
    static let maxLocalDataOwners = 100_000
    /// The most records and directives read from one file: the names a list may hold, and as many
    /// again for local data and the zone's own records.
    static let maxEntries = 2 * ListFiles.maxNames
    /// The TTL of local data that gives none and follows no `$TTL`: the draft's examples use 300.
    static let defaultTTL: UInt32 = 300

    /// The labels that mark a trigger other than QNAME, just above the zone's apex (draft §4.1:
    /// Response IP Address, NSDNAME, NSIP; `rpz-client-ip` is BIND's CLIENT-IP trigger).
    static let otherTriggerLabels: Set<[UInt8]> = Set(
        ["rpz-ip", "rpz-nsdname", "rpz-nsip", "rpz-client-ip"].map { Array($0.utf8) })

    /// Local data gathered for one owner before it goes into the table.
    private struct PendingLocalData {
        /// The line of its first record, for errors.
        var line: Int
        /// The records in file order, owners still the zone file's.
        var records: [Record]
    }

    /// Reads the RPZ zone file at `path`. Its first record is the SOA, whose owner is the policy
    /// zone's name: every trigger is an owner below it, the zone name taken off (draft §4).
    static func load(path: String) throws(BlocklistError) -> Blocklist {
        let text = try readWhole(path)
        var scanner = ZoneFileScanner(text: text)
        var list = Blocklist()
        list.table.reserve(bytes: text.utf8.count / 2)
        var apex: DomainName? = nil
        var origin = DomainName.root
        var ttlDirective: UInt32? = nil
        var previousOwner: DomainName? = nil
        var pending: [[UInt8]: PendingLocalData] = [:]
        var pendingOrder: [[UInt8]] = []
        var entries = 0
        // One entry a record or directive; maxEntries bounds the count.
        while true {
            let entry: ZoneFileScanner.Entry?
            do {
                entry = try scanner.nextEntry()
            } catch {
                throw BlocklistError(file: path, line: error.offset ?? 0, error.reason)
            }
            guard let entry else { break }
            entries += 1
            let line = entry.line
            func fail(_ reason: String) -> BlocklistError { BlocklistError(file: path, line: line, reason) }
            guard entries <= maxEntries else {
                throw fail("more than \(maxEntries) records")
            }
            var tokens = entry.tokens[...]
            let first = tokens[tokens.startIndex]
            if !entry.ownerOmitted, first.text.first == 0x24 {  // $
                tokens.removeFirst()
                switch first.description.uppercased() {
                case "$ORIGIN":
                    guard let token = tokens.popFirst(), let name = try? DomainName(token.description, origin: origin)
                    else { throw fail("$ORIGIN needs a name") }
                    origin = name
                case "$TTL":
                    guard let token = tokens.popFirst(), let ttl = duration(token.text) else {
                        throw fail("$TTL needs a value")
                    }
                    ttlDirective = ttl
                default:
                    throw fail("\(first) is not supported here")
                }
                continue
            }
            let owner: DomainName
            if entry.ownerOmitted {
                guard let previousOwner else { throw fail("no owner name and no previous record") }
                owner = previousOwner
            } else {
                tokens.removeFirst()
                do {
                    owner = try DomainName(first.description, origin: origin)
                } catch {
                    throw fail("bad owner name '\(first)': \(error.reason)")
                }
            }
            previousOwner = owner
            var ttl: UInt32? = nil
            // [TTL] [class] type, either order (RFC 1035 §5.1); two tokens at most.
            for _ in 0..<2 {
                guard let token = tokens.first, tokens.count > 1 else { break }
                if ttl == nil, let value = duration(token.text) {
                    ttl = value
                } else if RRClass(mnemonic: token.description) == .in {
                    // IN only: RPZ is data of class IN.
                } else {
                    break
                }
                tokens.removeFirst()
            }
            guard let typeToken = tokens.popFirst(), let type = RRType(mnemonic: typeToken.description) else {
                throw fail("missing or unknown type")
            }
            if apex == nil {
                guard type == .soa else {
                    throw fail("the first record must be the zone's SOA (its owner names the policy zone)")
                }
                apex = owner
                continue
            }
            guard let apex else { continue }
            guard owner.isSubdomain(of: apex) else { throw fail("\(owner) is not in the policy zone \(apex)") }
            // The zone's own SOA and NS records at its apex are not policy.
            if owner == apex { continue }

            let relative = owner.labelCount - apex.labelCount
            let ownerBytes = owner.lowercased.wireBytes
            var triggerStart = 0
            var below = false
            var labelStarts: [Int] = []
            var index = 0
            for _ in 0..<relative {
                labelStarts.append(index)
                index += Int(ownerBytes[index]) + 1
            }
            let lastLabel = Array(ownerBytes[(labelStarts[relative - 1] + 1)..<index])
            if otherTriggerLabels.contains(lastLabel) {
                list.notes.unsupportedTriggers += 1
                continue
            }
            if ownerBytes[0] == 1 && ownerBytes[1] == 0x2A {  // `*` label: the names below
                below = true
                triggerStart = 2
            }
            let trigger = Array(ownerBytes[triggerStart..<index]) + [0]

            // The usual actions, spelt as the draft writes them, need no RDATA parser.
            if type == .cname, tokens.count == 1, let code = Self.spelledAction(tokens[tokens.startIndex].text) {
                try insert(trigger, code: code, below: below, into: &list, fail)
                continue
            }
            let rdataText = tokens.map(\.description).joined(separator: " ")
            let rdata: RData
            do {
                rdata = try RData(presentation: rdataText, type: type, origin: origin)
            } catch {
                throw fail("bad \(type) data: \(error.reason)")
            }
            if case .cname(let cname) = rdata, let code = actionCode(cname.target, trigger: below ? nil : trigger) {
                guard let code else {
                    throw fail(
                        "CNAME \(cname.target) (\(cname.target == "rpz-drop." ? "DROP" : "TCP-Only")) is not supported")
                }
                try insert(trigger, code: code, below: below, into: &list, fail)
                continue
            }
            let key = trigger + [below ? 1 : 0]
            let record = Record(name: owner, ttl: ttl ?? ttlDirective ?? defaultTTL, rdata: rdata)
            if pending[key] == nil {
                guard pending.count < maxLocalDataOwners else {
                    throw fail("more than \(maxLocalDataOwners) owners with local data")
                }
                pending[key] = PendingLocalData(line: line, records: [record])
                pendingOrder.append(key)
            } else {
                guard pending[key]!.records.count < maxRecordsPerOwner else {
                    throw fail("more than \(maxRecordsPerOwner) records at \(owner)")
                }
                pending[key]!.records.append(record)
            }
        }
        guard apex != nil else { throw BlocklistError(file: path, line: 0, "no SOA record: not a zone file") }
        for key in pendingOrder {
            guard let data = pending[key] else { continue }
            let below = key.last == 1
            let trigger = Array(key.dropLast())
            let fail = { (reason: String) in BlocklistError(file: path, line: data.line, reason) }
            let sets = RRSet.group(data.records)
            if sets.contains(where: { $0.type == .cname }) && sets.count > 1 {
                throw fail("a CNAME and other data at the same owner (RFC 1034 §3.6.2)")
            }
            let offset = try insert(trigger, code: .localData, below: below, into: &list, fail)
            var slot = list.localData[offset] ?? (nil, nil)
            if below { slot.below = sets } else { slot.exact = sets }
            list.localData[offset] = slot
            list.localDataBytes += 64 + sets.reduce(0) { $0 + 64 + $1.rdatas.count * 48 }
        }
        list.table.trim()
        return list
    }

    /// The action a CNAME's target names (draft §4.1.x), `.some(nil)` for DROP and TCP-Only which
    /// this resolver cannot give, or nil when it is Local Data (a CNAME to another name). A CNAME
    /// to the trigger name itself (`trigger`, the lowercased wire form; nil for a wildcard owner) is
    /// the older spelling of PASSTHRU.
    static func actionCode(_ target: DomainName, trigger: [UInt8]?) -> PolicyCodes.Code?? {
        if target.isRoot { return .some(.nxdomain) }
        if target.wireBytes == [1, 0x2A, 0] { return .some(.nodata) }
        let lowered = target.lowercased
        if let trigger, lowered.wireBytes == trigger { return .some(.passthru) }
        if lowered == "rpz-passthru." { return .some(.passthru) }
        if lowered == "rpz-drop." || lowered == "rpz-tcp-only." { return .some(nil) }
        return nil
    }

    /// The action of a CNAME target written `.`, `*.` or `rpz-passthru.` (any case), or nil.
    static func spelledAction(_ text: [UInt8]) -> PolicyCodes.Code? {
        switch text.count {
        case 1 where text[0] == 0x2E: return .nxdomain
        case 2 where text[0] == 0x2A && text[1] == 0x2E: return .nodata
        case 13 where text.map(NameTable.fold) == Array("rpz-passthru.".utf8): return .passthru
        default: return nil
        }
    }

    /// Puts `trigger` into the table with `code` at itself or below it.
    /// - Returns: the entry's offset.
    /// - Throws: when that position already has another policy.
    @discardableResult
    private static func insert(
        _ trigger: [UInt8], code: PolicyCodes.Code, below: Bool, into list: inout Blocklist,
        _ fail: (String) -> BlocklistError
    ) throws(BlocklistError) -> Int {
        let start = list.table.storageCount
        for byte in trigger { list.table.append(byte) }
        let codes = below ? PolicyCodes(exact: .none, below: code) : PolicyCodes(exact: code, below: .none)
        let (offset, previous) = list.table.commitAppendedName(from: start, codes: codes)
        if let previous {
            let had = below ? previous.below : previous.exact
            if had == code && code != .localData {
                list.notes.duplicates += 1
            } else if had != .none {
                throw fail("a second policy for the same owner (each owner has one action, draft §4)")
            }
        }
        guard list.table.count <= ListFiles.maxNames else { throw fail("more than \(ListFiles.maxNames) names") }
        return offset
    }

    /// A TTL: seconds, or BIND's units (`1h30m`, RFC 2308 §4 `$TTL`).
    static func duration(_ text: [UInt8]) -> UInt32? {
        guard let first = text.first, first &- 0x30 < 10 else { return nil }
        var total: UInt64 = 0
        var number: UInt64 = 0
        var digits = 0
        for byte in text {
            if byte &- 0x30 < 10 {
                number = number * 10 + UInt64(byte - 0x30)
                digits += 1
                guard digits <= 10 else { return nil }
                continue
            }
            let unit: UInt64
            switch byte | 0x20 {
            case 0x73: unit = 1  // s
            case 0x6D: unit = 60  // m
            case 0x68: unit = 3600  // h
            case 0x64: unit = 86400  // d
            case 0x77: unit = 604_800  // w
            default: return nil
            }
            guard digits > 0 else { return nil }
            total += number * unit
            number = 0
            digits = 0
        }
        total += number
        return total <= UInt64(Int32.max) ? UInt32(total) : nil
    }

    /// The file's text, at most ``maxFileBytes``.
    private static func readWhole(_ path: String) throws(BlocklistError) -> String {
        let reader = try LineReader(path: path)
        guard reader.size <= maxFileBytes else {
            throw BlocklistError(file: path, line: 0, "larger than \(maxFileBytes) bytes")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(reader.size)
        try reader.forEachLine { (line, _) throws(BlocklistError) in
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
