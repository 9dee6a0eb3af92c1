// Primary responsibilities: answer from cached, validated NSEC/NSEC3 records after an ordinary cache
// miss (RFC 8198): pick the zone whose records may speak for the name, never across a cut, have the
// DNSSEC core prove the denial or wildcard answer from them, and give it the TTL RFC 8198 §5.1 allows.

import DNSCache
import DNSSEC
import DNSWire

extension IterativeResolver {
    /// A denial or wildcard answer synthesised from the denial index (RFC 8198 §5), or nil.
    ///
    /// Asked only after the RRset, alias and negative caches all missed, so the cached path pays
    /// nothing for it. Only while validating, with `dnssec.aggressive-nsec` on, and never for stale
    /// lookups or under a negative trust anchor: the records were indexed only when secure
    /// (``Lookup/validatedProofs(_:keys:judgement:state:)``), and what they prove must be secure
    /// again here, so the answer gets AD like the original proofs.
    ///
    /// The records come from the closest enclosing zone that has any (RFC 8198 §5.2); when the
    /// cache knows a zone cut below that zone and above the name, the name belongs to a zone whose
    /// records we do not hold and nothing is synthesised. Within the zone, the proof checks refuse a
    /// delegation's NSEC (NS without SOA) as a denial of names below it (RFC 4035 §5.4, RFC 6840
    /// §4.1) and an NSEC3 Opt-Out span as proof of NXDOMAIN (RFC 8198 §5.4). The zone's validated
    /// SOA must be known: it goes into the authority section (RFC 2308 §3).
    func aggressiveStep(_ question: Question, now: CacheTime) -> CachedStep? {
        let validation = configuration.validation
        guard validating, validation.aggressiveNSEC, question.rrClass == .in, question.type != .any,
            question.type != .rrsig, !question.name.isRoot || question.type != .ds
        else { return nil }
        let index = cache.denialIndex
        // DS lives on the parent side of a cut (RFC 4035 §3.1.4.1): its zone is the one above the name.
        let owner = question.type == .ds ? (question.name.parent ?? .root) : question.name
        guard let zone = index.closestZone(enclosing: owner),
            validation.anchors.negativeAnchor(covering: question.name, now: clock.wallSeconds) == nil,
            let soa = index.soa(zone: zone, now: now), case .soa(let soaData)? = soa.rdatas.first
        else { return nil }
        if let cut = cache.closestZoneCut(for: owner, now: now), cut.rrset.name.isStrictSubdomain(of: zone) {
            return nil
        }
        let synthesis: AggressiveDenial.Synthesis?
        if let parameters = index.nsec3Parameters(zone: zone) {
            var budget = ValidationBudget(limits: validation.limits)
            synthesis = AggressiveDenial.withNSEC3(
                qname: question.name, qtype: question.type, zone: zone, salt: parameters.salt,
                iterations: parameters.iterations, limits: validation.limits, budget: &budget
            ) { index.nsec3(zone: zone, atOrBefore: $0, now: now) }
        } else {
            synthesis = AggressiveDenial.withNSEC(
                qname: question.name, qtype: question.type, zone: zone, limits: validation.limits
            ) { index.nsec(zone: zone, atOrBefore: $0, now: now) }
        }
        switch synthesis {
        case nil:
            return nil
        case .denial(let proof, let proofs)?:
            // RFC 8198 §5.1 and RFC 9077 §3: no longer than the NSEC/NSEC3 records, the SOA's TTL
            // and its MINIMUM, and the cache's negative cap (RFC 2308 §5).
            let ttl = min(
                proofs.map(\.ttl).min() ?? 0, soa.ttl, soaData.minimum, cache.configuration.maxNegativeTTL)
            guard ttl > 0 else { return nil }
            var capped = soa
            capped.ttl = ttl
            return .negative(
                CachedNegative(
                    denial: proof.kind == .nameError ? .nxdomain : .nodata(question.type), name: question.name,
                    coversDescendant: false, soa: capped, proofs: proofs, ttl: ttl, rank: .validated,
                    status: .secure, reason: nil, isStale: false, expiry: now.adding(ttl)))
        case .wildcard(let expansion, let proofs)?:
            return synthesisedWildcard(question, expansion: expansion, proofs: proofs, now: now)
        }
    }

    /// The wildcard answer for `question` (RFC 8198 §5.3, RFC 4592 §3.3.1): the wildcard's own
    /// validated RRset of the type, cached under its `*` owner (``Lookup/cacheAnswer``), expanded
    /// to the name, with the RRSIGs whose Labels field shows the expansion, and in the authority
    /// section the proof that no closer name exists (RFC 4035 §3.1.3.3). No longer than the RRset
    /// and the proofs live.
    func synthesisedWildcard(
        _ question: Question, expansion: WildcardExpansion, proofs: [RRSet], now: CacheTime
    ) -> CachedStep? {
        guard let hit = cache.lookup(expansion.wildcard, question.type, question.rrClass, now: now),
            hit.rank == .validated, hit.status == .secure,
            hit.rrset.signatures.contains(where: { Int($0.labels) == expansion.closestEncloser.labelCount })
        else { return nil }
        let ttl = min(hit.rrset.ttl, proofs.map(\.ttl).min() ?? 0)
        guard ttl > 0 else { return nil }
        var answer = hit.rrset
        answer.name = question.name
        answer.ttl = ttl
        let authority = proofs.map { proof in
            var proof = proof
            proof.ttl = min(proof.ttl, ttl)
            return proof
        }
        return .data([answer], proofs: authority, .secure, nil)
    }
}
