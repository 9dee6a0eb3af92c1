// Primary responsibilities: the steps of one resolution — follow CNAMEs, find the zone cut to
// start from (forward zone, cache, or primed root), iterate through referrals with QNAME
// minimisation, handle every answer kind, and cache what the scrubber kept.

import DNSCache
import DNSSEC
import DNSWire

/// One resolution's procedure over the engine's shared parts; all mutable state is the
/// ``ResolutionState`` passed in, so nested sub-resolutions share one budget.
struct Lookup {
    /// The engine: configuration, transport, clock, cache.
    let engine: IterativeResolver

    /// The limits in force.
    var limits: ResolutionLimits { engine.configuration.limits }

    /// The wall clock as the cache counts it.
    var now: CacheTime { CacheTime(seconds: engine.clock.wallSeconds) }

    // MARK: - Whole questions

    /// Resolves `question`, following CNAME and DNAME links across zones (at most
    /// ``ResolutionLimits/maxCNAMEChain``, RFC 1034 §3.6.2).
    func resolve(_ question: Question, state: inout ResolutionState) async -> Resolution {
        var links: [RRSet] = []
        // The wildcard proofs of every step, for the authority section (RFC 4035 §3.1.3.3).
        var proofs: [RRSet] = []
        var name = question.name
        var seen: Set<DomainName> = [name]
        // RFC 4035 §4.3: the answer is as secure as its weakest link, so a chain may go secure →
        // insecure → secure and the client still gets no AD.
        var verdict = Verdict(validating ? .secure : .unchecked)
        state.active.insert(question)
        defer { state.active.remove(question) }
        while links.count <= limits.maxCNAMEChain {
            let step = await resolveName(
                Question(name: name, type: question.type, rrClass: question.rrClass), state: &state)
            switch step {
            case .data(let rrsets, let stepProofs, let stepVerdict):
                verdict.add(stepVerdict)
                return Resolution(
                    rcode: .noError, answer: links + rrsets, authority: Self.merging(proofs, stepProofs),
                    status: verdict.status, securityReason: verdict.reason)
            case .alias(let chain, let target, let stepProofs, let stepVerdict):
                links += chain
                proofs = Self.merging(proofs, stepProofs)
                verdict.add(stepVerdict)
                if verdict.status == .bogus {
                    // Following a bogus alias cannot make the answer usable without CD; with CD the
                    // client gets the links up to the bogus one.
                    return Resolution(
                        rcode: .noError, answer: links, authority: proofs, status: .bogus,
                        securityReason: verdict.reason)
                }
                guard seen.insert(target).inserted else {
                    return .failure(
                        ResolutionFailure(.other, site: "CLOP", "CNAME loop at \(target) while resolving \(question)"))
                }
                name = target
            case .negative(let rcode, let chain, let authority, let stepVerdict):
                verdict.add(stepVerdict)
                return Resolution(
                    rcode: rcode, answer: links + chain, authority: Self.merging(proofs, authority),
                    status: verdict.status, securityReason: verdict.reason)
            case .failure(let error):
                return .failure(error)
            case .bogus(let reason):
                return .bogus(reason)
            }
        }
        return .failure(
            ResolutionFailure(
                .other, site: "CLEN", "CNAME chain longer than \(limits.maxCNAMEChain) while resolving \(question)"))
    }

    /// `earlier` and then the RRsets of `later` not already in it: two expansions of one chain may
    /// be proven by the same NSEC or NSEC3, which the authority section holds once (RFC 2181 §5).
    static func merging(_ earlier: [RRSet], _ later: [RRSet]) -> [RRSet] {
        guard !earlier.isEmpty else { return later }
        var result = earlier
        for rrset in later where !result.contains(where: { $0.key == rrset.key }) { result.append(rrset) }
        return result
    }

    /// Resolves one name without following aliases that leave the zone answering it.
    func resolveName(_ question: Question, state: inout ResolutionState) async -> StepOutcome {
        let skip = state.skipCachedStep == question
        if skip { state.skipCachedStep = nil }
        switch skip ? .none : engine.cachedStep(question, now: now) {
        case .data(let rrsets, let proofs, let status, let reason):
            return .data(rrsets, proofs: proofs, Verdict(status, reason))
        case .alias(let rrsets, let target, let proofs, let status, let reason):
            return .alias(rrsets, target: target, proofs: proofs, Verdict(status, reason))
        case .negative(let negative):
            return .negative(
                rcode: negative.denial == .nxdomain ? .nxDomain : .noError, links: [],
                authority: (negative.soa.map { [$0] } ?? []) + negative.proofsWithRemainingTTL,
                Verdict(negative.status, negative.reason))
        case .none:
            break
        }
        let start = await startingPoint(for: question, state: &state)
        return await iterate(question, from: start, state: &state)
    }

    // MARK: - Where to start

    /// The delegation point to start from (RFC 1034 §5.3.3 step 2): a configured forward zone, the
    /// closest cached zone cut, or the root — primed first when its NS set is not cached
    /// (RFC 8109 §3). A DS query starts at the parent of its owner, where DS lives (RFC 4035 §3.1.4.1).
    ///
    /// Priming happens once per root NS TTL (RFC 8109 §3, §4.1): while the primed NS set is cached
    /// the root is not primed again, even when none of its names has an address the cache or the
    /// hints know (a priming reply without glue for names the hints do not list); the hints'
    /// servers are asked then. It used to prime again for every client query in that case.
    ///
    /// A configured stub zone deeper than any forward zone holding the name is the root of the
    /// search instead: a cached cut strictly below it (a referral its servers gave) is used, and
    /// otherwise its configured servers; nothing above it is asked, so its names never reach the
    /// root. A DS question for its apex goes to the parent, where DS lives, as for any zone.
    func startingPoint(for question: Question, state: inout ResolutionState) async -> DelegationPoint {
        let configuration = engine.configuration
        let searchFrom = question.type == .ds ? (question.name.parent ?? .root) : question.name
        let forward = configuration.forwardZone(for: question.name)
        if let stub = configuration.stubZone(for: searchFrom),
            forward.map({ stub.zone.isStrictSubdomain(of: $0.zone) }) ?? true
        {
            if let cut = usableCut(closestTo: searchFrom), cut.zone.isStrictSubdomain(of: stub.zone) { return cut }
            return .configured(stub.zone, servers: stub.servers, source: .stub)
        }
        if let forward {
            var point = DelegationPoint.configured(forward.zone, servers: forward.servers, source: .forward)
            point.overTLS = forward.tls != nil
            return point
        }
        if let cut = usableCut(closestTo: searchFrom) { return cut }
        let hints = engine.configuration.rootHints.delegationPoint
        if engine.cache.lookup(.root, .ns, now: now) != nil { return hints }
        let priming = Question(name: .root, type: .ns)
        if !state.active.contains(priming) {
            state.active.insert(priming)
            _ = await iterate(priming, from: hints, state: &state)
            state.active.remove(priming)
            if let cut = usableCut(closestTo: searchFrom) { return cut }
        }
        return hints
    }

    /// The closest cached zone cut at or above `name` that can be asked: one with a usable
    /// address, or with a name server outside its zone whose address can be looked up.
    ///
    /// Glue usually expires long before the NS set it came with (a TLD gives NS two days and may
    /// give glue less; the glue is the parent's data, RFC 1034 §4.2.1). A cut left with only
    /// in-zone names and no address cannot be reached from itself, and using it made every
    /// query under the zone fail with EDE 22 until the NS set expired (cache_glue_expiry.rpl).
    /// Such a cut is skipped: the walk continues at its parent, which refers again with fresh
    /// glue. The root's cut takes the hints' addresses for names without a cached one
    /// (``delegationPoint(closestTo:)``), so it stays usable until its NS set expires (RFC 8109 §3).
    /// The walk is bounded by the name's labels (at most 127, RFC 1035 §3.1).
    func usableCut(closestTo name: DomainName) -> DelegationPoint? {
        var name = name
        while let cut = delegationPoint(closestTo: name) {
            if cut.allAddresses.contains(where: { usable($0) })
                || cut.nameServers.contains(where: { !$0.isSubdomain(of: cut.zone) })
            {
                return cut
            }
            guard let parent = cut.zone.parent else { return nil }
            name = parent
        }
        return nil
    }

    /// The closest cached zone cut at or above `name`, with every cached address of its servers.
    ///
    /// At the root, a name server without a cached address gets the hints' addresses for that name:
    /// a priming reply may leave out the glue (RFC 8109 §4.2 says the addresses SHOULD be there, not
    /// that they will be), and the root's NS names all lie below the root, so they could not be
    /// looked up from the root without the root (RFC 8109 §3: the hints are the fallback).
    func delegationPoint(closestTo name: DomainName) -> DelegationPoint? {
        let now = self.now
        guard let cut = engine.cache.closestZoneCut(for: name, now: now) else { return nil }
        let hints = cut.rrset.name.isRoot ? engine.configuration.rootHints.addresses : [:]
        var hosts: [DomainName] = []
        var addresses: [DomainName: [ServerAddress]] = [:]
        for rdata in cut.rrset.rdatas {
            guard case .ns(let ns) = rdata, !hosts.contains(ns.nameServer) else { continue }
            hosts.append(ns.nameServer)
            let cached = cachedAddresses(of: ns.nameServer)
            addresses[ns.nameServer] = cached.isEmpty ? hints[ns.nameServer] ?? [] : cached
        }
        return DelegationPoint(
            zone: cut.rrset.name, nameServers: hosts, addresses: addresses, source: .delegation,
            expiry: now.seconds + Int64(cut.rrset.ttl))
    }

    /// Addresses of `host` in the cache, glue included, in the enabled families.
    func cachedAddresses(of host: DomainName) -> [ServerAddress] {
        var result: [ServerAddress] = []
        for type in addressTypes {
            guard let hit = engine.cache.lookup(host, type, now: now), hit.status != .bogus else { continue }
            result += Self.addresses(in: hit.rrset)
        }
        return result
    }

    /// The address types to look up for name servers: no AAAA when IPv6 is off, no A when IPv4 is
    /// off, so no query is sent for an address that could not be used.
    var addressTypes: [RRType] {
        (engine.configuration.useIPv4 ? [.a] : []) + (engine.configuration.useIPv6 ? [.aaaa] : [])
    }

    /// The parent side of `delegation`'s cut — the NS set and glue of the referral that led there
    /// (``ResolverCache/lookupDelegation(zone:rrClass:now:)``), with cached addresses for names
    /// without glue — when it names a server or an address `delegation` does not; nil otherwise.
    ///
    /// A cut taken from the cache after the child's own servers answered for it lists the child's
    /// NS set and addresses (RFC 2181 §5.4.1 ranks them above the referral's). When all of those
    /// fail, RFC 1034 §5.3.3 still asks for the rest of the server list: the parent's servers.
    /// RFC 2181 §5.4.1 ranks the data; it does not forbid asking a server the parent named.
    func parentSide(of delegation: DelegationPoint) -> DelegationPoint? {
        guard delegation.source == .delegation,
            let (ns, glue) = engine.cache.lookupDelegation(zone: delegation.zone, now: now)
        else { return nil }
        var hosts: [DomainName] = []
        var addresses: [DomainName: [ServerAddress]] = [:]
        for case .ns(let record) in ns.rdatas where !hosts.contains(record.nameServer) {
            let host = record.nameServer
            hosts.append(host)
            let given = glue.filter { $0.name == host && addressTypes.contains($0.type) }.flatMap(Self.addresses(in:))
            addresses[host] = given.isEmpty ? cachedAddresses(of: host) : given
        }
        let parent = DelegationPoint(
            zone: delegation.zone, nameServers: hosts, addresses: addresses, source: .delegation,
            expiry: now.seconds + Int64(ns.ttl))
        let known = Set(delegation.allAddresses)
        let new =
            !Set(hosts).isSubset(of: delegation.nameServers) || parent.allAddresses.contains { !known.contains($0) }
        return new ? parent : nil
    }

    /// The server addresses an A or AAAA RRset lists.
    static func addresses(in rrset: RRSet) -> [ServerAddress] {
        rrset.rdatas.compactMap { rdata -> ServerAddress? in
            switch rdata {
            case .a(let a): ServerAddress(host: IPAddress(a))
            case .aaaa(let aaaa): ServerAddress(host: IPAddress(aaaa))
            default: nil
            }
        }
    }

    // MARK: - Iteration

    /// Asks the servers of `start` and follows referrals down until the question is answered,
    /// denied or given up (RFC 1034 §5.3.3 step 3–4).
    func iterate(
        _ question: Question, from start: DelegationPoint, state: inout ResolutionState
    ) async
        -> StepOutcome
    {
        var zone = ZoneAttempt(delegation: start)
        var referrals = 0
        // The last answer that failed validation, kept while the zone's other servers are tried
        // (RFC 4035 §5.5: one server's stripped or stale signatures must not decide the answer).
        var rejected: JudgedAnswer? = nil
        var rejectedReferral: ValidationReason? = nil
        var minimisation = Minimisation(
            mode: start.isForward ? .off : engine.configuration.qnameMinimisation, question: question,
            zone: start.zone, limits: limits)
        while true {
            if engine.clock.monotonicNow - state.started > limits.resolutionTimeout {
                return .failure(
                    ResolutionFailure(
                        .noReachableAuthority, site: "ITMO",
                        "resolution of \(question) ran past \(limits.resolutionTimeout) at zone \(zone.delegation.zone)"
                    ))
            }
            let asked = minimisation.nextQuestion()
            guard let server = await selectServer(in: &zone, state: &state) else {
                if zone.fallBack(to: parentSide(of: zone.delegation)) { continue }
                if let rejected { return settle(rejected, delegation: zone.delegation) }
                if let rejectedReferral { return .bogus(rejectedReferral) }
                return .failure(zone.unreachable(question))
            }
            let exchange = await self.exchange(asked, with: server, delegation: zone.delegation, state: &state)
            let response: Message
            switch exchange {
            case .response(let message):
                response = message
            case .failed(let reason):
                zone.fail(server, reason)
                continue
            case .timedOut(let reason):
                zone.timeOut(server, reason)
                continue
            case .exhausted(let error):
                return .failure(error)
            }
            let forwarding = zone.delegation.isForward
            let chain = AnswerChain(
                following: asked.name, type: asked.type, in: response.answer,
                limit: limits.maxCNAMEChain)
            let clean = Scrubber.scrub(
                response, question: asked, zone: zone.delegation.zone, chain: chain, forwarding: forwarding)
            let kind: ResponseKind
            if forwarding, let cut = ResponseClassifier.referralFromForwarder(response) {
                kind = .lame("referral to \(cut) from a forwarder: it is not a recursive resolver")
            } else {
                kind = ResponseClassifier.classify(
                    clean, question: asked, zone: zone.delegation.zone, chain: chain, forwarding: forwarding,
                    sentAuthority: response.authority)
            }
            let minimised = asked != question
            switch kind {
            case .referral(let child):
                if question.type == .ds && child == question.name && !minimised {
                    // The server holding the parent side referred us to the child for its own DS:
                    // the parent is not serving DS there (RFC 4035 §3.1.4.1); nothing to cache.
                    return .negative(
                        rcode: .noError, links: [], authority: [],
                        await unprovenDelegationSigner(clean, child: child, delegation: zone.delegation, state: &state))
                }
                if let reason = await judgeReferral(clean, child: child, delegation: zone.delegation, state: &state) {
                    zone.fail(server, "bogus referral to \(child) from \(server): \(reason)")
                    rejectedReferral = reason
                    continue
                }
                referrals += 1
                guard referrals <= limits.maxReferrals else {
                    return .failure(
                        ResolutionFailure(
                            .other, site: "IREF",
                            "more than \(limits.maxReferrals) referrals while resolving \(question)"))
                }
                zone = ZoneAttempt(delegation: cacheReferral(clean, child: child))
                rejected = nil
                rejectedReferral = nil
                minimisation.descend(to: child)
            case .answer where minimised, .cname where minimised, .nodata where minimised:
                minimisation.revealMore()
            case .nxdomain where minimised && minimisation.mode == .relaxed:
                minimisation.giveUp()
            case .answer, .cname, .nxdomain, .nodata:
                let judgement = await judgeResponse(
                    clean, kind: kind, asked: asked, chain: chain, delegation: zone.delegation, server: server,
                    state: &state)
                let answer = JudgedAnswer(response: clean, kind: kind, asked: asked, chain: chain, judgement: judgement)
                if judgement.verdict.status == .bogus {
                    zone.fail(
                        server, "bogus answer from \(server): \(judgement.verdict.reason.map(\.description) ?? "")")
                    rejected = answer
                    continue
                }
                return settle(answer, delegation: zone.delegation)
            case .lame(let reason), .throwaway(let reason):
                if minimised && minimisation.mode == .relaxed {
                    // RFC 9156 §2.3: some servers mishandle empty non-terminals; ask for the full name.
                    minimisation.giveUp()
                    continue
                }
                if case .lame = kind { engine.recordLame(server, zone: zone.delegation.zone) }
                zone.fail(server, "\(reason) from \(server)")
            }
        }
    }

    /// The CNAME and DNAME RRsets of `chain` as they stand in `response`, synthesising a CNAME a
    /// DNAME implies when the server left it out (RFC 6672 §3.4).
    func chainRRsets(_ response: Message, chain: AnswerChain) -> [RRSet] {
        var result: [RRSet] = []
        for link in chain.links {
            if let dname = link.dname,
                let record = response.answer.first(where: { $0.type == .dname && $0.name == dname })
            {
                if !result.contains(record) { result.append(record) }
                if let cname = response.answer.first(where: { $0.type == .cname && $0.name == link.owner })
                    ?? DNAMESubstitution.synthesisedCNAME(for: link.owner, from: record)
                {
                    result.append(cname)
                }
            } else if let cname = response.answer.first(where: { $0.type == .cname && $0.name == link.owner }) {
                result.append(cname)
            }
        }
        return result
    }

    /// The SOA and NSEC/NSEC3 proofs of a negative response, as the client gets them.
    ///
    /// The SOA's TTL is lowered to min(SOA TTL, SOA MINIMUM), the negative TTL (RFC 2308 §3, §5),
    /// so the first answer says what the cached ones will count down from: it used to pass the
    /// SOA's own TTL (3600 s in cache_negative.rpl) while the denial was cached for 300 s.
    /// Unbound does the same when it parses an authority-section SOA.
    func negativeAuthority(_ response: Message) -> [RRSet] {
        response.authority.compactMap { rrset -> RRSet? in
            switch rrset.type {
            case .soa:
                guard case .soa(let soa)? = rrset.rdatas.first else { return rrset }
                var capped = rrset
                capped.ttl = min(rrset.ttl, soa.minimum)
                return capped
            case .nsec, .nsec3:
                return rrset
            default:
                return nil
            }
        }
    }
}
