// Primary responsibilities: aggressive use of the DNSSEC-validated cache (RFC 8198 §5): from a zone's cached,
// validated NSEC or NSEC3 spans, gather the records a denial (or a wildcard answer) of a name needs and prove it
// with the same checks an upstream response gets; anything short of secure is no synthesis.

internal import DNSCrypto
public import DNSWire

/// Denials synthesised from cached NSEC/NSEC3 records (RFC 8198).
///
/// The caller supplies the zone (the closest enclosing zone whose validated records it holds, never across a
/// cut, RFC 8198 §5.2) and a lookup giving the cached record at a name (or hash) or the one before it in the
/// zone's order, the only one whose span can cover it. The records found are proven by ``NSECDenial`` and
/// ``NSEC3Denial``, so a synthesised answer obeys exactly the rules of a received one: a delegation's NSEC
/// (NS without SOA) denies nothing below it, an NSEC3 Opt-Out span proves no NXDOMAIN (RFC 8198 §5.4, RFC 5155
/// §6), and too many NSEC3 iterations are insecure. Only a secure outcome synthesises.
public enum AggressiveDenial {
    /// What the cached records prove.
    public enum Synthesis: Hashable, Sendable {
        /// NXDOMAIN or NODATA, proven by `proofs` (RFC 8198 §5.1).
        case denial(DenialProof, proofs: [RRSet])
        /// The name does not exist but the wildcard at its closest encloser has the type: the answer is the
        /// wildcard's RRset expanded, `proofs` showing no closer match (RFC 8198 §5.3, RFC 4035 §5.3.4).
        case wildcard(WildcardExpansion, proofs: [RRSet])
    }

    /// Synthesises from NSEC records (RFC 8198 §5.1, §5.3): the record at or before `qname`, then the one at or
    /// before the wildcard at the closest encloser that record implies.
    ///
    /// - Parameter lookup: the cached, validated NSEC of `zone` at a name or the one before it.
    public static func withNSEC(
        qname: DomainName, qtype: RRType, zone: DomainName, limits: ValidationLimits = .default,
        lookup: (DomainName) -> RRSet?
    ) -> Synthesis? {
        guard let first = lookup(qname) else { return nil }
        if first.name == qname {
            return (NSECDenial.proveNoData(qname: qname, qtype: qtype, zone: zone, nsecs: [first], limits: limits))
                .value
                .map { .denial($0, proofs: [first]) }
        }
        guard let cover = NSECDenial.extract([first], zone: zone, limits: limits).first, cover.covers(qname) else {
            return nil
        }
        let encloser = cover.closestEncloser(of: qname, zone: zone)
        var proofs = [first]
        var wildcardRecord: RRSet? = nil
        if let wildcard = try? encloser.prepending(label: [0x2A]), let found = lookup(wildcard) {
            if found != first { proofs.append(found) }
            if found.name == wildcard { wildcardRecord = found }
        }
        if let proof = NSECDenial.proveNameError(qname: qname, zone: zone, nsecs: proofs, limits: limits).value {
            return .denial(proof, proofs: proofs)
        }
        if let proof = (NSECDenial.proveNoData(qname: qname, qtype: qtype, zone: zone, nsecs: proofs, limits: limits))
            .value
        {
            // An empty non-terminal needs only the covering record.
            return .denial(proof, proofs: proof.kind == .emptyNonTerminal ? [first] : proofs)
        }
        guard let wildcardRecord, case .nsec(let nsec)? = wildcardRecord.rdatas.first, nsec.types.contains(qtype),
            let expansion = WildcardExpansion(owner: qname, labels: encloser.labelCount),
            (NSECDenial.proveWildcardAnswer(
                qname: qname, expansion: expansion, zone: zone, nsecs: [first], limits: limits)).value != nil
        else { return nil }
        return .wildcard(expansion, proofs: [first])
    }

    /// Synthesises from NSEC3 records (RFC 8198 §5.1, §5.3, §5.4): walking up from `qname`, the first name
    /// whose hash has a cached record is the closest encloser, the record before it covers the next closer
    /// name, and the wildcard at the closest encloser is looked up last. Hashes are charged to `budget`, and
    /// a chain over the iteration limit is not hashed at all (it could only be insecure, RFC 9276 §3.2).
    ///
    /// - Parameter lookup: the cached, validated NSEC3 of `zone`'s chain (`salt`, `iterations`) whose owner
    ///   hash is the given hash, or the one before it in hash order.
    public static func withNSEC3(
        qname: DomainName, qtype: RRType, zone: DomainName, salt: [UInt8], iterations: UInt16,
        limits: ValidationLimits = .default, budget: inout ValidationBudget, lookup: ([UInt8]) -> RRSet?
    ) -> Synthesis? {
        guard iterations <= limits.maxNSEC3Iterations, qname.isSubdomain(of: zone) else { return nil }
        func hash(_ name: DomainName) -> [UInt8]? {
            guard budget.chargeNSEC3Hash() == nil else { return nil }
            return try? NSEC3Hash.hash(ownerName: name.lowercased.wireBytes, salt: salt, iterations: iterations)
        }
        func matches(_ rrset: RRSet, _ hash: [UInt8]) -> Bool {
            guard let label = rrset.name.labels.first else { return false }
            return BaseEncoding.decodeBase32Hex(Array(label)) == hash
        }
        var candidate = qname
        var nextCloserCover: RRSet? = nil
        var encloserRecord: RRSet? = nil
        // Bounded by the labels between qname and the zone (at most 127) and by the hash budget.
        for _ in 0...(qname.labelCount - zone.labelCount) {
            guard let candidateHash = hash(candidate), let record = lookup(candidateHash) else { return nil }
            if matches(record, candidateHash) {
                encloserRecord = record
                break
            }
            guard candidate != zone, let parent = candidate.parent else { return nil }
            nextCloserCover = record
            candidate = parent
        }
        guard let encloserRecord else { return nil }
        guard let nextCloserCover else {
            // The name itself has a record: NODATA or nothing.
            return
                (NSEC3Denial.proveNoData(
                    qname: qname, qtype: qtype, zone: zone, nsec3s: [encloserRecord], limits: limits, budget: &budget))
                .value.map { .denial($0, proofs: [encloserRecord]) }
        }
        var proofs = [encloserRecord, nextCloserCover]
        var wildcardRecord: RRSet? = nil
        if let wildcard = try? candidate.prepending(label: [0x2A]), let wildcardHash = hash(wildcard),
            let found = lookup(wildcardHash)
        {
            if !proofs.contains(found) { proofs.append(found) }
            if matches(found, wildcardHash) { wildcardRecord = found }
        }
        if let proof =
            (NSEC3Denial.proveNameError(qname: qname, zone: zone, nsec3s: proofs, limits: limits, budget: &budget))
            .value
        {
            return .denial(proof, proofs: proofs)
        }
        if let proof =
            (NSEC3Denial.proveNoData(
                qname: qname, qtype: qtype, zone: zone, nsec3s: proofs, limits: limits, budget: &budget)).value
        {
            return .denial(proof, proofs: proofs)
        }
        guard let wildcardRecord, case .nsec3(let nsec3)? = wildcardRecord.rdatas.first, nsec3.types.contains(qtype),
            let expansion = WildcardExpansion(owner: qname, labels: candidate.labelCount),
            (NSEC3Denial.proveWildcardAnswer(
                qname: qname, expansion: expansion, zone: zone, nsec3s: [nextCloserCover], limits: limits,
                budget: &budget)).value != nil
        else { return nil }
        return .wildcard(expansion, proofs: [nextCloserCover])
    }
}
