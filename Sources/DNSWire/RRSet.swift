/// The records sharing owner, type and class, with the RRSIGs that cover them (RFC 2181 §5).
///
/// DNSSEC signs and the cache stores whole RRsets, so the parser groups records into these at
/// once. One TTL stands for the set: when members differ, the lowest is used (RFC 2181 §5.2).
public struct RRSet: Hashable, Sendable {
    /// The owner name.
    public var name: DomainName
    /// The type of every member.
    public var type: RRType
    /// The class of every member.
    public var rrClass: RRClass
    /// The TTL of the set (and of its RRSIGs, which must match it, RFC 4034 §3).
    public var ttl: UInt32
    /// The members' data, in the order received.
    public var rdatas: [RData]
    /// The RRSIGs covering this set, in the order received.
    public var signatures: [RRSIG]

    /// Creates an RRset.
    public init(
        name: DomainName, type: RRType, rrClass: RRClass = .in, ttl: UInt32, rdatas: [RData],
        signatures: [RRSIG] = []
    ) {
        self.name = name
        self.type = type
        self.rrClass = rrClass
        self.ttl = ttl
        self.rdatas = rdatas
        self.signatures = signatures
    }

    /// The members as records, RRSIGs excluded.
    public var records: [Record] {
        rdatas.map { Record(name: name, rrClass: rrClass, ttl: ttl, rdata: $0) }
    }

    /// The RRSIGs as records.
    public var signatureRecords: [Record] {
        signatures.map { Record(name: name, rrClass: rrClass, ttl: ttl, rdata: .rrsig($0)) }
    }

    /// Groups records into RRsets in order of first appearance, attaching each RRSIG to the set of
    /// the same owner and class whose type it covers. RRSIGs with no such set (a query for type
    /// RRSIG, or a stripped answer) form a set of type RRSIG of their own.
    public static func group(_ records: [Record]) -> [RRSet] {
        var sets: [RRSet] = []
        var index: [Key: Int] = [:]
        var orphans: [Record] = []
        // Small sections are grouped by a linear search, which allocates nothing; the index takes over
        // for large ones, so grouping stays linear in the record count.
        let indexed = records.count > Self.linearGroupingLimit
        /// The set with `key`, if one was started.
        func position(of key: Key) -> Int? {
            indexed
                ? index[key]
                : sets.firstIndex { $0.name == key.name && $0.type == key.type && $0.rrClass == key.rrClass }
        }
        /// Adds `record` to the set of (owner, `type`, class), starting the set if needed.
        func add(_ record: Record, as type: RRType) {
            let key = Key(name: record.name, type: type, rrClass: record.rrClass)
            if let at = position(of: key) {
                sets[at].rdatas.append(record.rdata)
                sets[at].ttl = min(sets[at].ttl, record.ttl)
            } else {
                if indexed { index[key] = sets.count }
                sets.append(
                    RRSet(
                        name: record.name, type: type, rrClass: record.rrClass, ttl: record.ttl, rdatas: [record.rdata])
                )
            }
        }
        for record in records {
            if case .rrsig = record.rdata {
                orphans.append(record)
                continue
            }
            add(record, as: record.type)
        }
        for record in orphans {
            guard case .rrsig(let rrsig) = record.rdata else { continue }
            let covered = Key(name: record.name, type: rrsig.typeCovered, rrClass: record.rrClass)
            if let at = position(of: covered) {
                sets[at].signatures.append(rrsig)
                continue
            }
            add(record, as: .rrsig)
        }
        return sets
    }

    /// Most records grouped by linear search before ``group(_:)`` switches to a hash index.
    static let linearGroupingLimit = 32

    /// The identity of an RRset: owner (case-folded), type, class.
    public struct Key: Hashable, Sendable {
        /// The owner name.
        public var name: DomainName
        /// The type.
        public var type: RRType
        /// The class.
        public var rrClass: RRClass
        /// Creates a key.
        public init(name: DomainName, type: RRType, rrClass: RRClass = .in) {
            self.name = name
            self.type = type
            self.rrClass = rrClass
        }
    }

    /// This set's key.
    public var key: Key { Key(name: name, type: type, rrClass: rrClass) }
}
