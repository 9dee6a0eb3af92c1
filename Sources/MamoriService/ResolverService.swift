// Primary responsibilities: the resolver as the listeners see it — the one QueryHandler and
// Reloadable the daemon runs. It builds the engine from the configuration (EngineSettings), keeps
// the caches, the trust anchors and the transport for the life of the process, answers the fast
// path from the cache, resolves misses with a client-wait deadline, rebuilds the engine on reload,
// and saves what should outlive the process.

import DNSCache
import DNSSEC
import DNSWire
import Logging
import MamoriConfiguration
import MamoriSystem
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The resolution service: caches and transport that live as long as the process, and an engine
/// rebuilt on reload over them (peers.md §3: a reload keeps the cache).
package final class ResolverService: QueryHandler, Reloadable {
    /// The RRset, negative and key cache; kept across reloads.
    package let cache: ResolverCache
    /// What is known about upstream servers; kept across reloads.
    package let infrastructure: InfrastructureCache
    /// The wall clock verdicts and expiries are judged against.
    let clock: any ResolverClock
    /// Where upstream queries go.
    let transport: any UpstreamTransport
    /// The cache settings the caches were made with (a change needs a restart).
    let cacheSettings: CacheSection
    /// The cache dump, when `cache.persist` is on and this instance owns the state directory.
    let persistence: CachePersistence?
    /// The service's logger.
    let logger: Logger
    /// Whether this instance owns the state directory and may write the dump and RFC 5011 state.
    let persistent: Bool
    /// Where each judged answer is counted by security status (Docs/metrics.md), when metrics are on.
    let metrics: ServerMetrics?
    /// The engine in force with the stages around it (nil when none is installed: nothing to
    /// retain per query); a reload swaps in an engine built from the new configuration (sharing
    /// the caches), while resolutions already running finish on the old one.
    private let current: Mutex<(resolver: IterativeResolver, stages: QueryStages?)>
    /// ``answerGeneration``: advanced by ``answersChanged()``.
    private let generation = Atomic<UInt64>(0)
    /// The client-wait deadlines of queries in resolution: how long a client waits before it is
    /// answered (stale data or SERVFAIL, EDE 22; `resolution.client-timeout`). Stubs retry after
    /// about two seconds (architecture §5), so an answer after that helps nobody, and its waiting
    /// slot is freed. A reload that changes the wait installs new deadlines for new queries; those
    /// already set keep theirs.
    private let deadlines: Mutex<ClientDeadlines>
    /// The trust anchors and NTAs in force; kept across reloads unless the anchor settings change,
    /// so RFC 5011 state and NTAs added at run time survive a SIGHUP.
    let anchors: Mutex<TrustAnchorSet>
    /// What gave the cached verdicts and delegations their meaning, as of the last (re)load
    /// (``EngineSettings/judging``), for the reload's flush and the identity saved with the dump.
    let judgedUnder: Mutex<[String: String]>
    /// The RFC 5011 maintenance loop, when any anchor is managed.
    let maintenance: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// Where NTAs added at run time are kept across restarts; nil when this instance does not own
    /// the state directory.
    let negativeAnchorFile: NegativeAnchorStateFile?

    /// Builds the caches, the transport and the first engine, and loads the cache dump.
    /// - Parameters:
    ///   - configuration: the checked configuration.
    ///   - logger: where the service logs.
    ///   - metrics: where the socket transport counts and the caches report, when metrics are on.
    ///   - persistent: false when another instance holds the state directory: nothing is loaded
    ///     from the dump and nothing is written there.
    ///   - transport: the upstream network; by default sockets (``UpstreamSocketTransport``).
    ///   - clock: the clock; by default the system's.
    ///   - clientWait: how long a client waits for a resolution, instead of
    ///     `resolution.client-timeout` (for tests).
    ///   - upstreamTraffic: told of every upstream query and response by the socket transport (dnstap).
    /// - Throws: ``ServiceError`` when a root hints or trust-anchor file cannot be used.
    package init(
        configuration: Configuration, logger: Logger, metrics: ServerMetrics? = nil, persistent: Bool = true,
        transport: (any UpstreamTransport)? = nil, clock: any ResolverClock = SystemClock(),
        clientWait: Duration? = nil, upstreamTraffic: (any UpstreamTrafficObserver)? = nil
    ) throws {
        let anchorSet = try TrustAnchorSet(configuration, logger: logger, persistent: persistent)
        let negativeAnchorFile =
            persistent ? NegativeAnchorStateFile(directory: configuration.stateDirectory, logger: logger) : nil
        if let negativeAnchorFile {
            let restored = negativeAnchorFile.restore(
                fingerprint: NegativeAnchorStateFile.fingerprint(anchorSet.source), now: clock.wallSeconds)
            for anchor in restored { anchorSet.store.addNegativeAnchor(anchor) }
            if !restored.isEmpty {
                logger.info(
                    "run-time negative trust anchors restored",
                    metadata: ["names": "\(restored.map(\.name.description))"])
            }
        }
        let settings = try EngineSettings(configuration, anchors: anchorSet.store)
        let cache = ResolverCache(configuration: settings.cache)
        let infrastructure = InfrastructureCache()
        let transport =
            transport
            ?? UpstreamSocketTransport(
                observer: metrics, traffic: upstreamTraffic, maxOutstanding: settings.maxOutstandingQueries)
        (transport as? UpstreamSocketTransport)?.useTLSForwarders(settings.tlsForwarders)
        let persistence =
            configuration.cache.persist && persistent
            ? CachePersistence(directory: configuration.stateDirectory, logger: logger) : nil
        persistence?.load(
            into: cache, identity: CachePersistence.identity(settings.judging, anchors: anchorSet.store),
            now: CacheTime(seconds: clock.wallSeconds))
        self.cache = cache
        self.infrastructure = infrastructure
        self.clock = clock
        self.transport = transport
        self.cacheSettings = configuration.cache
        self.persistence = persistence
        self.logger = logger
        self.persistent = persistent
        self.negativeAnchorFile = negativeAnchorFile
        self.metrics = metrics
        self.deadlines = Mutex(ClientDeadlines(wait: clientWait ?? configuration.resolution.clientTimeout))
        self.anchors = Mutex(anchorSet)
        self.judgedUnder = Mutex(settings.judging)
        self.current = Mutex(
            (
                IterativeResolver(
                    configuration: settings.resolver, transport: transport, clock: clock, cache: cache,
                    infrastructure: infrastructure), nil
            ))
        startMaintenance()
        if let metrics { Self.addCollectors(to: metrics, cache: cache, clock: clock) }
        logger.info(
            "engine ready",
            metadata: [
                "root-hints": "\(settings.resolver.rootHints.nameServers.count) servers",
                "forward-zones": "\(configuration.resolution.forwardZones.count)",
                "cache-size": "\(configuration.cache.size)",
            ])
    }

    /// The engine currently in force.
    package var resolver: IterativeResolver { current.withLock { $0.resolver } }

    /// Installs `stages` in place of those in force, for the queries that start from now on.
    package func install(_ stages: QueryStages) {
        current.withLock { $0.stages = stages.isEmpty ? nil : stages }
        answersChanged()
    }

    /// Grows whenever answers may change for a reason other than time (``QueryHandler/answerGeneration``).
    package var answerGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// Says that answers may differ from now on, after the change is made (a query that reads the
    /// new generation must see the new state): the packet cache replays nothing made before.
    func answersChanged() {
        generation.add(1, ordering: .releasing)
    }

    /// Empties the RRset cache (`flush`, a wall-clock jump) and what was replayed from it.
    package func flushAll() {
        cache.flushAll()
        answersChanged()
    }

    /// The trust-anchor store in force.
    package var trustAnchors: TrustAnchorStore { anchors.withLock { $0.store } }

    /// Queries in resolution whose client is still waiting for the answer.
    package var waitingCount: Int { deadlines.withLock { $0 }.pendingCount }

    /// How long a client waits for a resolution now.
    package var clientWait: Duration { deadlines.withLock { $0.wait } }

    // MARK: - Queries

    /// Answers from the cache alone: no task, no wait. The query's CD bit decides whether cached
    /// bogus data may be served (RFC 4035 §3.2.2). A miss says what it found, for ``resolve(_:client:after:respond:)``.
    ///
    /// The stages come first: a local answer beats the cache, and every cached answer passes the
    /// answer policies (``QueryStages``).
    package func answerFromCache(_ query: Message, client: ClientAddress) -> CacheAnswer {
        guard let question = query.question else { return .miss(CacheMiss(nothingCached: true)) }
        let checkingDisabled = query.header.checkingDisabled
        let (resolver, stages) = current.withLock { $0 }
        func given(_ answer: Resolution) -> Message { Self.response(answer, to: query, metrics: metrics) }
        if let stages, let local = stages.localAnswer(question, client: client, checkingDisabled: checkingDisabled) {
            guard let target = Self.continuation(of: local, to: question) else { return .local(given(local)) }
            // A local CNAME out of the local data: its target from the stages or the cache, or
            // the slow path resolves it.
            if let found = stages.localAnswer(target, client: client, checkingDisabled: checkingDisabled) {
                return .local(given(Self.joined(local, found)))
            }
            guard case .answer(let found) = resolver.lookUp(target, checkingDisabled: checkingDisabled) else {
                return .miss(CacheMiss(nothingCached: true, localChain: local))
            }
            let reviewed = stages.reviewed(found, to: target, client: client)
            return .local(given(Self.joined(local, reviewed)))
        }
        switch resolver.lookUp(question, checkingDisabled: checkingDisabled) {
        case .answer(let resolution):
            guard let stages else { return .response(given(resolution)) }
            let answer = stages.reviewed(resolution, to: question, client: client)
            guard
                let (synthesis, source) = stages.synthesis(
                    for: answer, to: question, dnssecOK: query.edns?.dnssecOK ?? false,
                    checkingDisabled: checkingDisabled)
            else { return .response(given(answer)) }
            // The source's answer from the cache, or the slow path resolves both (the question's
            // own answer is cached, so it costs no upstream query there).
            guard case .answer(let found) = resolver.lookUp(source, checkingDisabled: checkingDisabled) else {
                return .miss(CacheMiss(nothingCached: false))
            }
            let made = synthesis.synthesise(
                answer, from: stages.reviewed(found, to: source, client: client), to: question)
            return .response(given(made))
        case .miss(let miss):
            return .miss(miss)
        }
    }

    /// `answer` after the stages: the answer policies, then a synthesis with its source question
    /// resolved (cache first) and reviewed by the same policies (``AnswerSynthesis``).
    private func finished(
        _ answer: Resolution, to query: Message, question: Question, client: ClientAddress, stages: QueryStages?,
        resolver: IterativeResolver
    ) async -> Resolution {
        guard let stages else { return answer }
        let reviewed = stages.reviewed(answer, to: question, client: client)
        let checkingDisabled = query.header.checkingDisabled
        guard
            let (synthesis, source) = stages.synthesis(
                for: reviewed, to: question, dnssecOK: query.edns?.dnssecOK ?? false,
                checkingDisabled: checkingDisabled)
        else { return reviewed }
        let found = await resolver.resolve(source, checkingDisabled: checkingDisabled)
        return synthesis.synthesise(reviewed, from: stages.reviewed(found, to: source, client: client), to: question)
    }

    /// Resolves a miss of ``answerFromCache(_:client:)`` in a task, without asking the cache the
    /// same thing again, and responds exactly once: with the resolution, or — when ``clientWait``
    /// passes first — with what ``IterativeResolver/answerAfterClientWait(_:checkingDisabled:waited:)``
    /// gives, while the resolution goes on and fills the cache.
    package func resolve(
        _ query: Message, client: ClientAddress, after miss: CacheMiss, respond: @escaping @Sendable (Message) -> Void
    ) {
        guard let question = query.question else { return respond(Message(rcode: .formErr)) }
        let (resolver, stages) = current.withLock { $0 }
        let metrics = self.metrics
        let once = Once { (answer: Resolution) in respond(Self.response(answer, to: query, metrics: metrics)) }
        let checkingDisabled = query.header.checkingDisabled
        // The miss of a local CNAME's target (``answerFromCache(_:client:)``): that target is
        // resolved, and the client gets the local chain before its answer.
        let local = miss.localChain
        let target = local.flatMap { Self.continuation(of: $0, to: question) }
        let asked = target ?? question
        let join: @Sendable (Resolution) -> Resolution = { found in
            let reviewed = stages?.reviewed(found, to: asked, client: client) ?? found
            guard let local, target != nil else { return reviewed }
            return Self.joined(local, reviewed)
        }
        let deadlines = self.deadlines.withLock { $0 }
        let clientWait = deadlines.wait
        let deadline = deadlines.schedule {
            // No synthesis here: it would wait for a resolution, and this answer exists because
            // the client cannot wait longer; the policies still judge it.
            let waited = resolver.answerAfterClientWait(asked, checkingDisabled: checkingDisabled, waited: clientWait)
            once.call(join(waited))
        }
        Task {
            if target != nil {
                let found = await resolver.resolve(asked, checkingDisabled: checkingDisabled)
                deadlines.cancel(deadline)
                once.call(join(found))
                return
            }
            let resolution = await resolver.resolve(question, checkingDisabled: checkingDisabled, after: miss)
            let answer = await self.finished(
                resolution, to: query, question: question, client: client, stages: stages, resolver: resolver)
            deadlines.cancel(deadline)
            once.call(answer)
        }
    }

    /// The client's response to `query` from `answer`, counted by its security status
    /// (Docs/metrics.md): every answer the service gives, from the cache or resolved, goes through here.
    static func response(_ answer: Resolution, to query: Message, metrics: ServerMetrics?) -> Message {
        metrics?.answered(answer)
        return ClientResponse.make(answer, for: query)
    }

    /// The question a local answer leaves open: the target of the CNAME its answer ends with, when
    /// that target's data is not in it (the chain left the local data, ``LocalZones/LocalZoneTable``).
    /// RFC 1034 §3.6.2, §5.3.3: the server looks the canonical name up for the client, as Unbound
    /// does for its local data; a stub that only reads the answer (glibc) needs it. Nil for a
    /// CNAME or ANY question, and for anything but NOERROR.
    static func continuation(of local: Resolution, to question: Question) -> Question? {
        guard local.rcode == .noError, question.type != .cname, question.type != .any,
            let last = local.answer.last, last.type == .cname, case .cname(let link) = last.rdatas.first
        else { return nil }
        return Question(name: link.target, type: question.type, rrClass: question.rrClass)
    }

    /// The local chain followed by `found`, the answer to its target: the target's RCODE (RFC 6604
    /// §2), sections and EDE after the chain's own (an RPZ rewrite's EDE 15 stays, naming the list);
    /// never AD, since the chain's local part is not validated (RFC 4035 §3.2.3). A failed target
    /// is the failure alone.
    static func joined(_ local: Resolution, _ found: Resolution) -> Resolution {
        guard found.rcode != .servFail else { return found }
        var answer = found
        answer.answer = local.answer + found.answer.filter { set in !local.answer.contains { $0.name == set.name } }
        answer.extendedErrors =
            local.extendedErrors + found.extendedErrors.filter { !local.extendedErrors.contains($0) }
        if answer.status == .secure { answer.status = .insecure }
        answer.securityReason = nil
        return answer
    }

    /// Calls a response function at most once, whoever comes first: the resolution or the
    /// client-wait deadline. The listeners rely on it (``QueryHandler`` says `respond` is called
    /// exactly once) and free the client's waiting slot in it.
    final class Once<Value: Sendable>: Sendable {
        /// The function, until called.
        private let function: Mutex<(@Sendable (Value) -> Void)?>

        /// Wraps `function`.
        init(_ function: @escaping @Sendable (Value) -> Void) { self.function = Mutex(function) }

        /// Calls the function if nobody has yet.
        func call(_ value: Value) {
            let taken = function.withLock { stored -> (@Sendable (Value) -> Void)? in
                defer { stored = nil }
                return stored
            }
            taken?(value)
        }
    }

    // MARK: - Reload

    /// Rebuilds the engine from the new configuration over the same caches, so nothing cached is
    /// lost (peers.md §3). Cache size and TTL clamps are fixed for the process's life: a change is
    /// logged and applies at the next restart.
    ///
    /// Everything that can fail (anchor files, root hints) is read before anything is changed, so
    /// a rejected reload leaves the running engine exactly as it was, NTAs included.
    package func reload(_ configuration: Configuration) throws {
        let old = anchors.withLock { $0 }
        let source = TrustAnchorSet.Source(configuration)
        let anchorsChanged = source != old.source
        var anchorSet =
            anchorsChanged
            ? try TrustAnchorSet(configuration, source: source, logger: logger, persistent: persistent) : old
        let settings = try EngineSettings(configuration, anchors: anchorSet.store)
        // Nothing below throws.
        if !anchorsChanged {
            // RFC 7646 §2: data judged under an NTA must not outlive it.
            for name in anchorSet.followConfiguredNegativeAnchors(configuration.negativeTrustAnchors) {
                let removed = cache.flushZone(name)
                logger.info("negative trust anchor removed", metadata: ["name": "\(name)", "flushed": "\(removed)"])
            }
        }
        anchors.withLock { $0 = anchorSet }
        let previous = judgedUnder.withLock { judged in
            defer { judged = settings.judging }
            return judged
        }
        let changed = settings.judging.keys.sorted().filter { settings.judging[$0] != previous[$0] }
        if !changed.isEmpty, !anchorsChanged {
            // Cached verdicts and delegations were made under other settings: none may be served.
            cache.flushAll()
            infrastructure.flushAll()
            logger.notice("cache flushed: \(changed.joined(separator: ", ")) changed")
        }
        if configuration.cache != cacheSettings {
            logger.warning("cache settings changed; they take effect at the next restart")
        }
        deadlines.withLock { deadlines in
            let wait = configuration.resolution.clientTimeout
            if deadlines.wait != wait { deadlines = ClientDeadlines(wait: wait) }
        }
        (transport as? UpstreamSocketTransport)?.maxOutstanding = settings.maxOutstandingQueries
        (transport as? UpstreamSocketTransport)?.useTLSForwarders(settings.tlsForwarders)
        let wasValidating = validating
        current.withLock {
            $0.resolver = IterativeResolver(
                configuration: settings.resolver, transport: transport, clock: clock, cache: cache,
                infrastructure: infrastructure)
        }
        if anchorsChanged {
            // Keys validated under the old anchors must not outlive them.
            cache.flushAll()
            startMaintenance()
        } else if wasValidating != settings.resolver.validation.enabled {
            // RFC 5011 probes only while validating: turning validation on starts the loop, off stops it.
            startMaintenance()
        }
        if anchorsChanged { saveNegativeAnchors() }
        answersChanged()
    }

    /// Installs an engine built from `configuration` whose forward zones changed at run time
    /// (`mamorictl forward`), over the same caches and anchors, and flushes what was resolved at
    /// and below `zone` under the old forwarding (nothing else was judged differently). Resolutions
    /// already running finish on the old engine.
    /// - Returns: the cached entries removed.
    /// - Throws: ``ServiceError`` when the root hints file cannot be read.
    package func changeForwarding(_ configuration: Configuration, zone: DomainName) throws -> Int {
        let settings = try EngineSettings(configuration, anchors: trustAnchors)
        (transport as? UpstreamSocketTransport)?.useTLSForwarders(settings.tlsForwarders)
        judgedUnder.withLock { $0 = settings.judging }
        current.withLock {
            $0.resolver = IterativeResolver(
                configuration: settings.resolver, transport: transport, clock: clock, cache: cache,
                infrastructure: infrastructure)
        }
        let removed = cache.flushZone(zone)
        answersChanged()
        return removed
    }

    // MARK: - Negative trust anchors (RFC 7646)

    /// Adds an NTA at run time, for `seconds` or until removed, and flushes what was judged at and
    /// below `name` under the old rules (RFC 7646 §2.1). It is saved to the state directory
    /// (``NegativeAnchorStateFile``) and outlives a restart.
    /// - Returns: the cached entries removed.
    @discardableResult
    package func addNegativeAnchor(_ name: DomainName, seconds: Int64?) -> Int {
        trustAnchors.addNegativeAnchor(NegativeTrustAnchor(name: name, expiry: seconds.map { clock.wallSeconds + $0 }))
        saveNegativeAnchors()
        defer { answersChanged() }
        return cache.flushZone(name)
    }

    /// Removes an NTA and flushes what was judged under it.
    /// - Returns: the cached entries removed, or nil when there was no such NTA.
    package func removeNegativeAnchor(_ name: DomainName) -> Int? {
        guard trustAnchors.removeNegativeAnchor(name) else { return nil }
        saveNegativeAnchors()
        defer { answersChanged() }
        return cache.flushZone(name)
    }

    /// The NTAs added at run time: those in force that the configuration does not list.
    var runTimeNegativeAnchors: [NegativeTrustAnchor] {
        let set = anchors.withLock { $0 }
        return set.store.negativeAnchors.filter { !set.configuredNegative.contains($0.name) }
    }

    /// Writes the run-time NTAs to the state directory, when this instance owns it.
    /// - Returns: why it could not be written, or nil.
    @discardableResult
    func saveNegativeAnchors() -> String? {
        guard let negativeAnchorFile else { return nil }
        let fingerprint = NegativeAnchorStateFile.fingerprint(anchors.withLock { $0.source })
        return negativeAnchorFile.save(runTimeNegativeAnchors, fingerprint: fingerprint)
    }

    /// Ends the NTAs whose lifetime has passed and flushes what was cached under them (RFC 7646
    /// §2: an NTA applies only for its lifetime; data judged insecure under it must not outlive it).
    /// - Returns: the names whose NTA ended.
    package func endExpiredNegativeAnchors() -> [DomainName] {
        let ended = trustAnchors.removeExpiredNegativeAnchors(now: clock.wallSeconds)
        for name in ended {
            let removed = cache.flushZone(name)
            logger.info("negative trust anchor expired", metadata: ["name": "\(name)", "flushed": "\(removed)"])
        }
        if !ended.isEmpty {
            saveNegativeAnchors()
            answersChanged()
        }
        return ended
    }

    // MARK: - Stopping

    /// Saves the RFC 5011 state and the cache at shutdown (after the listeners closed).
    package func prepareToStop() {
        maintenance.withLock { $0?.cancel() }
        let anchorSet = anchors.withLock { $0 }
        _ = anchorSet.stateFile?.save(anchorSet.store)
        guard let persistence else { return }
        let identity = CachePersistence.identity(judgedUnder.withLock { $0 }, anchors: anchorSet.store)
        persistence.save(cache, identity: identity, now: CacheTime(seconds: clock.wallSeconds))
    }

    // MARK: - Metrics

    /// Scrape-time figures of the RRset cache (Docs/metrics.md).
    static func addCollectors(to metrics: ServerMetrics, cache: ResolverCache, clock: any ResolverClock) {
        let hits = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_cache_hits_total", help: "Cache lookups that found a fresh entry.")
        let misses = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_cache_misses_total", help: "Cache lookups that found nothing usable.")
        let stale = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_cache_stale_hits_total", help: "Expired entries served stale (RFC 8767).")
        let inserts = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_cache_inserts_total", help: "Entries stored (new or replacing).")
        let evictions = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_cache_evictions_total", help: "Live entries evicted to stay within the memory bound."
        )
        let entries = metrics.gauge("mamori_cache_entries", help: "Entries in the cache, of every kind.")
        let bytes = metrics.gauge("mamori_cache_bytes", help: "Bytes the cache accounts for.")
        let limit = metrics.gauge("mamori_cache_max_bytes", help: "The cache's memory bound in bytes.")
        let denials = metrics.gauge(
            "mamori_cache_denial_records", help: "Validated NSEC/NSEC3 RRsets kept for RFC 8198 synthesis.")
        metrics.addCollector {
            let statistics = cache.statistics(now: CacheTime(seconds: clock.wallSeconds))
            hits.update(to: statistics.counters.hits)
            misses.update(to: statistics.counters.misses)
            stale.update(to: statistics.counters.staleHits)
            inserts.update(to: statistics.counters.inserts)
            evictions.update(to: statistics.counters.evictions)
            entries.set(statistics.totalEntries)
            bytes.set(statistics.bytesUsed)
            limit.set(statistics.bytesLimit)
            denials.set(statistics.denialRecords)
        }
    }
}
