// Primary responsibilities: the local names in one lookup structure — the operator's zones and
// data (configuration lines, hosts files) and the locally served zones — answering a question by
// a walk from the query name up to the root, one dictionary probe a label, in two parts: the
// operator's (asked first) and the served zones' (asked later, after the blocklists).

import DNSWire

/// Local zones, local data and the locally served zones, ready to answer.
///
/// Built once from configuration and files and then only read, so the listeners' queues share it
/// without locks; a change builds a new table. A question is answered in one of two parts, asked
/// by two stages in the query path (blocklists go between them):
///
/// - ``Part/operator``: a question at or below one of the operator's zones (`local.zones`) is
///   decided by that zone's ``LocalZoneType``; outside them, a name the data holds answers its
///   data, or NODATA for another type (transparent, as Unbound treats data outside its zones), and
///   any other name is left to the next stage.
/// - ``Part/served``: a question in a locally served zone (``ServedZones``) that no operator zone
///   holds is answered as the static zone RFC 6303 §3 describes — the operator's data in it
///   included, so a name the data holds, or one with data below it (RFC 8020 §2), is never
///   NXDOMAIN. A served zone yields to the operator: an operator zone at or above its apex turns
///   it off; a stub or forward zone (``init(records:zones:servedZones:delegations:)``'s
///   `delegations`) at or below its apex takes the names it holds, the deepest name deciding as
///   among configured zones; one above the apex (`.` forwarded to an ISP) does not, so private
///   reverse names stay local behind a forwarder.
///
/// Answers follow RFC 2308: a negative answer carries the zone's SOA (and its NS, as an RFC 6303
/// empty zone holds both) in the authority section. A zone whose data gives no SOA or NS gets
/// the RFC 6303 §2.1 ones (MNAME the apex, RNAME `nobody.invalid.`), with a negative TTL of
/// ``syntheticTTL``. A CNAME answers every type but CNAME at its owner (RFC 1034 §3.6.2) and is
/// followed through the local data, at most ``maxCNAMEChain`` links; where the chain leaves the
/// local data the answer ends with the last CNAME, whose target the caller looks up (the service
/// resolves it and puts its answer after the chain, RFC 1034 §5.3.3).
public struct LocalZoneTable: Sendable {
    /// Which stage asks.
    public enum Part: Sendable {
        /// The operator's zones and data.
        case `operator`
        /// The locally served zones.
        case served
    }

    /// The TTL of the SOA, NS and loopback records made here, and so the negative TTL of answers
    /// from zones without an SOA of their own (RFC 2308 §5). RFC 6303 §2.1 suggests 10800 s for
    /// its empty zones; five minutes is used instead because these zones also hold hosts-file
    /// names, and a name added there should not stay denied in a client's cache for three hours.
    public static let syntheticTTL: UInt32 = 300
    /// Most CNAME links followed through the local data for one answer.
    public static let maxCNAMEChain = 8

    /// A zone answered here.
    struct Zone: Sendable {
        /// The apex.
        let apex: DomainName
        /// How it answers (a served zone is static, or redirect for `localhost.`).
        let type: LocalZoneType
        /// Whether it is a locally served zone rather than an operator's.
        let served: Bool
        /// Its SOA: from the data at the apex, else RFC 6303 §2.1's.
        var soa: RRSet
        /// Its NS: from the data at the apex, else RFC 6303 §2.1's (the apex itself).
        var ns: RRSet
        /// Whether the data gave the SOA and NS (else they answer apex questions in a static zone).
        var ownSOA = false, ownNS = false
        /// A redirect zone's data, given at the apex and answered for every name below it.
        var redirected: [RRSet] = []

        /// The authority section of a negative answer.
        var negative: [RRSet] { [soa, ns] }
    }

    /// Every zone by apex, operator and served.
    private var zones: [DomainName: Zone] = [:]
    /// The operator's data by owner (redirect zones' data is in their ``Zone``).
    private var nodes: [DomainName: [RRSet]] = [:]
    /// The served zones' own data by owner (the loopback PTRs).
    private var servedNodes: [DomainName: [RRSet]] = [:]
    /// Names that own no data but have data below them (empty non-terminals, RFC 8020 §2).
    private var nonTerminals: Set<DomainName> = []
    /// The apexes of the stub and forward zones.
    private var delegations: Set<DomainName> = []
    /// The top-level labels under which anything here lives: a question under another one is
    /// left alone after one probe.
    private var topLevels: Set<DomainName> = []
    /// Whether a zone is the root, so every question must be walked.
    private var rootZone = false
    /// The most labels of a zone apex or delegation: the walk starts no deeper.
    private var deepest = 0

    /// Builds the table.
    /// - Parameters:
    ///   - records: the operator's data, with where each record was written.
    ///   - zones: the operator's zones (`local.zones`).
    ///   - servedZones: whether the locally served zones are answered (`local.served-zones`).
    ///   - delegations: the apexes of the stub and forward zones (`resolution.stub-zones`,
    ///     `resolution.forward-zones`), which served zones yield to.
    /// - Throws: ``LocalZonesError`` naming the record that cannot be served: a class other than
    ///   IN, an RRSIG (local data is not signed: RFC 4035 §3.2.3), a CNAME beside other data or a
    ///   second CNAME (RFC 2181 §10.1), data below a redirect zone's apex; or a zone given twice.
    public init(
        records: [LocalRecord], zones operatorZones: [LocalZone], servedZones: Bool, delegations: [DomainName]
    ) throws(LocalZonesError) {
        for zone in operatorZones {
            guard self.zones[zone.name] == nil else {
                throw LocalZonesError(source: "local.zones", line: 0, "\(zone.name) is given twice")
            }
            self.zones[zone.name] = Zone(
                apex: zone.name, type: zone.type, served: false, soa: Self.soa(zone.name), ns: Self.ns(zone.name))
        }
        if servedZones {
            for served in ServedZones.all
            where !operatorZones.contains(where: { served.name.isSubdomain(of: $0.name) }) {
                var zone = Zone(
                    apex: served.name, type: served.isLocalhost ? .redirect : .static, served: true,
                    soa: Self.soa(served.name), ns: Self.ns(served.name))
                if served.isLocalhost {
                    zone.redirected = RRSet.group(ServedZones.loopbackRecords.filter { $0.name == served.name })
                }
                self.zones[served.name] = zone
            }
            for set in RRSet.group(ServedZones.loopbackRecords) where set.type == .ptr {
                servedNodes[set.name, default: []].append(set)
                addNonTerminals(above: set.name)
            }
        }
        self.delegations = Set(delegations)
        try add(records)
        for name in self.zones.keys + Array(nodes.keys) {
            if name.isRoot { rootZone = true } else { topLevels.insert(name.suffix(labelCount: 1)) }
        }
        deepest = (self.zones.keys.map(\.labelCount) + delegations.map(\.labelCount)).max() ?? 0
    }

    /// Adds the operator's data, checking each record.
    private mutating func add(_ records: [LocalRecord]) throws(LocalZonesError) {
        var placed: [LocalRecord] = []
        for entry in records {
            let record = entry.record
            func fail(_ reason: String) -> LocalZonesError {
                LocalZonesError(source: entry.source, line: entry.line, reason)
            }
            guard record.rrClass == .in else { throw fail("only class IN is served, not \(record.rrClass)") }
            guard record.type != .rrsig else {
                throw fail("RRSIG records are not served: local data is not signed (RFC 4035 §3.2.3)")
            }
            if let zone = enclosingZone(of: record.name), zone.type == .redirect, !zone.served,
                record.name != zone.apex
            {
                throw fail(
                    "\(record.name) is below the redirect zone \(zone.apex), which answers every name with its apex's data"
                )
            }
            placed.append(entry)
        }
        let sets = RRSet.group(placed.map(\.record))
        var owners: [DomainName: [RRSet]] = [:]
        for set in sets { owners[set.name, default: []].append(set) }
        for entry in placed where entry.record.type == .cname {
            let at = owners[entry.record.name] ?? []
            if at.contains(where: { $0.type == .cname && $0.rdatas.count > 1 }) {
                throw LocalZonesError(
                    source: entry.source, line: entry.line,
                    "\(entry.record.name) has a second CNAME: a name has at most one (RFC 2181 §10.1)")
            }
            // RFC 2181 §10.1 and RFC 4035 §2.5: only the DNSSEC records of the owner may stand beside it.
            if let other = at.first(where: { ![.cname, .nsec].contains($0.type) }) {
                throw LocalZonesError(
                    source: entry.source, line: entry.line,
                    "\(entry.record.name) has a CNAME and \(other.type) data: a CNAME stands alone (RFC 2181 §10.1)")
            }
        }
        for set in sets {
            if var zone = zones[set.name], !zone.served {
                switch set.type {
                case .soa:
                    // RFC 2308 §3: a negative answer's SOA has the lesser of its TTL and MINIMUM.
                    zone.soa = set
                    if case .soa(let soa) = set.rdatas.first { zone.soa.ttl = min(set.ttl, soa.minimum) }
                    zone.ownSOA = true
                case .ns:
                    zone.ns = set
                    zone.ownNS = true
                default: break
                }
                if zone.type == .redirect {
                    zone.redirected.append(set)
                    zones[set.name] = zone
                    continue
                }
                zones[set.name] = zone
            }
            nodes[set.name, default: []].append(set)
            addNonTerminals(above: set.name)
        }
    }

    /// Records every ancestor of `name` as existing (up to the root: the walk is bounded by the
    /// name's label count, at most 127).
    private mutating func addNonTerminals(above name: DomainName) {
        var ancestor = name.parent
        while let current = ancestor, !current.isRoot {
            nonTerminals.insert(current)
            ancestor = current.parent
        }
    }

    /// The nearest zone at or above `name`.
    private func enclosingZone(of name: DomainName) -> Zone? {
        for count in stride(from: name.labelCount, through: 0, by: -1) {
            if let zone = zones[name.suffix(labelCount: count)] { return zone }
        }
        return nil
    }

    /// Whether nothing is answered here.
    public var isEmpty: Bool { zones.isEmpty && nodes.isEmpty }

    /// The locally served zones in force, for the log: those not turned off by an operator zone
    /// or by a stub or forward zone at their apex.
    public var servedZoneNames: [DomainName] {
        zones.values.filter { $0.served && !delegations.contains($0.apex) }.map(\.apex)
            .sorted { $0.canonicallyPrecedes($1) }
    }

    // MARK: - Answering

    /// The answer `part` gives to `question`, or nil to leave it to the next stage.
    public func answer(_ question: Question, part: Part) -> LocalAnswer? {
        guard question.rrClass == .in else { return nil }
        let name = question.name
        if !rootZone {
            guard !name.isRoot, topLevels.contains(name.suffix(labelCount: 1)) else { return nil }
        }
        // The walk up: the nearest operator zone, the nearest served zone, and the depth of the
        // nearest stub or forward zone. A DS question at an apex belongs to the parent zone
        // (RFC 4035 §3.1.4.1), so that zone is passed over.
        var operatorZone: Zone?
        var servedZone: Zone?
        var delegationDepth: Int?
        for count in stride(from: min(name.labelCount, deepest), through: 0, by: -1) {
            let suffix = name.suffix(labelCount: count)
            if delegationDepth == nil && delegations.contains(suffix) { delegationDepth = count }
            guard let zone = zones[suffix], !(question.type == .ds && count == name.labelCount) else { continue }
            if !zone.served {
                operatorZone = zone
                break
            }
            if servedZone == nil { servedZone = zone }
        }
        // A stub or forward zone at or below the served apex holds the name.
        if let zone = servedZone, let depth = delegationDepth, depth >= zone.apex.labelCount { servedZone = nil }
        switch part {
        case .operator:
            if let zone = operatorZone { return answer(question, in: zone) }
            guard let sets = nodes[name] else { return nil }
            return matching(question, sets)
                ?? LocalAnswer(
                    rcode: .noError, authority: servedZone?.negative ?? [Self.soa(name), Self.ns(name)])
        case .served:
            guard operatorZone == nil, let zone = servedZone else { return nil }
            return answer(question, in: zone)
        }
    }

    /// The answer of `zone`, which holds the question's name.
    private func answer(_ question: Question, in zone: Zone) -> LocalAnswer? {
        let name = question.name
        let negative = zone.negative
        switch zone.type {
        case .alwaysNXDOMAIN:
            return LocalAnswer(rcode: .nxDomain, authority: negative)
        case .redirect:
            var sets = zone.redirected.map { set -> RRSet in
                var renamed = set
                renamed.name = name
                return renamed
            }
            if name == zone.apex { sets += synthesised(zone) }
            return matching(question, sets) ?? LocalAnswer(rcode: .noError, authority: negative)
        case .transparent:
            guard let sets = nodes[name] else { return nil }
            return matching(question, sets) ?? LocalAnswer(rcode: .noError, authority: negative)
        case .refuse:
            if let sets = nodes[name], let found = matching(question, sets) { return found }
            return LocalAnswer(rcode: .refused)
        case .static:
            var sets = (nodes[name] ?? []) + (zone.served ? servedNodes[name] ?? [] : [])
            if name == zone.apex {
                sets += synthesised(zone).filter { made in !sets.contains { $0.type == made.type } }
            }
            if !sets.isEmpty {
                return matching(question, sets) ?? LocalAnswer(rcode: .noError, authority: negative)
            }
            let exists = nonTerminals.contains(name)
            return LocalAnswer(rcode: exists ? .noError : .nxDomain, authority: negative)
        }
    }

    /// The SOA and NS a static or redirect zone answers at its apex when its data gives none.
    private func synthesised(_ zone: Zone) -> [RRSet] {
        (zone.ownSOA ? [] : [zone.soa]) + (zone.ownNS ? [] : [zone.ns])
    }

    /// The answer `sets` (one owner's) give to `question`: the set of its type (every set for
    /// ANY), or the owner's CNAME followed through the local data; nil when none applies.
    private func matching(_ question: Question, _ sets: [RRSet]) -> LocalAnswer? {
        if question.type == .any { return LocalAnswer(rcode: .noError, answer: sets) }
        if let set = sets.first(where: { $0.type == question.type }) {
            return LocalAnswer(rcode: .noError, answer: [set])
        }
        guard question.type != .cname, var link = sets.first(where: { $0.type == .cname }) else { return nil }
        var chain: [RRSet] = []
        for _ in 0..<Self.maxCNAMEChain {
            chain.append(link)
            guard case .cname(let cname) = link.rdatas.first,
                let next = nodes[cname.target] ?? servedNodes[cname.target],
                !chain.contains(where: { $0.name == cname.target })
            else { break }
            if let set = next.first(where: { $0.type == question.type }) {
                chain.append(set)
                break
            }
            guard let following = next.first(where: { $0.type == .cname }) else { break }
            link = following
        }
        return LocalAnswer(rcode: .noError, answer: chain)
    }

    // MARK: - RFC 6303 §2.1 records

    /// The SOA of a zone without one, TTL and MINIMUM ``syntheticTTL``.
    static func soa(_ apex: DomainName) -> RRSet { syntheticSOA(apex, ttl: syntheticTTL) }

    /// `@ SOA @ nobody.invalid. 1 3600 1200 604800 TTL` (RFC 6303 §2.1) with TTL and MINIMUM `ttl`
    /// (the negative TTL, RFC 2308 §5): the SOA of every zone Mamori answers for without owning one
    /// (locally served zones, `resolver.arpa`, blocked names).
    public static func syntheticSOA(_ apex: DomainName, ttl: UInt32) -> RRSet {
        RRSet(
            name: apex, type: .soa, ttl: ttl,
            rdatas: [
                .soa(
                    SOA(
                        mname: apex, rname: "nobody.invalid.", serial: 1, refresh: 3600, retry: 1200, expire: 604_800,
                        minimum: ttl))
            ])
    }

    /// The NS of a zone without one: the apex itself (RFC 6303 §2.1).
    static func ns(_ apex: DomainName) -> RRSet {
        RRSet(name: apex, type: .ns, ttl: syntheticTTL, rdatas: [.ns(NS(nameServer: apex))])
    }
}
