// Primary responsibilities: NSEC3 denial-of-existence proofs (RFC 5155 §8.3–8.9, RFC 6840 §4.1, §4.3, §4.4):
// the closest encloser proof, NXDOMAIN, NODATA, wildcard NODATA, wildcard answers and referrals to unsigned
// zones including opt-out, under the RFC 9276 iteration policy and the query's NSEC3 hash budget.

public import DNSWire

/// Proofs of nonexistence from NSEC3 records (RFC 5155 §8).
///
/// Every function takes the NSEC3 RRsets of a response, already validated with the zone's keys, the zone (the
/// RRSIG signer) and the query's ``ValidationBudget``, which each hash is charged to. Outcomes:
/// - insecure with EDE 27 when the chain uses more iterations than ``ValidationLimits/maxNSEC3Iterations``
///   (RFC 9276 §3.2), and insecure without a reason when only unknown hash algorithms are present
///   (RFC 5155 §8.1) or an Opt-Out span leaves room for an unsigned delegation (RFC 5155 §6, §8.6, §8.9);
/// - bogus with EDE 12 when a needed record is missing, EDE 6 when a record contradicts the claim, EDE 0 when
///   the hash budget runs out.
public enum NSEC3Denial {
    /// A closest encloser proof (RFC 5155 §8.3).
    struct ClosestEncloser {
        /// The closest encloser: the longest existing ancestor of the name.
        let name: DomainName
        /// The next closer name, one label longer, which does not exist.
        let nextCloser: DomainName
        /// The NSEC3 covering the next closer name.
        let nextCloserCover: NSEC3Chain.Record
    }

    /// What the search for a closest encloser found: the proof, or why it did not come out.
    enum ClosestEncloserSearch {
        /// The closest encloser proof holds.
        case proven(ClosestEncloser)
        /// An NSEC3 matches the name itself: it exists (what that means is the caller's to say).
        case nameExists(NSEC3Chain.Record)
        /// The proof fails for the reason given.
        case failed(ValidationReason)
    }

    // MARK: - Proofs

    /// Proves NXDOMAIN for `qname` (RFC 5155 §8.4): a closest encloser proof, and an NSEC3 covering the wildcard
    /// at the closest encloser. An Opt-Out NSEC3 covering the next closer name leaves room for an unsigned
    /// delegation there, so the denial is then insecure (RFC 5155 §6).
    public static func proveNameError(
        qname: DomainName, zone: DomainName, nsec3s: [RRSet], limits: ValidationLimits = .default,
        budget: inout ValidationBudget
    ) -> ValidationOutcome<DenialProof> {
        var chain: NSEC3Chain
        switch prepare(nsec3s, zone: zone, limits: limits) {
        case .chain(let prepared): chain = prepared
        case .concluded(let verdict): return verdict
        }
        let encloser: ClosestEncloser
        switch closestEncloser(of: qname, chain: &chain, budget: &budget) {
        case .proven(let proof): encloser = proof
        case .nameExists:
            return .bogus(
                ValidationReason(bogus: .dnssecBogus, site: "3XEX", "NXDOMAIN for \(qname) but an NSEC3 matches it"))
        case .failed(let reason): return .bogus(reason)
        }
        guard let wildcard = try? encloser.name.prepending(label: [0x2A]) else {
            return finishNameError(encloser)
        }
        let wildcardHash: [UInt8]
        switch chain.hash(wildcard, budget: &budget) {
        case .hash(let hash): wildcardHash = hash
        case .failed(let reason): return .bogus(reason)
        }
        if chain.matching(wildcardHash) != nil {
            return .bogus(
                ValidationReason(
                    bogus: .dnssecBogus, site: "3XWE", "NXDOMAIN for \(qname) but an NSEC3 shows \(wildcard) exists"))
        }
        guard chain.covering(wildcardHash) != nil else {
            return .bogus(missing("3XWC", "no NSEC3 covers \(wildcard) (NXDOMAIN for \(qname))"))
        }
        return finishNameError(encloser)
    }

    /// The NXDOMAIN verdict once the wildcard is denied: insecure under Opt-Out (RFC 5155 §6), else secure.
    private static func finishNameError(_ encloser: ClosestEncloser) -> ValidationOutcome<DenialProof> {
        if encloser.nextCloserCover.nsec3.isOptOut { return .insecure(nil) }
        return .secure(DenialProof(kind: .nameError, closestEncloser: encloser.name))
    }

    /// Proves that `qname` has no `qtype` records (RFC 5155 §8.5, §8.6), falling back to the wildcard NODATA
    /// proof (§8.7).
    ///
    /// With an NSEC3 matching the name, its bitmap must lack the type and CNAME (RFC 6840 §4.3); for DS it must
    /// come from the parent side (SOA absent), for other types it must not be the parent side of a delegation
    /// (RFC 6840 §4.1). Empty non-terminals have NSEC3 records of their own and are handled by the same rule
    /// (RFC 5155 §7.2.3). Without a matching NSEC3, a closest encloser proof whose next closer name is covered
    /// by an Opt-Out NSEC3 makes the answer insecure for any type (RFC 5155 §8.6 as corrected by erratum 3441):
    /// the name may be an unsigned delegation, or an empty non-terminal above one, that Opt-Out left without an
    /// NSEC3 (RFC 5155 §7.1), and AD MUST NOT be set (RFC 5155 §9.2). A wildcard NODATA is insecure under
    /// Opt-Out for the same reason (``wildcardNoData(qtype:encloser:chain:budget:)``).
    public static func proveNoData(
        qname: DomainName, qtype: RRType, zone: DomainName, nsec3s: [RRSet], limits: ValidationLimits = .default,
        budget: inout ValidationBudget
    ) -> ValidationOutcome<DenialProof> {
        var chain: NSEC3Chain
        switch prepare(nsec3s, zone: zone, limits: limits) {
        case .chain(let prepared): chain = prepared
        case .concluded(let verdict): return verdict
        }
        let qnameHash: [UInt8]
        switch chain.hash(qname, budget: &budget) {
        case .hash(let hash): qnameHash = hash
        case .failed(let reason): return .bogus(reason)
        }
        if let match = chain.matching(qnameHash) {
            if let contradiction = NSECDenial.contradiction(
                match.nsec3.types, qtype: qtype, name: qname, record: "NSEC3")
            {
                return .bogus(contradiction)
            }
            return .secure(DenialProof(kind: .noData))
        }
        let encloser: ClosestEncloser
        switch closestEncloser(of: qname, chain: &chain, budget: &budget) {
        case .proven(let proof): encloser = proof
        case .nameExists:
            return .bogus(missing("3NNM", "no NSEC3 matches \(qname) (NODATA for \(qtype))"))
        case .failed(let reason): return .bogus(reason)
        }
        let wildcard = wildcardNoData(qtype: qtype, encloser: encloser, chain: &chain, budget: &budget)
        switch wildcard {
        case .secure, .insecure: return wildcard
        case .bogus(let reason) where reason.code == .other: return wildcard
        default: break
        }
        if encloser.nextCloserCover.nsec3.isOptOut { return .insecure(nil) }
        return .bogus(missing("3NNM", "no NSEC3 matches \(qname), nor a wildcard without \(qtype)"))
    }

    /// Proves a wildcard NODATA answer (RFC 5155 §8.7): a closest encloser proof for `qname`, and an NSEC3
    /// matching the wildcard at the closest encloser whose bitmap lacks the type and CNAME; insecure when the
    /// next closer name is covered by an Opt-Out NSEC3 (RFC 5155 §9.2).
    public static func proveWildcardNoData(
        qname: DomainName, qtype: RRType, zone: DomainName, nsec3s: [RRSet], limits: ValidationLimits = .default,
        budget: inout ValidationBudget
    ) -> ValidationOutcome<DenialProof> {
        var chain: NSEC3Chain
        switch prepare(nsec3s, zone: zone, limits: limits) {
        case .chain(let prepared): chain = prepared
        case .concluded(let verdict): return verdict
        }
        switch closestEncloser(of: qname, chain: &chain, budget: &budget) {
        case .proven(let encloser):
            return wildcardNoData(qtype: qtype, encloser: encloser, chain: &chain, budget: &budget)
        case .nameExists:
            return .bogus(
                ValidationReason(
                    bogus: .dnssecBogus, site: "3WEX", "wildcard NODATA for \(qname) but an NSEC3 matches it"))
        case .failed(let reason):
            return .bogus(reason)
        }
    }

    /// Proves that a wildcard expansion was legitimate (RFC 5155 §8.8): an NSEC3 covers the next closer name
    /// derived from the RRSIG Labels field. Under Opt-Out the next closer could be an unsigned delegation, so
    /// the answer is then insecure.
    ///
    /// - Parameter expansion: the expansion from ``ValidatedRRSet/wildcard``.
    public static func proveWildcardAnswer(
        qname: DomainName, expansion: WildcardExpansion, zone: DomainName, nsec3s: [RRSet],
        limits: ValidationLimits = .default, budget: inout ValidationBudget
    ) -> ValidationOutcome<DenialProof> {
        var chain: NSEC3Chain
        switch prepare(nsec3s, zone: zone, limits: limits) {
        case .chain(let prepared): chain = prepared
        case .concluded(let verdict): return verdict
        }
        guard expansion.nextCloser.isSubdomain(of: zone), expansion.nextCloser != zone else {
            return .bogus(
                ValidationReason(
                    bogus: .dnssecBogus, site: "3WAZ", "wildcard \(expansion.wildcard) is not below \(zone)"))
        }
        let hash: [UInt8]
        switch chain.hash(expansion.nextCloser, budget: &budget) {
        case .hash(let value): hash = value
        case .failed(let reason): return .bogus(reason)
        }
        guard let cover = chain.covering(hash) else {
            return .bogus(
                missing(
                    "3WAN",
                    "no NSEC3 covers the next closer name \(expansion.nextCloser) of the wildcard answer "
                        + "for \(qname)"))
        }
        if cover.nsec3.isOptOut { return .insecure(nil) }
        return .secure(DenialProof(kind: .wildcardAnswer, closestEncloser: expansion.closestEncloser))
    }

    /// Proves that the delegation at `name` has no DS (RFC 5155 §8.9, RFC 6840 §4.4): either the NSEC3
    /// matching the name has NS and lacks DS, SOA and CNAME (secure proof of an unsigned delegation), or a
    /// closest encloser proof shows the next closer name covered by an Opt-Out NSEC3 (insecure).
    public static func proveInsecureDelegation(
        name: DomainName, zone: DomainName, nsec3s: [RRSet], limits: ValidationLimits = .default,
        budget: inout ValidationBudget
    ) -> ValidationOutcome<DenialProof> {
        var chain: NSEC3Chain
        switch prepare(nsec3s, zone: zone, limits: limits) {
        case .chain(let prepared): chain = prepared
        case .concluded(let verdict): return verdict
        }
        let hash: [UInt8]
        switch chain.hash(name, budget: &budget) {
        case .hash(let value): hash = value
        case .failed(let reason): return .bogus(reason)
        }
        if let match = chain.matching(hash) {
            let types = match.nsec3.types
            guard types.contains(.ns), !types.contains(.ds), !types.contains(.soa), !types.contains(.cname) else {
                return .bogus(
                    ValidationReason(
                        bogus: .dnssecBogus, site: "3IDB",
                        "the NSEC3 for \(name) does not show an unsigned delegation (types: \(types))"))
            }
            return .secure(DenialProof(kind: .insecureDelegation))
        }
        switch closestEncloser(of: name, chain: &chain, budget: &budget) {
        case .proven(let encloser):
            guard encloser.nextCloserCover.nsec3.isOptOut else {
                return .bogus(
                    missing(
                        "3IDO",
                        "no NSEC3 matches the delegation \(name) and the span covering "
                            + "\(encloser.nextCloser) is not Opt-Out"))
            }
            return .insecure(nil)
        case .nameExists:
            return .bogus(missing("3IDM", "no NSEC3 matches the delegation \(name)"))
        case .failed(let reason):
            return .bogus(reason)
        }
    }

    // MARK: - Building blocks

    /// A chain to prove with, or the verdict that ends the proof before it starts.
    enum Prepared {
        /// The usable chain.
        case chain(NSEC3Chain)
        /// The records cannot prove anything: this is the outcome.
        case concluded(ValidationOutcome<DenialProof>)
    }

    /// Builds the chain, turning an unusable one into its verdict (RFC 5155 §8.1, RFC 9276 §3.2).
    static func prepare(_ rrsets: [RRSet], zone: DomainName, limits: ValidationLimits) -> Prepared {
        switch NSEC3Chain.make(rrsets, zone: zone, limits: limits) {
        case .usable(let chain):
            return .chain(chain)
        case .empty:
            return .concluded(.bogus(missing("3NON", "no usable NSEC3 record for \(zone)")))
        case .unknownHashAlgorithm:
            return .concluded(.insecure(nil))
        case .tooManyIterations(let iterations):
            return .concluded(
                .insecure(
                    ValidationReason(
                        insecure: .unsupportedNSEC3Iterations, site: "3ITR",
                        "NSEC3 records of \(zone) use \(iterations) iterations, over the limit of "
                            + "\(limits.maxNSEC3Iterations) (RFC 9276)")))
        }
    }

    /// The closest encloser proof (RFC 5155 §8.3): walking up from `qname`, the first ancestor with a matching
    /// NSEC3 is the closest encloser, and the name one label below it on the way (the next closer name) must be
    /// covered. The matching NSEC3 must not be a delegation seen from the parent (NS without SOA) nor a DNAME,
    /// which would let a parent deny names it is not authoritative for.
    static func closestEncloser(
        of qname: DomainName, chain: inout NSEC3Chain, budget: inout ValidationBudget
    ) -> ClosestEncloserSearch {
        guard qname.isSubdomain(of: chain.zone) else {
            return .failed(
                ValidationReason(bogus: .dnssecBogus, site: "3CEZ", "\(qname) is not in the zone \(chain.zone)"))
        }
        var candidate = qname
        var previous: (name: DomainName, hash: [UInt8])? = nil
        // Bounded by the labels between qname and the zone (at most 127), and by the hash budget.
        for _ in 0...(qname.labelCount - chain.zone.labelCount) {
            let hash: [UInt8]
            switch chain.hash(candidate, budget: &budget) {
            case .hash(let value): hash = value
            case .failed(let reason): return .failed(reason)
            }
            if let match = chain.matching(hash) {
                guard let previous else { return .nameExists(match) }
                let types = match.nsec3.types
                if types.contains(.dname) || (types.contains(.ns) && !types.contains(.soa)) {
                    return .failed(
                        ValidationReason(
                            bogus: .dnssecBogus, site: "3CED",
                            "the NSEC3 of closest encloser \(candidate) is a delegation or DNAME, which cannot "
                                + "deny \(previous.name)"))
                }
                guard let cover = chain.covering(previous.hash) else {
                    return .failed(
                        missing(
                            "3CNC",
                            "no NSEC3 covers the next closer name \(previous.name) (closest encloser "
                                + "\(candidate))"))
                }
                return .proven(ClosestEncloser(name: candidate, nextCloser: previous.name, nextCloserCover: cover))
            }
            guard let parent = candidate.parent, candidate != chain.zone else { break }
            previous = (candidate, hash)
            candidate = parent
        }
        return .failed(missing("3CEM", "no NSEC3 proves a closest encloser for \(qname)"))
    }

    /// The wildcard half of a wildcard NODATA proof: the NSEC3 matching `*.closest encloser` lacks the type
    /// and CNAME (RFC 5155 §8.7, RFC 6840 §4.3). When the next closer name is covered by an Opt-Out NSEC3 the
    /// name may be an unsigned delegation the wildcard does not speak for, so the proof is insecure: AD MUST
    /// NOT be set on a closest encloser proof with an Opt-Out next closer cover (RFC 5155 §9.2).
    static func wildcardNoData(
        qtype: RRType, encloser: ClosestEncloser, chain: inout NSEC3Chain, budget: inout ValidationBudget
    ) -> ValidationOutcome<DenialProof> {
        guard let wildcard = try? encloser.name.prepending(label: [0x2A]) else {
            return .bogus(missing("3WNL", "no wildcard can exist below \(encloser.name)"))
        }
        let hash: [UInt8]
        switch chain.hash(wildcard, budget: &budget) {
        case .hash(let value): hash = value
        case .failed(let reason): return .bogus(reason)
        }
        guard let match = chain.matching(hash) else {
            return .bogus(missing("3WNM", "no NSEC3 matches the wildcard \(wildcard)"))
        }
        if let contradiction = NSECDenial.contradiction(
            match.nsec3.types, qtype: qtype, name: wildcard, record: "NSEC3")
        {
            return .bogus(contradiction)
        }
        if encloser.nextCloserCover.nsec3.isOptOut { return .insecure(nil) }
        return .secure(DenialProof(kind: .wildcardNoData, closestEncloser: encloser.name))
    }

    /// A reason for a missing proof record (EDE 12).
    static func missing(_ site: String, _ detail: String) -> ValidationReason {
        ValidationReason(bogus: .nsecMissing, site: site, detail)
    }
}
