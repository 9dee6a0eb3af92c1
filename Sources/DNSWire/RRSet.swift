/// The records sharing owner, type and class, with the RRSIGs that cover them (RFC 2181 §5); a
/// record repeated in a message is one member (``group(_:keepingDuplicates:)``).
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
    ///
    /// A record repeated within a section is kept once (and so is a repeated RRSIG): an RRset is a
    /// set, and identical RRs in it are one (RFC 2181 §5), so the signature check, which removes
    /// duplicates from the canonical form before verifying (RFC 4034 §6.3), the cache and the client
    /// all see the same members. Identical means equal in canonical form (RFC 4034 §6.2, RFC 6840
    /// §5.1): names that canonical form lowercases compare without case; an NSEC's next name does
    /// not. The lowest TTL of the copies still counts (RFC 2181 §5.2).
    ///
    /// - Parameters:
    ///   - records: the records of one section, in the order received.
    ///   - keepingDuplicates: keep repeated records as given: for a test's scripted server, which
    ///     must be able to send what a server that repeats records sends. Everything that reads a
    ///     message collapses them.
    public static func group(_ records: [Record], keepingDuplicates: Bool = false) -> [RRSet] {
        var sets: [RRSet] = []
        var index: [Key: Int] = [:]
        var orphans: [Record] = []
        // Small sections are grouped by a linear search, which allocates nothing; the index takes over
        // for large ones, so grouping stays linear in the record count.
        let indexed = records.count > Self.linearGroupingLimit
        // With the index, the members seen so far (by set), so finding a repeat stays linear too.
        var members: Set<Member> = []
        /// The set with `key`, if one was started.
        func position(of key: Key) -> Int? {
            indexed
                ? index[key]
                : sets.firstIndex { $0.name == key.name && $0.type == key.type && $0.rrClass == key.rrClass }
        }
        /// Whether `rdata` (a member, or an RRSIG when `signature`) repeats one of set `at`'s; when
        /// not, it is remembered. `==` folds the case of every name, so a candidate it finds is
        /// confirmed in canonical form (RFC 4034 §6.2, RFC 6840 §5.1).
        func repeats(_ rdata: RData, signature: Bool, at: Int) -> Bool {
            guard !keepingDuplicates else { return false }
            let earlier: RData?
            if indexed {
                let member = Member(set: at, signature: signature, rdata: rdata)
                let (inserted, existing) = members.insert(member)
                earlier = inserted ? nil : existing.rdata
            } else if signature {
                earlier = sets[at].signatures.first { RData.rrsig($0) == rdata }.map(RData.rrsig)
            } else {
                earlier = sets[at].rdatas.first { $0 == rdata }
            }
            guard let earlier else { return false }
            return earlier.canonicalBytes == rdata.canonicalBytes
        }
        /// Adds `record` to the set of (owner, `type`, class), starting the set if needed.
        func add(_ record: Record, as type: RRType) {
            let key = Key(name: record.name, type: type, rrClass: record.rrClass)
            if let at = position(of: key) {
                sets[at].ttl = min(sets[at].ttl, record.ttl)
                if repeats(record.rdata, signature: false, at: at) { return }
                sets[at].rdatas.append(record.rdata)
            } else {
                if indexed {
                    index[key] = sets.count
                    if !keepingDuplicates {
                        members.insert(Member(set: sets.count, signature: false, rdata: record.rdata))
                    }
                }
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
                if !repeats(record.rdata, signature: true, at: at) { sets[at].signatures.append(rrsig) }
                continue
            }
            add(record, as: .rrsig)
        }
        return sets
    }

    /// A member or RRSIG of the set at index `set`, for finding repeats in large sections.
    private struct Member: Hashable {
        /// The set's index in the grouping.
        var set: Int
        /// Whether `rdata` is one of the set's RRSIGs rather than a member.
        var signature: Bool
        /// The data.
        var rdata: RData
    }

    /// Most records grouped by linear search before ``group(_:keepingDuplicates:)`` switches to a hash index.
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
