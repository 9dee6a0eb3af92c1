// Primary responsibilities: one loaded blocklist as the query path sees it — the names, the
// policy of each, RPZ local data — and matching a query name against it: the name itself first,
// then each parent, nearest first (the precedence of RPZ, draft-vixie-dnsop-dns-rpz §6).

import DNSWire

/// The file formats a list is read from.
public enum BlocklistFormat: String, CaseIterable, Hashable, Sendable {
    /// `/etc/hosts` lines, `ADDRESS NAME…`: names given a blocking address (0.0.0.0, 127.0.0.1, ::,
    /// ::1) are listed for themselves only, as a hosts file has always meant.
    case hosts
    /// One name a line: the name and every name below it; `*.NAME` for the names below only.
    case domains
    /// A Response Policy Zone in zone-file syntax: QNAME triggers only.
    case rpz
}

/// What a match asks for.
public enum BlockPolicy: Hashable, Sendable {
    /// The list's own action (hosts and domain lists; the operator chooses it).
    case listed
    /// Answer NXDOMAIN (RPZ `CNAME .`).
    case nxdomain
    /// Answer NOERROR with no data (RPZ `CNAME *.`).
    case nodata
    /// Leave the name alone and consult no later list (RPZ `CNAME rpz-passthru.`).
    case passthru
    /// Answer with these records, their owner replaced by the query name (RPZ local data).
    case localData([RRSet])
}

/// A query name found in a list.
public struct BlockMatch: Hashable, Sendable {
    /// What to do.
    public var policy: BlockPolicy
    /// Labels of the listed name that matched: the query name's own count for an exact match, fewer
    /// for a name found above it. Its suffix of that many labels is the listed name.
    public var listedLabelCount: Int

    /// A match.
    public init(policy: BlockPolicy, listedLabelCount: Int) {
        self.policy = policy
        self.listedLabelCount = listedLabelCount
    }
}

/// One list, loaded and read-only: safe to share between every listener's queue.
public struct Blocklist: Sendable {
    /// The names; in an overlay, those not in ``base`` or listed there with other codes.
    var table: NameTable
    /// In an overlay, the table of the list this one replaced, shared with it: a reload of a list
    /// that changed a little costs the change, not a second copy of the list.
    var base: NameTable?
    /// In an overlay, one bit a slot of ``base``: set when that entry is still listed, with the same
    /// codes.
    var live: [UInt64] = []
    /// In an overlay, the entries of ``base`` still listed.
    var liveCount = 0
    /// RPZ local data, by entry offset in the table: for the name itself and for names below it.
    var localData: [Int: (exact: [RRSet]?, below: [RRSet]?)]
    /// Bytes the local data accounts for (an estimate: wire lengths plus per-RRset overhead).
    var localDataBytes: Int
    /// What the parser met and left aside (for the log).
    public internal(set) var notes: LoadNotes

    /// Names the list holds (an RPZ owner and its wildcard count once).
    public var count: Int { table.count + liveCount }

    /// Bytes the list holds on the heap: the packed names, the slots and the local data.
    public var byteCount: Int {
        table.byteCount + (base?.byteCount ?? 0) + live.capacity * 8 + localDataBytes
    }

    /// Whether the list is an overlay on the table of the list it replaced.
    public var isOverlay: Bool { base != nil }

    /// What a parser skipped and why: lines that are not blocking entries, RPZ triggers of kinds
    /// other than QNAME.
    public struct LoadNotes: Hashable, Sendable {
        /// Hosts lines mapping names to an address that does not block (a LAN address, broadcast).
        public var nonBlockingLines = 0
        /// Hosts-file housekeeping names (`localhost`, `broadcasthost`, …) left out.
        public var housekeepingNames = 0
        /// RPZ records with a trigger other than QNAME (`rpz-ip`, `rpz-nsdname`, `rpz-nsip`,
        /// `rpz-client-ip`), which this resolver does not act on.
        public var unsupportedTriggers = 0
        /// Lines or entries that named a name already listed.
        public var duplicates = 0
    }

    /// An empty list.
    init() {
        table = NameTable()
        localData = [:]
        localDataBytes = 0
        notes = LoadNotes()
    }

    /// The most labels a name has (RFC 1035 §3.1: 255 octets, two per label at least).
    static let maxLabels = 128

    /// The policy for `name`: its own entry if it has an exact policy, else the nearest listed
    /// parent with a policy for names below it. Walks at most ``maxLabels`` suffixes, hashing each
    /// in place; nothing is allocated unless there is a match.
    public func match(_ name: DomainName) -> BlockMatch? {
        name.wireBytes.withUnsafeBufferPointer { bytes -> BlockMatch? in
            let end = bytes.count
            let labels = name.labelCount
            if let (codes, offset) = codes(bytes, from: 0, to: end), codes.exact != .none {
                return match(codes.exact, offset: offset, below: false, labels: labels)
            }
            // Parents, nearest first, the root last (an RPZ `*` owner at the apex): one label at a time.
            var start = 0
            var remaining = labels
            var steps = 0
            while bytes[start] != 0 && steps < Self.maxLabels {
                start += Int(bytes[start]) + 1
                remaining -= 1
                steps += 1
                if let (codes, offset) = codes(bytes, from: start, to: end), codes.below != .none {
                    return match(codes.below, offset: offset, below: true, labels: remaining)
                }
            }
            return nil
        }
    }

    /// The codes of one name: from the base when its entry there is live, else from the table.
    @inline(__always)
    private func codes(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int
    ) -> (
        PolicyCodes, offset: Int
    )? {
        if let base, let (codes, offset, slot) = base.codes(bytes, from: start, to: end),
            live[slot >> 6] & (1 << UInt64(slot & 63)) != 0
        {
            return (codes, offset)
        }
        guard let (codes, offset, _) = table.codes(bytes, from: start, to: end) else { return nil }
        return (codes, offset)
    }

    /// The match of a stored code.
    private func match(_ code: PolicyCodes.Code, offset: Int, below: Bool, labels: Int) -> BlockMatch {
        let policy: BlockPolicy =
            switch code {
            case .none, .listed: .listed
            case .nxdomain: .nxdomain
            case .nodata: .nodata
            case .passthru: .passthru
            case .localData:
                .localData((below ? localData[offset]?.below : localData[offset]?.exact) ?? [])
            }
        return BlockMatch(policy: policy, listedLabelCount: labels)
    }
}
