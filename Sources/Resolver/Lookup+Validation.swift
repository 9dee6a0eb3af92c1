// Primary responsibilities: judge what upstream servers said against the chain of trust (RFC 4035
// §5, asked through ChainOfTrust) — every RRset of an answer with its wildcard proof, denials with
// their NSEC or NSEC3 proofs, and a referral's DS or proof of no DS — all within the client query's
// budget.

import DNSCache
import DNSSEC
import DNSWire

/// The verdict on one response: the whole, and each RRset with the TTL its signatures allow.
struct Judgement {
    /// One RRset's verdict.
    struct Part {
        /// Its status and reason.
        var verdict: Verdict
        /// The TTL capped by the RRSIG (RFC 4035 §5.3.3) when secure.
        var ttl: UInt32?
    }

    /// The weakest status of every part (RFC 4035 §4.3).
    var verdict: Verdict
    /// Per RRset of the response (answer and authority).
    var parts: [RRSet.Key: Part] = [:]
    /// The smallest validated TTL among a denial's SOA and proofs, to cap the negative TTL.
    var denialTTL: UInt32?
    /// Per RRset a wildcard synthesised, the validated NSEC/NSEC3 RRsets sent to prove that no
    /// closer name exists, and the smallest TTL their signatures allow. A security-aware resolver keeps
    /// them with the answer (RFC 4035 §3.2): the client's validator needs them as much as ours did
    /// (RFC 4035 §3.1.3.3, §5.3.4; RFC 5155 §7.2.6, §8.8).
    var wildcardProofs: [RRSet.Key: WildcardProof] = [:]

    /// The proof of one wildcard expansion.
    struct WildcardProof {
        /// The NSEC/NSEC3 RRsets with their RRSIGs.
        var rrsets: [RRSet]
        /// The smallest TTL their signatures allow (RFC 4035 §5.3.3).
        var ttl: UInt32
    }
    /// Secure wildcard expansions as their wildcard owner signed them (`*.closest encloser`), for
    /// the cache to keep beside the expansion: a later name the cached proofs show absent is
    /// answered from them (RFC 8198 §5.3).
    var wildcardSources: [RRSet] = []

    /// A response nobody judged: validation is off.
    static let unchecked = Judgement(verdict: Verdict(.unchecked))

    /// The proofs of the wildcard expansions among `rrsets`, each RRset once, for the authority
    /// section of the answer they are part of (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6).
    func wildcardProofs(for rrsets: [RRSet]) -> [RRSet] {
        guard !wildcardProofs.isEmpty else { return [] }
        return rrsets.reduce(into: []) { kept, rrset in
            kept = Lookup.merging(kept, wildcardProofs[rrset.key]?.rrsets ?? [])
        }
    }

    /// Records one RRset's verdict and folds it into the whole.
    mutating func record(_ rrset: RRSet, _ verdict: Verdict, ttl: UInt32? = nil) {
        parts[rrset.key] = Part(verdict: verdict, ttl: ttl)
        self.verdict.add(verdict)
    }
}

extension Lookup {
    /// The validation settings in force.
    var validation: ValidationSettings { engine.configuration.validation }

    /// Whether answers are judged at all (`dnssec.validation`).
    var validating: Bool { validation.enabled }

    /// The validation time: the wall clock (RFC 4034 §3.1.5 serial arithmetic on 32 bits), so a
    /// faked system time moves validation with it.
    var validationTime: UInt32 { UInt32(truncatingIfNeeded: engine.clock.wallSeconds) }

    // MARK: - One RRset

    /// Judges one RRset (RFC 4035 §5.3): with the keys of the zone its RRSIG names as signer, which
    /// must enclose the owner (RFC 4035 §5.3.1) and, from an authority, lie within the zone asked.
    /// An unsigned RRset is judged by the zone that holds its owner: the zone asked, unless a DS
    /// search below it finds a cut its server hid by answering for the child itself
    /// (``signingZone(of:below:state:)``). Stripping signatures from a secure zone's data therefore
    /// makes it bogus (EDE 10), not insecure, while unsigned data below a proven unsigned cut is
    /// insecure (RFC 4035 §4.3). A DNSKEY RRset at its own apex is authenticated by the parent's DS
    /// or the anchor instead (RFC 4035 §5.2).
    ///
    /// - Returns: the outcome and, when secure, the keys that proved it (for wildcard proofs).
    func judgeRRset(
        _ rrset: RRSet, delegation: DelegationPoint, state: inout ResolutionState
    ) async -> (ValidationOutcome<ValidatedRRSet>, ZoneKeySet?) {
        if chainOfTrust.underNegativeAnchor(rrset.name) { return (.insecure(nil), nil) }
        let signer = rrset.signatures.first {
            $0.typeCovered == rrset.type && rrset.name.isSubdomain(of: $0.signerName)
                && (delegation.isForward || $0.signerName.isSubdomain(of: delegation.zone))
        }?.signerName
        // A DNSKEY RRset at its apex; from a forwarder, which shows no cuts, an unsigned one is taken
        // as at its apex too, so its DS judges it (and finds the RRSIGs missing).
        if rrset.type == .dnskey && (signer ?? (delegation.isForward ? rrset.name : delegation.zone)) == rrset.name {
            switch await chainOfTrust.delegationSigner(for: rrset.name, state: &state) {
            case .insecure(let reason): return (.insecure(reason), nil)
            case .bogus(let reason): return (.bogus(reason), nil)
            case .secure(let anchor):
                let outcome = DNSKEYValidator.validate(
                    rrset, anchor: anchor, now: validationTime, limits: validation.limits, support: validation.support,
                    budget: &state.budget)
                return (outcome.map(\.rrset), outcome.value?.keys)
            }
        }
        let zone: DomainName
        if let signer {
            zone = signer
        } else if delegation.isForward {
            zone = await forwardedZone(of: rrset.name, state: &state)
        } else {
            zone = await signingZone(of: rrset.name, below: delegation.zone, state: &state)
        }
        switch await chainOfTrust.zoneTrust(zone, state: &state) {
        case .insecure(let reason):
            return (.insecure(reason), nil)
        case .bogus(let reason):
            return (.bogus(reason), nil)
        case .secure(let keys):
            let outcome = RRSetValidator.validate(
                rrset, keys: keys, now: validationTime, limits: validation.limits, support: validation.support,
                budget: &state.budget)
            return (outcome, keys)
        }
    }

    /// The zone whose keys must vouch for unsigned data at `name` from a forwarder, which answers
    /// for every zone and shows no cuts: found as a validator behind a forwarder must (RFC 4035
    /// §4.3, §5.2), by the DS search of ``zoneCutSearch(for:from:state:)`` from the closest trust
    /// anchor down.
    func forwardedZone(of name: DomainName, state: inout ResolutionState) async -> DomainName {
        guard let anchor = validation.anchors.closestAnchor(for: name)?.owner else { return name }
        return await zoneCutSearch(for: name, from: anchor, state: &state)
    }

    /// The zone whose keys must vouch for unsigned data at `name`, received from the servers of
    /// `zone`: `zone` itself, unless one of its servers also serves a zone below it and answered
    /// for that child without a referral. Data in a descendant of an unsigned zone is insecure
    /// (RFC 4035 §4.3), so before the missing RRSIGs make the data bogus, the cuts between `zone`
    /// and `name` are looked for as behind a forwarder (``zoneCutSearch(for:from:state:)``),
    /// starting at the closest trust anchor instead when that lies below `zone`.
    func signingZone(of name: DomainName, below zone: DomainName, state: inout ResolutionState) async -> DomainName {
        guard let anchor = validation.anchors.closestAnchor(for: name)?.owner else { return zone }
        let start = anchor.isSubdomain(of: zone) ? anchor : zone
        return await zoneCutSearch(for: name, from: start, state: &state)
    }

    /// The DS search for the zone holding unsigned data at `name`, one label at a time from the
    /// signed zone `start` down (RFC 4035 §4.3, §5.2). A signed cut (a secure DS) moves the search
    /// into that zone, whose keys then judge the data; a proven unsigned cut (NSEC or NSEC3 with NS
    /// and no DS, or an Opt-Out span, RFC 5155 §8.9) or a cut whose DS is bogus ends it there (the
    /// data is then insecure, or bogus with the DS's reason); a name the denial shows is no cut
    /// (``ZoneCutEvidence``) is passed by, which keeps the data under the signed zone above, so a
    /// forged "no cut" can only make it bogus, and so does a DS question nobody answers (no proof,
    /// no cut: the data stays bogus if unsigned, as it was). The search stops at an insecure or
    /// bogus zone, and after ``ResolutionLimits/maxZoneCutSearchLabels`` labels, leaving the data
    /// to the deepest zone found. Every DS question counts against the query's budgets, and the
    /// answers are cached (DS results and negative answers), so the next name of the zone finds
    /// its cuts without a query.
    func zoneCutSearch(for name: DomainName, from start: DomainName, state: inout ResolutionState) async -> DomainName {
        var zone = start
        for candidate in name.names(below: start).prefix(limits.maxZoneCutSearchLabels) {
            guard case .secure = await chainOfTrust.zoneTrust(zone, state: &state) else { return zone }
            if engine.cache.lookupDelegationSigner(zone: candidate, now: now) == nil {
                if state.unansweredCutQuestions.contains(candidate) { return zone }
                switch await fetchForValidation(Question(name: candidate, type: .ds), site: "RFCS", state: &state) {
                case .refused: return zone
                case .resolved(let resolution):
                    // No answer at all proves no cut: the zone above keeps the data (bogus if unsigned).
                    if resolution.failure != nil {
                        state.unansweredCutQuestions.insert(candidate)
                        return zone
                    }
                    let hasDS = resolution.answer.contains { $0.type == .ds && $0.name == candidate }
                    if !hasDS && resolution.rcode == .noError
                        && ZoneCutEvidence.showsNoZoneCut(
                            at: candidate, denial: resolution.authority, limits: validation.limits,
                            budget: &state.budget)
                    {
                        continue
                    }
                }
            }
            switch await chainOfTrust.delegationSigner(for: candidate, state: &state) {
            case .secure: zone = candidate
            case .insecure, .bogus: return candidate
            }
        }
        return zone
    }

    // MARK: - Whole responses

    /// Judges a response that answers or denies: every RRset of the answer section (the scrubber
    /// kept only the question's chain), each wildcard expansion with its proof that no closer name
    /// exists (RFC 4035 §5.3.4, RFC 5155 §8.8), and for NXDOMAIN/NODATA the SOA and the NSEC or
    /// NSEC3 proof (RFC 4035 §5.4, RFC 5155 §8). A CNAME the engine or server synthesised from a
    /// DNAME is vouched for by the DNAME's signature (RFC 6672 §5.3.1) and has none of its own.
    func judgeResponse(
        _ response: Message, kind: ResponseKind, asked: Question, chain: AnswerChain, delegation: DelegationPoint,
        server: ServerAddress, state: inout ResolutionState
    ) async -> Judgement {
        guard validating else { return .unchecked }
        var judgement = Judgement(verdict: Verdict(.secure))
        let synthesised = Set(chain.links.filter { $0.dname != nil }.map(\.owner))
        for rrset in response.answer {
            if rrset.type == .cname && synthesised.contains(rrset.name) { continue }
            if rrset.type == .rrsig {
                judgement.record(rrset, Self.unsignedSignatures)
                continue
            }
            let (outcome, keys) = await judgeRRset(rrset, delegation: delegation, state: &state)
            switch outcome {
            case .secure(let validated):
                guard let expansion = validated.wildcard, let keys else {
                    judgement.record(rrset, Verdict(.secure), ttl: validated.ttl)
                    continue
                }
                let (proof, kept) = await judgeWildcard(
                    rrset.name, expansion: expansion, authority: response.authority, keys: keys, state: &state)
                judgement.record(rrset, proof, ttl: validated.ttl)
                // Kept whatever the verdict: an insecure expansion (an NSEC3 over the iteration cap)
                // needs them downstream as much, and a CD=1 client judges a bogus one itself
                // (RFC 4035 §3.2, §3.2.2).
                if let kept { judgement.wildcardProofs[rrset.key] = kept }
                if proof.status == .secure && validation.aggressiveNSEC {
                    var source = rrset
                    source.name = expansion.wildcard
                    source.ttl = validated.ttl
                    judgement.wildcardSources.append(source)
                }
            case .insecure(let reason):
                judgement.record(rrset, Verdict(.insecure, reason))
            case .bogus(let reason):
                judgement.record(rrset, Verdict(.bogus, reason))
            }
        }
        switch kind {
        case .nxdomain, .nodata:
            await judgeDenial(
                response, nxdomain: kind == .nxdomain, name: chain.finalName, type: asked.type, delegation: delegation,
                server: server, judgement: &judgement, state: &state)
        default:
            break
        }
        return judgement
    }

    /// The verdict on RRSIG records standing as an RRset of their own (the answer to QTYPE=RRSIG,
    /// or RRSIGs in an ANY answer whose covered RRset is absent): an RRSIG RR itself MUST NOT be
    /// signed (RFC 4035 §2.2), so there is nothing to validate them with. They are passed on
    /// unvalidated — insecure without a reason, so no AD (RFC 4035 §3.2.3) and never bogus — and
    /// cached under type RRSIG alone, where no lookup of other data finds them: only RRSIGs that
    /// arrive grouped with the RRset they cover (``RRSet/group(_:keepingDuplicates:)``) ever vouch
    /// for data. The answer's other parts (a CNAME link, say) are judged as usual and can still
    /// make the whole bogus.
    static let unsignedSignatures = Verdict(.insecure)

    /// Validates the NSEC/NSEC3 RRsets of `authority` signed by `keys`' zone; nil and the proofs,
    /// or the reason one fails (each must validate, RFC 4035 §5.4).
    ///
    /// Every NSEC or NSEC3 RRset the resolver validates passes here, with its zone's keys and the
    /// TTL its signatures allow: a wildcard's proof, a denial's, a referral's proof of no DS. It is
    /// the point where validated denial records can be indexed for synthesis (RFC 8198 §4: only
    /// records that validated as secure may be used).
    func validatedProofs(
        _ authority: [RRSet], keys: ZoneKeySet, judgement: inout Judgement?, state: inout ResolutionState
    ) -> (ValidationReason?, [RRSet]) {
        var proofs: [RRSet] = []
        for rrset in authority where rrset.type == .nsec || rrset.type == .nsec3 {
            guard rrset.name.isSubdomain(of: keys.zone) else { continue }
            let outcome = RRSetValidator.validate(
                rrset, keys: keys, now: validationTime, limits: validation.limits, support: validation.support,
                budget: &state.budget)
            switch outcome {
            case .secure(let validated):
                judgement?.record(rrset, Verdict(.secure), ttl: validated.ttl)
                let earlier = judgement?.denialTTL ?? .max
                judgement?.denialTTL = min(earlier, validated.ttl)
                proofs.append(rrset)
                indexForSynthesis(rrset, zone: keys.zone, ttl: validated.ttl)
            case .insecure(let reason):
                // Signed only by algorithms this validator lacks: it proves nothing either way.
                judgement?.record(rrset, Verdict(.insecure, reason))
            case .bogus(let reason):
                judgement?.record(rrset, Verdict(.bogus, reason))
                return (reason, proofs)
            }
        }
        return (nil, proofs)
    }

    /// Indexes a validated NSEC/NSEC3 RRset of `zone` for aggressive use (RFC 8198 §4: only records
    /// that validated as secure), for the TTL its signatures allow (RFC 4035 §5.3.3) and at most the
    /// cache's negative cap (RFC 2308 §5).
    func indexForSynthesis(_ rrset: RRSet, zone: DomainName, ttl: UInt32) {
        guard validation.aggressiveNSEC else { return }
        let capped = min(ttl, engine.cache.configuration.maxNegativeTTL)
        engine.cache.denialIndex.insert(rrset, zone: zone, ttl: capped, now: now)
    }

    /// The proof that a wildcard expansion was legitimate (RFC 4035 §5.3.4, RFC 5155 §8.8): an NSEC
    /// or NSEC3 of the same zone showing that the next closer name does not exist. Without it the
    /// answer is bogus (EDE 12): a replayed wildcard could otherwise hide a real name's data.
    ///
    /// - Returns: the verdict and the validated NSEC/NSEC3 RRsets the server sent for it, which go
    ///   with the answer to DO=1 clients and into the cache beside it (RFC 4035 §3.1.3.3, §3.2).
    func judgeWildcard(
        _ owner: DomainName, expansion: WildcardExpansion, authority: [RRSet], keys: ZoneKeySet,
        state: inout ResolutionState
    ) async -> (Verdict, Judgement.WildcardProof?) {
        var ttls: Judgement? = Judgement(verdict: Verdict(.secure))
        let (failure, proofs) = validatedProofs(authority, keys: keys, judgement: &ttls, state: &state)
        if let failure { return (Verdict(.bogus, failure), nil) }
        let outcome: ValidationOutcome<DenialProof>
        if proofs.contains(where: { $0.type == .nsec }) {
            outcome = NSECDenial.proveWildcardAnswer(
                qname: owner, expansion: expansion, zone: keys.zone, nsecs: proofs, limits: validation.limits)
        } else if proofs.contains(where: { $0.type == .nsec3 }) {
            outcome = NSEC3Denial.proveWildcardAnswer(
                qname: owner, expansion: expansion, zone: keys.zone, nsec3s: proofs, limits: validation.limits,
                budget: &state.budget)
        } else {
            return (
                Verdict(
                    .bogus,
                    ValidationReason(
                        bogus: .nsecMissing, site: "RWNP",
                        "\(owner) was synthesised from \(expansion.wildcard) but no NSEC or NSEC3 proves that "
                            + "\(expansion.nextCloser) does not exist")), nil
            )
        }
        let kept = Judgement.WildcardProof(rrsets: proofs, ttl: ttls?.denialTTL ?? proofs.map(\.ttl).min() ?? 0)
        return (Verdict(outcome.status, outcome.reason), kept)
    }

    /// Judges a denial (RFC 4035 §5.4, RFC 5155 §8): the zone is the signer of its SOA or proofs
    /// (else the zone asked); when that zone is secure the SOA and every proof must validate, and
    /// they must prove the NXDOMAIN (§8.4) or NODATA (§8.5–8.7, wildcard NODATA included). No proof
    /// at all is bogus with EDE 12; too many NSEC3 iterations are insecure with EDE 27 (RFC 9276).
    /// A zone that denies its own DNSKEY RRset is judged by its DS alone
    /// (``judgeDeniedKeys(_:nxdomain:server:state:)``): the denial would need the keys it denies.
    func judgeDenial(
        _ response: Message, nxdomain: Bool, name: DomainName, type: RRType, delegation: DelegationPoint,
        server: ServerAddress, judgement: inout Judgement, state: inout ResolutionState
    ) async {
        if chainOfTrust.underNegativeAnchor(name) {
            judgement.verdict.add(.insecure, nil)
            return
        }
        let soa = response.authority.first { $0.type == .soa && name.isSubdomain(of: $0.name) }
        let signed = response.authority.filter { $0.type == .nsec || $0.type == .nsec3 } + (soa.map { [$0] } ?? [])
        let signer = signed.lazy.compactMap { rrset in
            rrset.signatures.first {
                name.isSubdomain(of: $0.signerName)
                    && (delegation.isForward || $0.signerName.isSubdomain(of: delegation.zone))
            }?.signerName
        }.first
        let zone: DomainName
        if let known = signer ?? soa?.name {
            zone = known
        } else if delegation.isForward {
            zone = await forwardedZone(of: name, state: &state)
        } else {
            zone = await signingZone(of: name, below: delegation.zone, state: &state)
        }
        if type == .dnskey && name == zone {
            let verdict = await judgeDeniedKeys(zone, nxdomain: nxdomain, server: server, state: &state)
            judgement.verdict.add(verdict.status, verdict.reason)
            return
        }
        let keys: ZoneKeySet
        switch await chainOfTrust.zoneTrust(zone, state: &state) {
        case .insecure(let reason):
            judgement.verdict.add(.insecure, reason)
            return
        case .bogus(let reason):
            judgement.verdict.add(.bogus, reason)
            return
        case .secure(let zoneKeys):
            keys = zoneKeys
        }
        if let soa {
            switch RRSetValidator.validate(
                soa, keys: keys, now: validationTime, limits: validation.limits, support: validation.support,
                budget: &state.budget)
            {
            case .secure(let validated):
                judgement.record(soa, Verdict(.secure), ttl: validated.ttl)
                judgement.denialTTL = min(judgement.denialTTL ?? .max, validated.ttl)
                if validation.aggressiveNSEC && soa.name == keys.zone {
                    engine.cache.denialIndex.insertSOA(soa, zone: keys.zone, ttl: validated.ttl, now: now)
                }
            case .insecure(let reason): judgement.record(soa, Verdict(.insecure, reason))
            case .bogus(let reason): judgement.record(soa, Verdict(.bogus, reason))
            }
        }
        var partial: Judgement? = judgement
        let (failure, proofs) = validatedProofs(response.authority, keys: keys, judgement: &partial, state: &state)
        judgement = partial ?? judgement
        if let failure {
            judgement.verdict.add(.bogus, failure)
            return
        }
        let what = nxdomain ? "NXDOMAIN for \(name)" : "NODATA for \(name) \(type)"
        let outcome: ValidationOutcome<DenialProof>
        if proofs.contains(where: { $0.type == .nsec }) {
            outcome =
                nxdomain
                ? NSECDenial.proveNameError(qname: name, zone: keys.zone, nsecs: proofs, limits: validation.limits)
                : NSECDenial.proveNoData(
                    qname: name, qtype: type, zone: keys.zone, nsecs: proofs, limits: validation.limits)
        } else if proofs.contains(where: { $0.type == .nsec3 }) {
            outcome =
                nxdomain
                ? NSEC3Denial.proveNameError(
                    qname: name, zone: keys.zone, nsec3s: proofs, limits: validation.limits, budget: &state.budget)
                : NSEC3Denial.proveNoData(
                    qname: name, qtype: type, zone: keys.zone, nsec3s: proofs, limits: validation.limits,
                    budget: &state.budget)
        } else {
            outcome = .bogus(
                ValidationReason(
                    bogus: .nsecMissing, site: "RDNP", "\(what): no signed NSEC or NSEC3 from \(keys.zone) proves it"))
        }
        judgement.verdict.add(outcome.status, outcome.reason)
    }

    /// The verdict on `zone`'s servers answering its own DNSKEY question with NXDOMAIN or NODATA.
    /// Validating that denial would need the very keys it denies, so the DS decides (RFC 4035
    /// §5.2): a zone its parent proves unsigned (or under an NTA) may well have no keys —
    /// insecure; one that a DS or trust anchor says is signed must have them — bogus (EDE 9),
    /// naming the server and what it answered, since that is what an operator has to look at.
    func judgeDeniedKeys(
        _ zone: DomainName, nxdomain: Bool, server: ServerAddress, state: inout ResolutionState
    ) async -> Verdict {
        switch await chainOfTrust.delegationSigner(for: zone, state: &state) {
        case .insecure(let reason):
            return Verdict(.insecure, reason)
        case .bogus(let reason):
            return Verdict(.bogus, reason)
        case .secure:
            let anchored = validation.anchors.closestAnchor(for: zone)?.owner == zone
            let vouching = anchored ? "a trust anchor" : "the DS RRset of \(zone)"
            return Verdict(
                .bogus,
                ValidationReason(
                    bogus: .dnskeyMissing, site: "RKDN",
                    "\(server) answered \(nxdomain ? "NXDOMAIN" : "NODATA") for \(zone) DNSKEY, but \(vouching) "
                        + "says the zone is signed"))
        }
    }

    // MARK: - Referrals

    /// Judges a referral from a secure parent (RFC 4035 §5.2): its DS RRset must validate with the
    /// parent's keys, or its NSEC/NSEC3 must prove that the child has no DS (an unsigned delegation,
    /// RFC 4035 §5.2; Opt-Out, RFC 5155 §8.9). The result goes to the key cache, so the child's
    /// DNSKEY is later authenticated without asking for DS. A referral carrying neither is left
    /// alone: the DS is asked for explicitly when the child's keys are needed.
    ///
    /// - Returns: the reason when the referral is bogus (the caller tries the zone's other servers).
    func judgeReferral(
        _ response: Message, child: DomainName, delegation: DelegationPoint, state: inout ResolutionState
    ) async -> ValidationReason? {
        guard validating, !delegation.isForward, !chainOfTrust.underNegativeAnchor(child),
            let anchor = validation.anchors.closestAnchor(for: child), anchor.owner != child,
            delegation.zone.isSubdomain(of: anchor.owner),
            engine.cache.lookupDelegationSigner(zone: child, now: now) == nil
        else { return nil }
        let ds = response.authority.first { $0.type == .ds && $0.name == child }
        let proofs = response.authority.filter { $0.type == .nsec || $0.type == .nsec3 }
        guard ds != nil || !proofs.isEmpty else { return nil }
        guard case .secure(let keys) = await chainOfTrust.zoneTrust(delegation.zone, state: &state) else { return nil }
        if let ds {
            switch RRSetValidator.validate(
                ds, keys: keys, now: validationTime, limits: validation.limits, support: validation.support,
                budget: &state.budget)
            {
            case .secure(let validated):
                var capped = ds
                capped.ttl = validated.ttl
                engine.cache.insertDelegationSigner(capped, status: .secure, now: now)
                return nil
            case .insecure(let reason):
                engine.cache.insertDelegationSigner(ds, status: .insecure, reason: reason, now: now)
                return nil
            case .bogus(let reason):
                return reason
            }
        }
        var none: Judgement? = nil
        let (failure, valid) = validatedProofs(response.authority, keys: keys, judgement: &none, state: &state)
        if let failure { return failure }
        let proof: ValidationOutcome<DenialProof>
        if valid.contains(where: { $0.type == .nsec }) {
            proof = NSECDenial.proveInsecureDelegation(
                name: child, zone: keys.zone, nsecs: valid, limits: validation.limits)
        } else {
            proof = NSEC3Denial.proveInsecureDelegation(
                name: child, zone: keys.zone, nsec3s: valid, limits: validation.limits, budget: &state.budget)
        }
        if case .bogus(let reason) = proof { return reason }
        engine.cache.insertNoDelegationSigner(
            zone: child, proofs: valid, ttl: valid.map(\.ttl).min() ?? 0, status: .insecure, reason: proof.reason,
            now: now)
        return nil
    }

    /// Resolves a DNSKEY or DS RRset that validation needs, as a nested sub-resolution sharing the
    /// client query's budgets. Refused, with the reason, when the same question is already being
    /// resolved further up (a dependency cycle: a zone's keys needed to validate themselves) or
    /// past ``ResolutionLimits/maxValidationDepth`` nested fetches.
    func fetchForValidation(
        _ question: Question, site: String, state: inout ResolutionState
    ) async -> ValidationFetch {
        guard !state.active.contains(question), state.validationDepth < limits.maxValidationDepth else {
            return .refused(
                ValidationReason(
                    bogus: .dnskeyMissing, site: site,
                    "the \(question.type) RRset of \(question.name) is needed to validate itself (dependency cycle "
                        + "or more than \(limits.maxValidationDepth) nested fetches, maxValidationDepth)"))
        }
        state.validationDepth += 1
        defer { state.validationDepth -= 1 }
        return .resolved(await resolve(question, state: &state))
    }
}
