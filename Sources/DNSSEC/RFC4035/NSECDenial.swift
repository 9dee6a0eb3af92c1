// Primary responsibilities: NSEC denial-of-existence proofs (RFC 4035 §5.4 with RFC 6840 §4.1, §4.3, §4.4):
// NXDOMAIN, NODATA (empty non-terminals included), wildcard NODATA, wildcard answer validity and the
// insecure-delegation proof, over NSEC RRsets the caller has already validated.

public import DNSWire

/// Proofs of nonexistence from NSEC records (RFC 4035 §5.4).
///
/// Every function takes the NSEC RRsets of a response, already validated with the zone's keys, and the zone
/// (the RRSIG signer). NSEC records outside the zone are ignored, and at most
/// ``ValidationLimits/maxDenialRecords`` are examined. A proof that does not hold is bogus with EDE 12
/// (NSEC Missing) when a needed record is absent, or EDE 6 when a record contradicts the claim.
public enum NSECDenial {
    /// One NSEC record: owner, next owner name and type bitmap (RFC 4034 §4.1).
    struct Record {
        /// The owner name.
        let owner: DomainName
        /// The next owner name in canonical order; the apex for the last NSEC of the zone (RFC 4034 §4.1.1).
        let next: DomainName
        /// The types at the owner.
        let types: TypeBitmap

        /// Whether `name` sorts strictly between owner and next, wrapping past the end of the zone for the last
        /// NSEC, whose next name is the apex (RFC 4034 §4.1.1, §6.1).
        func covers(_ name: DomainName) -> Bool {
            let afterOwner = owner.canonicalCompare(name) < 0
            if owner.canonicalCompare(next) < 0 { return afterOwner && name.canonicalCompare(next) < 0 }
            return afterOwner || name.canonicalCompare(next) < 0
        }

        /// Whether this NSEC may deny names below its owner: not when the owner is a delegation point seen from
        /// the parent (NS without SOA) or has a DNAME (RFC 6840 §4.1).
        func mayDenyBelow(_ name: DomainName) -> Bool {
            guard name.isStrictSubdomain(of: owner) else { return true }
            let isCut = types.contains(.ns) && !types.contains(.soa)
            return !isCut && !types.contains(.dname)
        }

        /// Whether this NSEC proves that `name` does not exist: it covers the name, may deny it, and its next
        /// name is not below the name (which would make the name an empty non-terminal, RFC 4592 §2.2.2).
        func provesNonexistence(of name: DomainName) -> Bool {
            covers(name) && mayDenyBelow(name) && !next.isStrictSubdomain(of: name)
        }

        /// The closest encloser this covering NSEC implies for `name`: the longest ancestor shared with the owner
        /// or the next name, which both exist (RFC 4035 §5.4; RFC 7129 §5.5), never above the zone.
        func closestEncloser(of name: DomainName, zone: DomainName) -> DomainName {
            let fromOwner = name.commonAncestor(with: owner)
            let fromNext = name.commonAncestor(with: next)
            let longer = fromOwner.labelCount >= fromNext.labelCount ? fromOwner : fromNext
            return longer.isSubdomain(of: zone) ? longer : zone
        }
    }

    // MARK: - Proofs

    /// Proves NXDOMAIN for `qname` (RFC 4035 §5.4, §3.1.3.2): an NSEC covers the name, and an NSEC covers the
    /// wildcard at its closest encloser, so neither the name nor a wildcard could have answered.
    public static func proveNameError(
        qname: DomainName, zone: DomainName, nsecs: [RRSet], limits: ValidationLimits = .default
    ) -> ValidationOutcome<DenialProof> {
        let records = extract(nsecs, zone: zone, limits: limits)
        guard let cover = records.first(where: { $0.provesNonexistence(of: qname) }) else {
            return .bogus(missing("NXNM", "no NSEC proves that \(qname) does not exist in \(zone)"))
        }
        let encloser = cover.closestEncloser(of: qname, zone: zone)
        switch wildcardDenied(below: encloser, records: records) {
        case .denied: return .secure(DenialProof(kind: .nameError, closestEncloser: encloser))
        case .exists(let wildcard):
            return .bogus(
                ValidationReason(
                    bogus: .dnssecBogus, site: "NXWE", "NXDOMAIN for \(qname) but an NSEC shows that \(wildcard) exists"
                ))
        case .notProven(let wildcard):
            return .bogus(missing("NXWC", "no NSEC proves that \(wildcard) does not exist (NXDOMAIN for \(qname))"))
        }
    }

    /// Proves that `qname` has no `qtype` records (RFC 4035 §5.4, §3.1.3.1), by an NSEC at the name, by an NSEC
    /// showing the name is an empty non-terminal, or else by the wildcard NODATA proof (RFC 4035 §3.1.3.4).
    ///
    /// The NSEC at the name must lack the type and CNAME (RFC 6840 §4.3). For DS it must come from the parent
    /// side of the cut (SOA absent; NS present is fine). For any other type an NSEC from the parent side of a
    /// delegation (NS present, SOA absent) proves nothing about the child apex (RFC 6840 §4.1).
    public static func proveNoData(
        qname: DomainName, qtype: RRType, zone: DomainName, nsecs: [RRSet], limits: ValidationLimits = .default
    ) -> ValidationOutcome<DenialProof> {
        let records = extract(nsecs, zone: zone, limits: limits)
        if let match = records.first(where: { $0.owner == qname }) {
            if let contradiction = contradiction(match.types, qtype: qtype, name: qname) {
                return .bogus(contradiction)
            }
            return .secure(DenialProof(kind: .noData))
        }
        if records.contains(where: {
            $0.covers(qname) && $0.mayDenyBelow(qname) && $0.next.isStrictSubdomain(of: qname)
        }) {
            return .secure(DenialProof(kind: .emptyNonTerminal))
        }
        let wildcard = proveWildcardNoData(qname: qname, qtype: qtype, zone: zone, nsecs: nsecs, limits: limits)
        if case .secure = wildcard { return wildcard }
        return .bogus(missing("NDNM", "no NSEC proves that \(qname) has no \(qtype)"))
    }

    /// Proves a wildcard NODATA answer (RFC 4035 §3.1.3.4): an NSEC shows `qname` does not exist, and the NSEC
    /// of the wildcard at the closest encloser lacks the type and CNAME.
    public static func proveWildcardNoData(
        qname: DomainName, qtype: RRType, zone: DomainName, nsecs: [RRSet], limits: ValidationLimits = .default
    ) -> ValidationOutcome<DenialProof> {
        let records = extract(nsecs, zone: zone, limits: limits)
        guard let cover = records.first(where: { $0.provesNonexistence(of: qname) }) else {
            return .bogus(missing("WNNM", "no NSEC proves that \(qname) does not exist (wildcard NODATA)"))
        }
        let encloser = cover.closestEncloser(of: qname, zone: zone)
        guard let wildcard = try? encloser.prepending(label: [0x2A]),
            let match = records.first(where: { $0.owner == wildcard })
        else {
            return .bogus(missing("WNWC", "no NSEC at the wildcard below \(encloser) (wildcard NODATA for \(qname))"))
        }
        if let contradiction = contradiction(match.types, qtype: qtype, name: wildcard) { return .bogus(contradiction) }
        return .secure(DenialProof(kind: .wildcardNoData, closestEncloser: encloser))
    }

    /// Proves that a wildcard expansion was legitimate (RFC 4035 §5.3.4): an NSEC proves that `qname` itself
    /// does not exist and implies the same closest encloser as the RRSIG Labels field, so no closer name could
    /// have matched.
    ///
    /// - Parameter expansion: the expansion from ``ValidatedRRSet/wildcard``.
    public static func proveWildcardAnswer(
        qname: DomainName, expansion: WildcardExpansion, zone: DomainName, nsecs: [RRSet],
        limits: ValidationLimits = .default
    ) -> ValidationOutcome<DenialProof> {
        let records = extract(nsecs, zone: zone, limits: limits)
        let proof = records.first { record in
            record.provesNonexistence(of: qname)
                && record.closestEncloser(of: qname, zone: zone) == expansion.closestEncloser
        }
        guard proof != nil else {
            return .bogus(
                missing(
                    "WANM", "no NSEC proves that no name closer than \(expansion.wildcard) matches \(qname)"))
        }
        return .secure(DenialProof(kind: .wildcardAnswer, closestEncloser: expansion.closestEncloser))
    }

    /// Proves that the delegation at `name` has no DS, so the child zone is unsigned (RFC 4035 §5.2; RFC 6840
    /// §4.4): the NSEC at the name has NS, and lacks DS, SOA and CNAME.
    public static func proveInsecureDelegation(
        name: DomainName, zone: DomainName, nsecs: [RRSet], limits: ValidationLimits = .default
    ) -> ValidationOutcome<DenialProof> {
        let records = extract(nsecs, zone: zone, limits: limits)
        guard let match = records.first(where: { $0.owner == name }) else {
            return .bogus(missing("IDNM", "no NSEC at the delegation \(name) proves that it has no DS"))
        }
        let types = match.types
        guard types.contains(.ns), !types.contains(.ds), !types.contains(.soa), !types.contains(.cname) else {
            return .bogus(
                ValidationReason(
                    bogus: .dnssecBogus, site: "IDBT",
                    "the NSEC at \(name) does not show an unsigned delegation (types: \(types))"))
        }
        return .secure(DenialProof(kind: .insecureDelegation))
    }

    // MARK: - Helpers

    /// What the NSEC records say about the wildcard below a closest encloser.
    enum WildcardState {
        /// An NSEC covers the wildcard: it does not exist.
        case denied
        /// An NSEC is at the wildcard: it exists.
        case exists(DomainName)
        /// Neither.
        case notProven(DomainName)
    }

    /// Looks for the NSEC that denies `*.encloser` (RFC 4035 §5.4). A wildcard name too long to exist is denied.
    static func wildcardDenied(below encloser: DomainName, records: [Record]) -> WildcardState {
        guard let wildcard = try? encloser.prepending(label: [0x2A]) else { return .denied }
        if records.contains(where: { $0.owner == wildcard }) { return .exists(wildcard) }
        if records.contains(where: { $0.covers(wildcard) && $0.mayDenyBelow(wildcard) }) { return .denied }
        return .notProven(wildcard)
    }

    /// Why a type bitmap at `name` fails to deny `qtype`, or `nil` when it denies it (RFC 4035 §5.4,
    /// RFC 6840 §4.1 and §4.3).
    static func contradiction(
        _ types: TypeBitmap, qtype: RRType, name: DomainName, record: String = "NSEC"
    ) -> ValidationReason? {
        if types.contains(qtype) {
            return ValidationReason(
                bogus: .dnssecBogus, site: "NDTY", "the \(record) at \(name) shows that \(qtype) exists")
        }
        if types.contains(.cname) {
            return ValidationReason(
                bogus: .dnssecBogus, site: "NDCN", "the \(record) at \(name) shows a CNAME, so \(qtype) is not denied")
        }
        if qtype == .ds {
            if types.contains(.soa) && !name.isRoot {
                return ValidationReason(
                    bogus: .dnssecBogus, site: "NDSA",
                    "the \(record) at \(name) is from the child zone's apex and cannot deny DS, which the parent holds")
            }
        } else if types.contains(.ns) && !types.contains(.soa) {
            return ValidationReason(
                bogus: .dnssecBogus, site: "NDPS",
                "the \(record) at \(name) is from the parent side of a delegation and cannot deny \(qtype) at the child"
            )
        }
        return nil
    }

    /// The NSEC records of `zone` among `rrsets`, at most ``ValidationLimits/maxDenialRecords`` of them.
    static func extract(_ rrsets: [RRSet], zone: DomainName, limits: ValidationLimits) -> [Record] {
        var records: [Record] = []
        for rrset in rrsets where rrset.type == .nsec && rrset.name.isSubdomain(of: zone) {
            for rdata in rrset.rdatas {
                guard records.count < limits.maxDenialRecords else { return records }
                if case .nsec(let nsec) = rdata {
                    records.append(Record(owner: rrset.name, next: nsec.nextDomainName, types: nsec.types))
                }
            }
        }
        return records
    }

    /// A reason for a missing proof record (EDE 12).
    static func missing(_ site: String, _ detail: String) -> ValidationReason {
        ValidationReason(bogus: .nsecMissing, site: site, detail)
    }
}
