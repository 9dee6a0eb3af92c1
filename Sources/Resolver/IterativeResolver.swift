// Primary responsibilities: answer a question by walking the delegation tree from the closest
// known zone cut (RFC 1034 §5.3.3), with the cache consulted first and filled as we go, identical
// questions in flight joined, and every step bounded by ResolutionLimits.

import DNSCache
import DNSCrypto
import DNSSEC
import DNSWire
import Synchronization

/// The iterative resolution engine.
///
/// It never opens a socket and never reads a clock of its own: queries go through the injected
/// ``UpstreamTransport`` and time comes from the injected ``ResolverClock``, so a whole resolution,
/// timeouts included, runs in a test against a scripted network (architecture §4).
package final class IterativeResolver: Sendable {
    /// The settings.
    package let configuration: ResolverConfiguration
    /// Where queries go.
    let transport: any UpstreamTransport
    /// Where time comes from.
    let clock: any ResolverClock
    /// The shared cache.
    package let cache: ResolverCache
    /// What is known about upstream servers: RTT, EDNS, lameness (shared across resolutions).
    package let infrastructure: InfrastructureCache
    /// Decoded keys of validated DNSKEY RRsets by zone: decoding a public key (an EVP_PKEY, for
    /// ECDSA a point check) costs as much as a verification, and every answer from a zone needs
    /// its keys. Checked against the cached RRset's records, so a new key set is decoded afresh.
    private let parsedKeys = Mutex<[DomainName: (rdatas: [RData], keys: ZoneKeySet)]>([:])
    /// Most zones whose decoded keys are kept; past it the table starts over (the key cache
    /// itself keeps the RRsets, so nothing is lost but decoding work).
    static let maxParsedKeySets = 4096
    /// Resolutions in flight, so that identical questions wait for one another.
    private let inFlight = Mutex<InFlightTable>(InFlightTable())
    /// The client secret of our DNS cookies (RFC 9018 §3), random per process unless injected.
    let clientCookieSecret: SipHashKey

    /// Creates an engine.
    /// - Parameter clientCookieSecret: the secret client cookies are derived from; random by default.
    package init(
        configuration: ResolverConfiguration, transport: any UpstreamTransport, clock: any ResolverClock,
        cache: ResolverCache, infrastructure: InfrastructureCache, clientCookieSecret: SipHashKey = .random()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.cache = cache
        self.infrastructure = infrastructure
        self.clientCookieSecret = clientCookieSecret
    }

    /// The identity of an in-flight resolution: the question, case-folded.
    struct InFlightKey: Hashable, Sendable {
        /// The question.
        var question: Question
    }

    /// One resolution in flight: its task, when it started, and how many callers wait on it.
    struct InFlightEntry: Sendable {
        /// The resolution.
        var task: Task<Resolution, Never>
        /// Which entry this is, so a caller removes its own entry and never a newer one for the
        /// same question (after ``detachInFlight()``).
        var serial: UInt64
        /// ``ResolverClock/monotonicNow`` when it started.
        var started: Duration
        /// Callers waiting on it (0 for a prefetch).
        var waiting: Int
    }

    /// The in-flight resolutions by question, and the serial of the next.
    struct InFlightTable: Sendable {
        /// The resolutions.
        var entries: [InFlightKey: InFlightEntry] = [:]
        /// The next entry's serial.
        var nextSerial: UInt64 = 0

        /// Removes `key`'s entry if it is still the one numbered `serial`.
        mutating func remove(_ key: InFlightKey, serial: UInt64) {
            if entries[key]?.serial == serial { entries.removeValue(forKey: key) }
        }
    }

    /// What ``inFlightResolutions(limit:)`` reports of one resolution.
    package struct InFlightResolution: Hashable, Sendable {
        /// The question being resolved.
        package var question: Question
        /// How long it has been running.
        package var age: Duration
        /// Callers waiting on it (0 for a prefetch).
        package var waiting: Int
    }

    /// The resolutions in flight now, oldest first, at most `limit` of them, and how many there are
    /// in all (the table itself is bounded by the listeners' `server.max-pending` and prefetches).
    package func inFlightResolutions(limit: Int) -> (listed: [InFlightResolution], total: Int) {
        let now = clock.monotonicNow
        let entries = inFlight.withLock { table in
            table.entries.map { (question: $0.key.question, started: $0.value.started, waiting: $0.value.waiting) }
        }
        let listed = entries.sorted { $0.started < $1.started }.prefix(max(0, limit)).map {
            InFlightResolution(question: $0.question, age: now - $0.started, waiting: $0.waiting)
        }
        return (Array(listed), entries.count)
    }

    /// Stops joining new callers to the resolutions in flight (`mamorictl flush requests`): the
    /// table is emptied, so the next query for any of those questions starts a fresh resolution
    /// (under the engine and caches as they are now). The running ones are not cancelled: their
    /// callers still get their answers (or the client-wait SERVFAIL, EDE 22), and what they learn
    /// is cached under the usual rules.
    /// - Returns: how many resolutions were detached.
    @discardableResult
    package func detachInFlight() -> Int {
        inFlight.withLock { table in
            defer { table.entries.removeAll() }
            return table.entries.count
        }
    }

    /// Resolves `question`, joining an identical resolution already in flight.
    ///
    /// - Parameters:
    ///   - checkingDisabled: the client's CD bit. Validation runs either way (its verdicts are
    ///     cached for everyone); with CD=1 bogus data is returned instead of SERVFAIL, without AD
    ///     (RFC 4035 §3.2.2). Joined resolutions share the work and each caller gets its own view.
    ///   - miss: what ``lookUp(_:checkingDisabled:)`` just found when it could not answer (the
    ///     listeners' fast path): the cache is not asked the same thing again, so a miss is looked
    ///     up once. Nil: the cache is asked first.
    package func resolve(
        _ question: Question, checkingDisabled: Bool = false, after miss: CacheMiss? = nil
    ) async -> Resolution {
        if miss == nil, let cached = answerFromCache(question, checkingDisabled: checkingDisabled) {
            return cached
        }
        let key = InFlightKey(question: question)
        let started = clock.monotonicNow
        let (task, serial, isNew) = inFlight.withLock { table -> (Task<Resolution, Never>, UInt64, Bool) in
            if let running = table.entries[key] {
                table.entries[key]?.waiting += 1
                return (running.task, running.serial, false)
            }
            let task = Task { await self.resolveUncached(question, nothingCached: miss?.nothingCached == true) }
            table.nextSerial += 1
            table.entries[key] = InFlightEntry(task: task, serial: table.nextSerial, started: started, waiting: 1)
            return (task, table.nextSerial, true)
        }
        let result = await task.value
        inFlight.withLock { table in
            if isNew {
                table.remove(key, serial: serial)
            } else if table.entries[key]?.serial == serial {
                table.entries[key]?.waiting -= 1
            }
        }
        if result.rcode == .servFail, result.status != .bogus,
            let stale = staleAnswer(question, checkingDisabled: checkingDisabled)
        {
            return stale
        }
        return applyingKeySentinel(
            result.presented(checkingDisabled: checkingDisabled), to: question, checkingDisabled: checkingDisabled)
    }

    /// The answer for a client that has waited `waited` without one while resolution goes on:
    /// stale data when serve-stale allows it (RFC 8767 §4, the client response timer), else
    /// SERVFAIL with EDE 22 saying the resolution is still running.
    package func answerAfterClientWait(
        _ question: Question, checkingDisabled: Bool, waited: Duration
    ) -> Resolution {
        if let stale = staleAnswer(question, checkingDisabled: checkingDisabled) { return stale }
        return .failure(
            ResolutionFailure(
                .noReachableAuthority, site: "WAIT",
                "no answer for \(question) within \(waited) (resolution.client-timeout); resolution goes on "
                    + "and its answer will be cached: ask again"))
    }

    /// The one place serve-stale is decided (RFC 8767): expired data within the cache's stale
    /// window, marked with EDE 3, when `cache.serve-stale` is on; nil otherwise. Asked only when
    /// resolution failed, a failure is remembered, or the client waited too long (§4, §5). It is
    /// an answer to the client, so the key sentinel's rule applies (``applyingKeySentinel(_:to:checkingDisabled:)``).
    func staleAnswer(_ question: Question, checkingDisabled: Bool) -> Resolution? {
        guard configuration.serveStale,
            case .answer(let stale) = cachedAnswer(question, checkingDisabled: checkingDisabled, allowStale: true)
        else { return nil }
        return applyingKeySentinel(stale, to: question, checkingDisabled: checkingDisabled)
    }

    /// Caches a resolution failure other than bogus data (those have their own entry, judged by the
    /// validator) for ``CacheConfiguration/failureTTL`` seconds, doubling while it keeps failing:
    /// RFC 9520 §3.2 requires it, so a flood of one failing question (a dead zone, a delegation loop
    /// such as TsuNAME's) starts one resolution per interval instead of one per query. The replays
    /// keep the failure's code and site tag, their text saying the failure is remembered.
    ///
    /// A failure decided without a single query on the wire (every server held down, the resolver
    /// at its own bound) is not remembered per question: the server-level memory that decided it
    /// answers the next query as cheaply, and one entry per random name of a water-torture flood
    /// would only push good data out of the cache.
    func rememberFailure(_ result: Resolution, of question: Question, askedUpstream: Bool) {
        guard result.rcode == .servFail, result.status != .bogus, !result.fromCache, askedUpstream,
            let failure = result.failure
        else {
            // Resolved (or judged bogus): a later failure of this question starts its back-off over.
            if result.rcode != .servFail { cache.clearFailure(question.name, question.type, question.rrClass) }
            return
        }
        cache.insertFailure(
            question.name, question.type, question.rrClass, failure: failure.remembered,
            now: CacheTime(seconds: clock.wallSeconds))
    }

    /// Refreshes `question` in the background unless it is already being resolved: a prefetch
    /// (``ResolverConfiguration/prefetch``). The resolution skips the cached answer it renews and
    /// shares the in-flight table, so a popular name causes one refresh, not one per client.
    func prefetch(_ question: Question) {
        let key = InFlightKey(question: question)
        let started = clock.monotonicNow
        inFlight.withLock { table in
            guard table.entries[key] == nil else { return }
            table.nextSerial += 1
            let serial = table.nextSerial
            let task = Task {
                let resolution = await resolveUncached(question, refreshing: true)
                inFlight.withLock { $0.remove(key, serial: serial) }
                return resolution
            }
            table.entries[key] = InFlightEntry(task: task, serial: serial, started: started, waiting: 0)
        }
    }

    /// Whether answers are validated (`dnssec.validation`).
    var validating: Bool { configuration.validation.enabled }

    /// Answers from the cache alone, following cached CNAMEs; nil when anything is missing.
    ///
    /// This is the daemon's fast path, called synchronously on a listener thread, and the whole
    /// answer for RD=0 queries: it sends nothing and never waits. A fresh bogus result answers
    /// SERVFAIL with the same EDE without validating again (RFC 4035 §4.5, RFC 9520 §3); with CD=1
    /// cached bogus data is served instead (RFC 4035 §3.2.2). While validating, answer-rank data
    /// nobody judged (`unchecked`) is not served: it would bypass the validator.
    ///
    /// - Parameter allowStale: use entries past their expiry but within the cache's stale window,
    ///   and say so with EDE 3 (Stale Answer, RFC 8767 §4, RFC 8914 §4.4); only when resolution has
    ///   failed or taken too long.
    package func answerFromCache(
        _ question: Question, checkingDisabled: Bool = false, allowStale: Bool = false
    ) -> Resolution? {
        guard
            case .answer(let resolution) = lookUp(question, checkingDisabled: checkingDisabled, allowStale: allowStale)
        else { return nil }
        return resolution
    }

    /// ``answerFromCache(_:checkingDisabled:allowStale:)``, saying on a miss what was found, for
    /// ``resolve(_:checkingDisabled:after:)``. Every answer passes the key sentinel's rule
    /// (``applyingKeySentinel(_:to:checkingDisabled:)``): a cached answer cannot bypass it.
    package func lookUp(_ question: Question, checkingDisabled: Bool = false, allowStale: Bool = false) -> CacheLookup {
        if !allowStale,
            let failure = cache.lookupFailure(
                question.name, question.type, question.rrClass, now: CacheTime(seconds: clock.wallSeconds))
        {
            // RFC 8767 §5: while a failure is remembered, stale data (when allowed) beats SERVFAIL.
            if let stale = staleAnswer(question, checkingDisabled: checkingDisabled) { return .answer(stale) }
            return .answer(.failure(failure, fromCache: true))
        }
        switch cachedAnswer(question, checkingDisabled: checkingDisabled, allowStale: allowStale) {
        case .answer(let answer):
            return .answer(applyingKeySentinel(answer, to: question, checkingDisabled: checkingDisabled))
        case .miss(let miss):
            return .miss(miss)
        }
    }

    /// ``answerFromCache(_:checkingDisabled:allowStale:)`` without remembered failures: the data,
    /// a bogus result or a negative answer the cache holds.
    private func cachedAnswer(_ question: Question, checkingDisabled: Bool, allowStale: Bool) -> CacheLookup {
        // Fresh data first: a stale walk marks everything it returns as stale.
        if allowStale,
            case .answer(let fresh) = cachedAnswer(question, checkingDisabled: checkingDisabled, allowStale: false)
        {
            return .answer(fresh)
        }
        let now = CacheTime(seconds: clock.wallSeconds)
        if validating && !checkingDisabled,
            let reason = cache.lookupBogus(question.name, question.type, question.rrClass, now: now)
        {
            return .answer(.bogus(reason, fromCache: true))
        }
        var chain: [RRSet] = []
        var proofs: [RRSet] = []
        var name = question.name
        var verdict = Verdict(validating ? .secure : .unchecked)
        for _ in 0...configuration.limits.maxCNAMEChain {
            let step = cachedStep(
                Question(name: name, type: question.type, rrClass: question.rrClass), now: now,
                allowBogus: checkingDisabled, allowStale: allowStale)
            switch step {
            case .none:
                return .miss(CacheMiss(nothingCached: chain.isEmpty))
            case .data(let rrsets, let stepProofs, let status, let reason):
                verdict.add(status, reason)
                return .answer(
                    Resolution(
                        rcode: .noError, answer: chain + rrsets, authority: Lookup.merging(proofs, stepProofs),
                        status: verdict.status, fromCache: true, securityReason: verdict.reason
                    ).presented(checkingDisabled: checkingDisabled).markedStale(allowStale))
            case .alias(let links, let target, let stepProofs, let status, let reason):
                chain += links
                proofs = Lookup.merging(proofs, stepProofs)
                verdict.add(status, reason)
                name = target
            case .negative(let negative):
                verdict.add(negative.status, negative.reason)
                return .answer(
                    Resolution(
                        rcode: negative.denial == .nxdomain ? .nxDomain : .noError, answer: chain,
                        authority: Lookup.merging(
                            proofs, (negative.soa.map { [$0] } ?? []) + negative.proofsWithRemainingTTL),
                        status: verdict.status, fromCache: true, securityReason: verdict.reason
                    ).presented(checkingDisabled: checkingDisabled).markedStale(allowStale))
            }
        }
        return .miss(CacheMiss(nothingCached: false))
    }

    /// What the cache says about one name and type.
    enum CachedStep {
        /// Nothing usable.
        case none
        /// The RRset itself (for QTYPE CNAME below a DNAME: the DNAME and the CNAME synthesised
        /// from it), with the proofs of a wildcard expansion and the verdict.
        case data([RRSet], proofs: [RRSet], SecurityStatus, ValidationReason?)
        /// A CNAME at the name, or a DNAME above it and the CNAME synthesised from it, leading to
        /// `target`, with the proofs of a wildcard expansion and the verdict.
        case alias([RRSet], target: DomainName, proofs: [RRSet], SecurityStatus, ValidationReason?)
        /// A cached denial, or one synthesised from cached NSEC/NSEC3 records (RFC 8198).
        case negative(CachedNegative)
    }

    /// Whether a cached entry of this status may answer: never bogus unless the client set CD,
    /// and, while validating, never data no validator judged.
    func servable(_ status: SecurityStatus, allowBogus: Bool) -> Bool {
        if status == .bogus { return allowBogus }
        return !(validating && status == .unchecked)
    }

    /// Looks one name and type up in the cache. Glue and referral data (below answer rank) never
    /// answer a client: RFC 2181 §5.4.1 says such data must not be returned as an answer.
    ///
    /// With ``ResolverConfiguration/prefetch``, a fresh hit in the last tenth of its TTL starts a
    /// background refresh (the client still gets the cached data at once). When nothing is cached
    /// for the name and no DNAME above it, cached NSEC/NSEC3 records may still deny it or answer it
    /// from a wildcard (``aggressiveStep(_:now:)``, RFC 8198), never with stale data.
    func cachedStep(
        _ question: Question, now: CacheTime, allowBogus: Bool = false, allowStale: Bool = false
    ) -> CachedStep {
        if let hit = cache.lookup(question.name, question.type, question.rrClass, now: now, allowStale: allowStale),
            hit.rank >= .answerNonAuthoritative, servable(hit.status, allowBogus: allowBogus)
        {
            if configuration.prefetch, !hit.isStale, UInt64(hit.rrset.ttl) * 10 <= UInt64(hit.originalTTL) {
                prefetch(question)
            }
            return .data([hit.rrset], proofs: hit.proofsWithRemainingTTL, hit.status, hit.reason)
        }
        if question.type != .cname,
            let hit = cache.lookup(question.name, .cname, question.rrClass, now: now, allowStale: allowStale),
            hit.rank >= .answerNonAuthoritative, servable(hit.status, allowBogus: allowBogus),
            case .cname(let cname)? = hit.rrset.rdatas.first
        {
            return .alias([hit.rrset], target: cname.target, proofs: hit.proofsWithRemainingTTL, hit.status, hit.reason)
        }
        if let negative = cache.lookupNegative(
            question.name, question.type, question.rrClass, now: now, allowStale: allowStale),
            servable(negative.status, allowBogus: allowBogus)
        {
            return .negative(negative)
        }
        let dname = synthesisedStep(question, now: now, allowBogus: allowBogus, allowStale: allowStale)
        if case .none = dname, !allowStale, let aggressive = aggressiveStep(question, now: now) { return aggressive }
        return dname
    }

    /// The step a cached DNAME above the name gives (RFC 6672 §3.2): the DNAME and the CNAME
    /// synthesised again from it, with the DNAME's verdict, since the DNAME's signature is what
    /// vouches for the CNAME (§5.3.1). The CNAME is never cached on its own
    /// (``Lookup/cacheAnswer(_:chain:delegation:judgement:)``), so it is always served with the
    /// DNAME and its RRSIGs (§3.1). For QTYPE CNAME the synthesised CNAME is the answer; for every
    /// other type its target is looked up next. DNAME queries are not rewritten, as on the wire
    /// (``AnswerChain``).
    func synthesisedStep(_ question: Question, now: CacheTime, allowBogus: Bool, allowStale: Bool) -> CachedStep {
        guard question.type != .dname, question.type != .any,
            let hit = cache.lookupDNAME(above: question.name, question.rrClass, now: now, allowStale: allowStale),
            hit.rank >= .answerNonAuthoritative, servable(hit.status, allowBogus: allowBogus),
            let cname = DNAMESubstitution.synthesisedCNAME(for: question.name, from: hit.rrset),
            case .cname(let link)? = cname.rdatas.first
        else { return .none }
        if question.type == .cname { return .data([hit.rrset, cname], proofs: [], hit.status, hit.reason) }
        return .alias([hit.rrset, cname], target: link.target, proofs: [], hit.status, hit.reason)
    }

    /// Resolves with the network, from a fresh budget; a bogus result is remembered for
    /// `bogus-ttl` so that repeats answer from the bogus cache (RFC 4035 §4.5), and a client's
    /// resolution failure for a while (``rememberFailure(_:of:askedUpstream:)``).
    ///
    /// - Parameters:
    ///   - refreshing: a prefetch: ask upstream even though the cache still holds the answer; its
    ///     failure is not remembered (the cached answer is still served).
    ///   - nothingCached: the caller just found nothing cached at the question's name
    ///     (``CacheMiss/nothingCached``): the first step does not ask the cache again.
    func resolveUncached(
        _ question: Question, refreshing: Bool = false, nothingCached: Bool = false
    ) async -> Resolution {
        var state = ResolutionState(started: clock.monotonicNow, validationLimits: configuration.validation.limits)
        if refreshing || nothingCached { state.skipCachedStep = question }
        let lookup = Lookup(engine: self)
        let resolution = await lookup.resolve(question, state: &state)
        if !refreshing { rememberFailure(resolution, of: question, askedUpstream: state.exchanges > 0) }
        if resolution.status == .bogus, let reason = resolution.securityReason {
            let annotated = reason.prefixed("\(question): ")
            cache.insertBogus(
                question.name, question.type, question.rrClass, reason: annotated,
                now: CacheTime(seconds: clock.wallSeconds))
            var result = resolution
            result.securityReason = annotated
            return result
        }
        return resolution
    }

    /// The decoded keys of a validated DNSKEY RRset, decoded once per zone and key set.
    func zoneKeySet(_ rrset: RRSet, validation: ValidationSettings) -> ZoneKeySet {
        if let hit = parsedKeys.withLock({ $0[rrset.name] }), hit.rdatas == rrset.rdatas { return hit.keys }
        let keys = ZoneKeySet(dnskeyRRSet: rrset, support: validation.support, limits: validation.limits)
        parsedKeys.withLock { table in
            if table.count >= Self.maxParsedKeySets { table.removeAll(keepingCapacity: true) }
            table[rrset.name] = (rrset.rdatas, keys)
        }
        return keys
    }
}

/// What the cache alone gives for a question (``IterativeResolver/lookUp(_:checkingDisabled:allowStale:)``).
package enum CacheLookup: Sendable {
    /// A whole answer: data, a negative answer, a bogus verdict or a remembered failure.
    case answer(Resolution)
    /// Not enough to answer; what was found, for ``IterativeResolver/resolve(_:checkingDisabled:after:)``.
    case miss(CacheMiss)
}

/// What a cache lookup that could not answer found, so the resolution that follows does not ask
/// the cache the same thing again.
package struct CacheMiss: Sendable, Hashable {
    /// Nothing usable is cached at the question's own name and type — no data, no alias, no
    /// negative answer — so the resolution's first step goes straight to the network. False when
    /// a cached alias chain leads to a name that is missing: the resolution follows it from the cache.
    package var nothingCached: Bool
    /// A local answer (MamoriService's stages) whose last CNAME leaves the local data: what is
    /// missing is its target's answer, which the slow path resolves and puts after the chain, so
    /// the stages are not asked twice.
    package var localChain: Resolution?

    /// Creates a miss.
    package init(nothingCached: Bool, localChain: Resolution? = nil) {
        self.nothingCached = nothingCached
        self.localChain = localChain
    }
}
