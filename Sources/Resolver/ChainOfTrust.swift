// Primary responsibilities: the chain of trust (RFC 4035 §5) behind one small interface — the trust
// of a zone's keys from the closest trust anchor down, and what authenticates a zone cut (its
// anchor, its parent's DS, or a proof that there is none) — with the key cache, and nothing from
// iteration but a fetch of the DNSKEY or DS RRset it needs.

import DNSCache
import DNSSEC
import DNSWire

/// What a DNSKEY or DS fetch for validation gave (``ValidationFetching/fetchForValidation(_:site:state:)``).
enum ValidationFetch {
    /// The sub-resolution ran; its result, whatever it is.
    case resolved(Resolution)
    /// The sub-resolution was not started (a dependency cycle, too deep): the data is bogus for this reason.
    case refused(ValidationReason)
}

/// What the chain of trust needs from iteration: a DNSKEY or DS RRset resolved as a nested
/// sub-resolution that shares the client query's budgets and refuses a dependency cycle.
protocol ValidationFetching {
    /// Resolves `question` for validation; the failure names `site` and why it was refused.
    func fetchForValidation(
        _ question: Question, site: String, state: inout ResolutionState
    ) async -> ValidationFetch
}

/// The chain of trust (RFC 4035 §5): what the judges of answers, denials and referrals ask —
/// ``zoneTrust(_:state:)``, ``delegationSigner(for:state:)`` and ``underNegativeAnchor(_:)`` — and
/// nothing else. Its dependencies are explicit: the engine's settings, clock and caches (keys, DS
/// results, zone cuts) and a fetcher for the RRsets it lacks. Every result it computes is cached
/// (key cache, DS and no-DS entries) and kept in the query's ``ResolutionState/trust``.
struct ChainOfTrust<Fetcher: ValidationFetching> {
    /// The engine: validation settings, clock, caches, decoded keys.
    let engine: IterativeResolver
    /// Resolves the DNSKEY and DS RRsets the chain lacks.
    let fetcher: Fetcher

    /// The validation settings in force.
    var validation: ValidationSettings { engine.configuration.validation }

    /// The wall clock as the cache counts it.
    var now: CacheTime { CacheTime(seconds: engine.clock.wallSeconds) }

    /// Whether a negative trust anchor covers `name` now (RFC 7646 §2: data at or below it is
    /// treated as insecure).
    func underNegativeAnchor(_ name: DomainName) -> Bool {
        validation.anchors.negativeAnchor(covering: name, now: engine.clock.wallSeconds) != nil
    }

    // MARK: - Trust of a zone

    /// The trust of `zone`'s keys (RFC 4035 §5): insecure without an anchor at or above it or under
    /// an NTA; otherwise its DNSKEY RRset, fetched from the zone's servers and authenticated by the
    /// parent's DS (or the anchor) — from the key cache when known.
    ///
    /// The DNSKEY fetch is an ordinary sub-resolution sharing the query's budgets; its answer is
    /// judged like any other (``judgeRRset(_:delegation:state:)`` authenticates a DNSKEY RRset at its
    /// own apex from the DS chain), so a server serving stripped or stale keys is passed over for
    /// the zone's other servers (RFC 4035 §5.5).
    func zoneTrust(_ zone: DomainName, state: inout ResolutionState) async -> ZoneTrust {
        if underNegativeAnchor(zone) { return .insecure(nil) }
        guard validation.anchors.closestAnchor(for: zone) != nil else { return .insecure(nil) }
        if let known = state.trust[zone] { return known }
        if let cached = engine.cache.lookupKeys(zone: zone, now: now) {
            let trust = trust(fromCached: cached, zone: zone, validation: validation)
            state.trust[zone] = trust
            return trust
        }
        // What vouches for the keys first: an insecure or bogus cut needs no DNSKEY query at all
        // (RFC 4035 §5.2), nor does a DS RRset of only unsupported algorithms or digests.
        switch await delegationSigner(for: zone, state: &state) {
        case .insecure(let reason):
            state.trust[zone] = .insecure(reason)
            return .insecure(reason)
        case .bogus(let reason):
            state.trust[zone] = .bogus(reason)
            return .bogus(reason)
        case .secure(let anchor):
            if let reason = unusableAnchorReason(anchor) {
                state.trust[zone] = .insecure(reason)
                return .insecure(reason)
            }
        }
        let resolution: Resolution
        switch await fetcher.fetchForValidation(Question(name: zone, type: .dnskey), site: "RKCY", state: &state) {
        case .resolved(let fetched): resolution = fetched
        case .refused(let reason): return .bogus(reason)
        }
        let trust: ZoneTrust
        if let cached = engine.cache.lookupKeys(zone: zone, now: now) {
            trust = self.trust(fromCached: cached, zone: zone, validation: validation)
        } else if let rrset = resolution.answer.first(where: { $0.type == .dnskey && $0.name == zone }),
            resolution.status == .secure
        {
            trust = .secure(engine.zoneKeySet(rrset, validation: validation))
        } else {
            trust = Self.keyFailure(resolution, zone: zone)
            if case .bogus(let reason) = trust {
                engine.cache.insertKeys(
                    RRSet(name: zone, type: .dnskey, ttl: engine.cache.configuration.bogusTTL, rdatas: []),
                    status: .bogus, reason: reason, now: now)
            }
        }
        state.trust[zone] = trust
        return trust
    }

    /// The trust a key-cache entry gives.
    func trust(fromCached cached: CachedRRset, zone: DomainName, validation: ValidationSettings) -> ZoneTrust {
        switch cached.status {
        case .secure:
            return .secure(engine.zoneKeySet(cached.rrset, validation: validation))
        case .insecure, .unchecked:
            return .insecure(cached.reason)
        case .bogus, .indeterminate:
            return .bogus(
                cached.reason
                    ?? ValidationReason(bogus: .dnskeyMissing, site: "RKBC", "the keys of \(zone) were found bogus"))
        }
    }

    /// Why a DNSKEY fetch gave no usable keys (EDE 9 unless the failure said better).
    static func keyFailure(_ resolution: Resolution, zone: DomainName) -> ZoneTrust {
        if resolution.status == .insecure { return .insecure(resolution.securityReason) }
        if let reason = resolution.securityReason, resolution.status == .bogus { return .bogus(reason) }
        if resolution.rcode == .servFail {
            return .bogus(
                ValidationReason(
                    bogus: .dnskeyMissing, site: "RKNF",
                    "could not fetch the DNSKEY RRset of \(zone): " + (resolution.cause ?? "SERVFAIL")))
        }
        return .bogus(
            ValidationReason(
                bogus: .dnskeyMissing, site: "RKNO",
                "\(zone) is signed below a secure parent but has no DNSKEY RRset (\(resolution.rcode))"))
    }

    // MARK: - DS of a zone cut

    /// What authenticates `zone`'s DNSKEY RRset (RFC 4035 §5.2): its trust anchor, or the DS RRset
    /// its parent serves, validated with the parent's keys; insecure when the parent is insecure or
    /// proves that no DS exists (an unsigned delegation, RFC 4035 §5.2; Opt-Out, RFC 5155 §8.9).
    ///
    /// DS results come from the key cache when a referral already brought and judged them
    /// (``judgeReferral(_:child:delegation:state:)``); otherwise the DS is asked for explicitly at the
    /// parent side (RFC 4035 §3.1.4.1, ``startingPoint(for:state:)``).
    func delegationSigner(for zone: DomainName, state: inout ResolutionState) async -> ValidationOutcome<TrustAnchor> {
        if underNegativeAnchor(zone) { return .insecure(nil) }
        guard let anchor = validation.anchors.closestAnchor(for: zone) else { return .insecure(nil) }
        if anchor.owner == zone { return .secure(anchor) }
        if let cached = engine.cache.lookupDelegationSigner(zone: zone, now: now) {
            return Self.signer(fromCached: cached, zone: zone)
        }
        // A zone below an insecure cut is insecure (RFC 4035 §4.3, §5.2): no DS query needed.
        if let parent = closestCachedCut(above: zone, within: anchor.owner) {
            switch await zoneTrust(parent, state: &state) {
            case .insecure(let reason): return .insecure(reason)
            case .bogus(let reason): return .bogus(reason)
            case .secure: break
            }
        }
        let resolution: Resolution
        switch await fetcher.fetchForValidation(Question(name: zone, type: .ds), site: "RDCY", state: &state) {
        case .resolved(let fetched): resolution = fetched
        case .refused(let reason): return .bogus(reason)
        }
        if let cached = engine.cache.lookupDelegationSigner(zone: zone, now: now) {
            return Self.signer(fromCached: cached, zone: zone)
        }
        if let ds = resolution.answer.first(where: { $0.type == .ds && $0.name == zone }) {
            switch resolution.status {
            case .secure: return .secure(TrustAnchor(owner: zone, ds: Self.dsRecords(ds)))
            case .bogus:
                return .bogus(
                    resolution.securityReason
                        ?? ValidationReason(bogus: .dnssecBogus, site: "RDSB", "the DS RRset of \(zone) is bogus"))
            default: return .insecure(resolution.securityReason)
            }
        }
        return await provenUnsigned(zone, resolution: resolution, state: &state)
    }

    /// The verdict on a DS question answered with no DS: the delegation must be proven unsigned —
    /// an NSEC or NSEC3 at the cut with NS and without DS (RFC 4035 §5.2, RFC 6840 §4.4), or an
    /// Opt-Out span (RFC 5155 §8.9, insecure). A mere NODATA is not enough: a name that is no
    /// delegation has no DS either, and accepting that would let a forger claim any signer name
    /// below a secure zone is an unsigned zone. The result is cached (key cache, no-DS entry).
    func provenUnsigned(
        _ zone: DomainName, resolution: Resolution, state: inout ResolutionState
    ) async -> ValidationOutcome<TrustAnchor> {
        let outcome: ValidationOutcome<TrustAnchor>
        let notFetched = {
            ValidationReason(
                bogus: .dnskeyMissing, site: "RDSF",
                "could not get the DS RRset of \(zone): " + (resolution.cause ?? "\(resolution.rcode)"))
        }
        switch resolution.status {
        case .unchecked where resolution.failure != nil:
            // The DS could not be had at all (unreachable parent, timeout): nothing proves the cut
            // unsigned, so it is bogus (RFC 4035 §5.2), as a DNSKEY that cannot be fetched is
            // (RKNF); calling it insecure would let whoever blocks DS queries switch validation off.
            outcome = .bogus(notFetched())
        case .insecure, .unchecked:
            outcome = .insecure(resolution.securityReason)
        case .bogus, .indeterminate:
            outcome = .bogus(resolution.securityReason ?? notFetched())
        case .secure:
            let proofs = resolution.authority.filter { $0.type == .nsec || $0.type == .nsec3 }
            let signer = proofs.lazy.compactMap { $0.signatures.first?.signerName }.first ?? zone.parent ?? .root
            let proof: ValidationOutcome<DenialProof>
            if resolution.rcode == .nxDomain {
                proof = .bogus(
                    ValidationReason(
                        bogus: .dnssecBogus, site: "RDNX",
                        "\(zone) signs data but its parent \(signer) says it does not exist"
                    ))
            } else if proofs.contains(where: { $0.type == .nsec }) {
                proof = NSECDenial.proveInsecureDelegation(
                    name: zone, zone: signer, nsecs: proofs, limits: validation.limits)
            } else {
                proof = NSEC3Denial.proveInsecureDelegation(
                    name: zone, zone: signer, nsec3s: proofs, limits: validation.limits, budget: &state.budget)
            }
            switch proof {
            case .secure: outcome = .insecure(nil)
            case .insecure(let reason): outcome = .insecure(reason)
            case .bogus(let reason): outcome = .bogus(reason)
            }
        }
        let ttl = resolution.authority.map(\.ttl).min() ?? engine.cache.configuration.bogusTTL
        engine.cache.insertNoDelegationSigner(
            zone: zone, proofs: resolution.authority.filter { $0.type == .nsec || $0.type == .nsec3 }, ttl: ttl,
            status: outcome.status, reason: outcome.reason, now: now)
        return outcome
    }

    /// Why no DS or key of `anchor` can authenticate anything here, when none can: every one uses
    /// an unsupported algorithm (EDE 1) or digest type (EDE 2), which makes the zone insecure, not
    /// bogus (RFC 4035 §5.2, RFC 6840 §5.2); nil when one is usable.
    func unusableAnchorReason(_ anchor: TrustAnchor) -> ValidationReason? {
        let support = validation.support
        let usableDS = anchor.ds.contains { support.supports($0.algorithm) && support.supports($0.digestType) }
        let usableKey = anchor.dnskeys.contains { support.supports($0.algorithm) }
        guard !usableDS && !usableKey, !(anchor.ds.isEmpty && anchor.dnskeys.isEmpty) else { return nil }
        let algorithm =
            anchor.ds.contains { !support.supports($0.algorithm) }
            || anchor.dnskeys.contains { !support.supports($0.algorithm) }
        return ValidationReason(
            insecure: algorithm ? .unsupportedDNSKEYAlgorithm : .unsupportedDSDigestType, site: "RUNS",
            "every DS or anchor for \(anchor.owner) uses an unsupported "
                + (algorithm ? "algorithm" : "digest type") + ": "
                + anchor.ds.map { "\($0.keyTag)/\($0.algorithm)/\($0.digestType)" }.joined(separator: ", "))
    }

    /// The verdict a cached DS result gives.
    static func signer(fromCached cached: CachedDelegationSigner, zone: DomainName) -> ValidationOutcome<TrustAnchor> {
        if let ds = cached.ds, cached.status == .secure {
            return .secure(TrustAnchor(owner: zone, ds: dsRecords(ds)))
        }
        switch cached.status {
        case .bogus, .indeterminate:
            return .bogus(
                cached.reason
                    ?? ValidationReason(bogus: .dnssecBogus, site: "RDBC", "the DS RRset of \(zone) was found bogus"))
        default:
            return .insecure(cached.reason)
        }
    }

    /// The DS records of an RRset.
    static func dsRecords(_ rrset: RRSet) -> [DS] {
        rrset.rdatas.compactMap { rdata -> DS? in
            if case .ds(let ds) = rdata { return ds }
            return nil
        }
    }

    /// The closest cached zone cut strictly above `zone` and at or below `anchor`; `anchor` itself
    /// when none is cached in between. Walks at most the name's labels.
    func closestCachedCut(above zone: DomainName, within anchor: DomainName) -> DomainName? {
        guard let parent = zone.parent, parent.isSubdomain(of: anchor) else { return nil }
        if let cut = engine.cache.closestZoneCut(for: parent, now: now), cut.rrset.name.isSubdomain(of: anchor) {
            return cut.rrset.name
        }
        return anchor
    }
}

extension Lookup: ValidationFetching {
    /// The chain of trust, fetching through this lookup.
    var chainOfTrust: ChainOfTrust<Lookup> { ChainOfTrust(engine: engine, fetcher: self) }
}
