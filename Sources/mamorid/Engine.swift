// Primary responsibilities: the one place where the daemon builds its resolution engine from the
// configuration — caches, transport, clock, root hints, forward zones, limits — and rebuilds it
// on SIGHUP while keeping the caches.

import DNSCache
import DNSCrypto
import DNSSEC
import DNSWire
import Logging
import MamoriConfiguration
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the resolution engine for a configuration.
/// - Parameters:
///   - configuration: the checked configuration.
///   - logger: the daemon's logger.
///   - metrics: where the upstream transport counts and the caches report, when metrics are on.
/// - Returns: the engine, which the listeners call and SIGHUP reloads.
/// - Throws: ``EngineError`` when the root hints file cannot be used.
func makeQueryHandler(
    configuration: Configuration, logger: Logger, metrics: ServerMetrics? = nil, persistent: Bool = true
) throws -> Engine {
    let engine = try Engine(configuration: configuration, logger: logger, metrics: metrics, persistent: persistent)
    logger.info(
        "engine ready",
        metadata: [
            "root-hints": "\(engine.handler.engine.configuration.rootHints.nameServers.count) servers",
            "forward-zones": "\(configuration.resolution.forwardZones.count)",
            "cache-size": "\(configuration.cache.size)",
        ])
    return engine
}

/// The daemon's engine: the caches and transport that live as long as the process, and the
/// handler whose resolver is rebuilt on reload.
final class Engine: QueryHandler, Reloadable {
    /// The RRset, negative and key cache; kept across reloads.
    let cache: ResolverCache
    /// What is known about upstream servers; kept across reloads.
    let infrastructure: InfrastructureCache
    /// The sockets to upstream servers.
    let transport: UpstreamSocketTransport
    /// The cache settings the caches were made with (a change needs a restart).
    let cacheSettings: MamoriConfiguration.CacheConfiguration
    /// Where the cache is saved across restarts (`cache.persist`), or nil.
    let cacheFile: String?
    /// The daemon's logger.
    let logger: Logger
    /// Whether this instance owns the state directory and may write the dump and RFC 5011 state.
    let persistent: Bool
    /// The listeners' handler; its resolver is swapped on reload.
    let handler: ResolverQueryHandler
    /// The trust anchors and NTAs in force; kept across reloads unless the anchor settings change,
    /// so RFC 5011 state and NTAs added at run time survive a SIGHUP.
    let anchors: Mutex<AnchorState>
    /// What gave the cached verdicts and delegations their meaning, as of the last (re)load: the
    /// settings in use (root hints as parsed then, not as the file reads later), for the reload's
    /// flush and the identity saved with the dump.
    let judgedUnder: Mutex<[String: String]>
    /// The RFC 5011 maintenance loop, when any anchor is managed.
    let maintenance: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// The trust-anchor store with the settings it was built from and its state file.
    struct AnchorState {
        /// The store the validator reads.
        var store: TrustAnchorStore
        /// What it was built from: anchors inline and from files, and the update policy.
        var source: AnchorSource
        /// Where RFC 5011 state is kept; nil when nothing is managed (no file is touched then).
        var stateFile: TrustAnchorStateFile?
        /// The NTAs the configuration listed, to tell them from those added at run time.
        var configuredNegative: [DomainName]
    }

    /// The settings a trust-anchor store depends on; a change means a new store.
    struct AnchorSource: Equatable {
        /// `dnssec.trust-anchors`.
        var inline: [String]
        /// `dnssec.trust-anchor-files`.
        var files: [String]
        /// Their contents when read (nil: unreadable), so SIGHUP sees an edited file at the same path.
        var fileContents: [String?]
        /// `dnssec.trust-anchor-updates`.
        var updates: TrustAnchorUpdates
        /// `state-directory`.
        var stateDirectory: String
    }

    /// Builds the caches, the transport and the first resolver.
    /// - Throws: ``EngineError`` when the root hints file cannot be used.
    /// - Parameter persistent: false when another instance holds the state directory: nothing is
    ///   loaded from the dump and nothing is written there.
    init(configuration: Configuration, logger: Logger, metrics: ServerMetrics? = nil, persistent: Bool = true) throws {
        self.persistent = persistent
        var settings = DNSCache.CacheConfiguration()
        settings.maxBytes = configuration.cache.rrsetCacheBytes
        settings.minTTL = configuration.cache.minTTL
        settings.maxTTL = configuration.cache.maxTTL
        settings.maxNegativeTTL = configuration.cache.maxNegativeTTL
        settings.serveStale = configuration.cache.serveStale
        settings.bogusTTL = configuration.dnssec.bogusTTL
        let cache = ResolverCache(configuration: settings)
        let cacheFile =
            configuration.cache.persist && persistent ? configuration.stateDirectory + "/cache.dump" : nil
        let infrastructure = InfrastructureCache()
        let transport = UpstreamSocketTransport(
            metrics: metrics,
            maxOutstanding: configuration.resolution.maxOutstandingQueries ?? DescriptorPlan.defaultOutstandingQueries)
        let anchorState = try Self.anchorState(configuration, logger: logger, persistent: persistent)
        let resolver = try Self.resolverConfiguration(configuration, anchors: anchorState.store)
        let judging = Self.judgingSettings(configuration, resolver: resolver)
        if let cacheFile {
            Self.loadCache(
                cache, from: cacheFile, identity: Self.identity(judging, anchors: anchorState.store), logger: logger)
        }
        self.cache = cache
        self.infrastructure = infrastructure
        self.transport = transport
        self.cacheSettings = configuration.cache
        self.cacheFile = cacheFile
        self.logger = logger
        self.anchors = Mutex(anchorState)
        self.judgedUnder = Mutex(judging)
        self.handler = ResolverQueryHandler(
            engine: Self.makeResolver(resolver, transport: transport, cache: cache, infrastructure: infrastructure))
        startMaintenance()
        if let metrics { Self.addCollectors(to: metrics, cache: cache) }
    }

    /// Scrape-time figures of the RRset cache (Docs/metrics.md).
    static func addCollectors(to metrics: ServerMetrics, cache: ResolverCache) {
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
        metrics.addCollector {
            let statistics = cache.statistics(now: CacheTime(seconds: SystemClock().wallSeconds))
            hits.update(to: statistics.counters.hits)
            misses.update(to: statistics.counters.misses)
            stale.update(to: statistics.counters.staleHits)
            inserts.update(to: statistics.counters.inserts)
            evictions.update(to: statistics.counters.evictions)
            entries.set(statistics.totalEntries)
            bytes.set(statistics.bytesUsed)
            limit.set(statistics.bytesLimit)
        }
    }

    /// A resolver over the shared caches.
    static func makeResolver(
        _ configuration: ResolverConfiguration, transport: UpstreamSocketTransport, cache: ResolverCache,
        infrastructure: InfrastructureCache
    ) -> IterativeResolver {
        IterativeResolver(
            configuration: configuration, transport: transport, clock: SystemClock(), cache: cache,
            infrastructure: infrastructure)
    }

    /// Fast path: the handler's cache lookup.
    func answerFromCache(_ query: Message, client: ClientAddress) -> Message? {
        handler.answerFromCache(query, client: client)
    }

    /// Slow path: the handler's resolution.
    func resolve(_ query: Message, client: ClientAddress, respond: @escaping @Sendable (Message) -> Void) {
        handler.resolve(query, client: client, respond: respond)
    }

    /// Rebuilds the resolver from the new configuration over the same caches, so nothing cached
    /// is lost (peers.md §3). Cache size and TTL clamps are fixed for the process's life: a change
    /// is logged and applies at the next restart.
    ///
    /// Everything that can fail (anchor files, root hints) is read before anything is changed, so
    /// a rejected reload leaves the running engine exactly as it was, NTAs included.
    func reload(_ configuration: Configuration) throws {
        let current = anchors.withLock { $0 }
        var anchorState = current
        let anchorsChanged = Self.anchorSource(configuration) != current.source
        if anchorsChanged { anchorState = try Self.anchorState(configuration, logger: logger, persistent: persistent) }
        let resolver = try Self.resolverConfiguration(configuration, anchors: anchorState.store)
        // Nothing below throws.
        if !anchorsChanged {
            let ended = Self.synchroniseNegativeAnchors(
                current.store, from: current.configuredNegative, to: configuration.dnssec.negativeTrustAnchors)
            // RFC 7646 §2: data judged under an NTA must not outlive it.
            for name in ended {
                let removed = cache.flushZone(name)
                logger.info("negative trust anchor removed", metadata: ["name": "\(name)", "flushed": "\(removed)"])
            }
            anchorState.configuredNegative = configuration.dnssec.negativeTrustAnchors
        }
        anchors.withLock { $0 = anchorState }
        let judging = Self.judgingSettings(configuration, resolver: resolver)
        let previous = judgedUnder.withLock { old in
            defer { old = judging }
            return old
        }
        let changed = judging.keys.sorted().filter { judging[$0] != previous[$0] }
        if !changed.isEmpty, anchorState.store === current.store {
            // Cached verdicts and delegations were made under other settings: none may be served.
            cache.flushAll()
            infrastructure.flushAll()
            logger.notice("cache flushed: \(changed.joined(separator: ", ")) changed")
        }
        if configuration.cache != cacheSettings {
            logger.warning("cache settings changed; they take effect at the next restart")
        }
        transport.maxOutstanding =
            configuration.resolution.maxOutstandingQueries ?? DescriptorPlan.defaultOutstandingQueries
        handler.replace(
            with: Self.makeResolver(resolver, transport: transport, cache: cache, infrastructure: infrastructure))
        if anchorState.store !== current.store {
            // Keys validated under the old anchors must not outlive them.
            cache.flushAll()
            startMaintenance()
        }
    }

    /// The settings other than the trust anchors (whose change makes a new store and a flush) that
    /// decide what a cached verdict or delegation means: a change of any of them at reload flushes
    /// the cache. Root hints are compared as parsed into `resolver`, the servers and addresses in use.
    static func judgingSettings(_ configuration: Configuration, resolver: ResolverConfiguration) -> [String: String] {
        let hints = resolver.rootHints.nameServers.map { server in
            "\(server) " + (resolver.rootHints.addresses[server] ?? []).map { "\($0)" }.sorted().joined(separator: " ")
        }
        return [
            "resolution.root-hints": hints.joined(separator: "\n"),
            "resolution.forward-zones": "\(configuration.resolution.forwardZones)",
            "dnssec.validation": "\(configuration.dnssec.validation)",
            "dnssec.nsec3-max-iterations": "\(configuration.dnssec.nsec3MaxIterations)",
        ]
    }

    /// The engine's settings from the `resolution` section of the configuration.
    static func resolverConfiguration(
        _ configuration: Configuration, anchors: TrustAnchorStore
    ) throws
        -> ResolverConfiguration
    {
        let section = configuration.resolution
        var resolver = ResolverConfiguration()
        switch section.rootHints {
        case .builtIn:
            resolver.rootHints = Resolver.RootHints.builtIn
        case .file(let path):
            resolver.rootHints = try rootHints(fromFile: path)
        }
        resolver.forwardZones = section.forwardZones.map {
            Resolver.ForwardZone(zone: $0.name, servers: $0.addresses)
        }
        switch section.qnameMinimisation {
        case .off: resolver.qnameMinimisation = .off
        case .relaxed: resolver.qnameMinimisation = .relaxed
        case .strict: resolver.qnameMinimisation = .strict
        }
        resolver.useIPv4 = section.ipv4
        resolver.useIPv6 = section.ipv6
        resolver.allowPrivateUpstreams = section.allowPrivateUpstreams
        resolver.useCaseRandomisation = section.caseRandomisation
        resolver.ednsBufferSize = UInt16(clamping: section.ednsBufferSize)
        resolver.limits.resolutionTimeout = section.queryTimeout
        resolver.sendCookies = section.sendCookies
        resolver.serveStale = configuration.cache.serveStale
        resolver.prefetch = configuration.cache.prefetch
        resolver.validation = validationSettings(configuration.dnssec, anchors: anchors)
        return resolver
    }

    /// The validator's settings: on or off, the anchor store, the NSEC3 iteration cap (RFC 9276).
    static func validationSettings(_ dnssec: DNSSECConfiguration, anchors: TrustAnchorStore) -> ValidationSettings {
        var limits = ValidationLimits()
        limits.maxNSEC3Iterations = UInt16(clamping: dnssec.nsec3MaxIterations)
        return ValidationSettings(enabled: dnssec.validation, anchors: anchors, limits: limits)
    }

    /// Reads and parses every file the engine would load — trust anchors (inline and files) and
    /// root hints — without building anything, for `--check-config`: a file that parses there is
    /// one the daemon can start with.
    /// - Throws: ``EngineError`` naming the file (or key) and the problem.
    static func checkFiles(_ configuration: Configuration) throws {
        do {
            _ = try TrustAnchorStore.parse(inline: configuration.dnssec.trustAnchors)
            for path in configuration.dnssec.trustAnchorFiles {
                _ = try TrustAnchorStore.parse(try readText(path, what: "trust anchors"), source: path)
            }
        } catch let error as TrustAnchorParseError {
            throw EngineError("\(error)")
        }
        if case .file(let path) = configuration.resolution.rootHints { _ = try rootHints(fromFile: path) }
    }

    /// What the trust-anchor store of `configuration` is built from.
    static func anchorSource(_ configuration: Configuration) -> AnchorSource {
        AnchorSource(
            inline: configuration.dnssec.trustAnchors, files: configuration.dnssec.trustAnchorFiles,
            fileContents: configuration.dnssec.trustAnchorFiles.map { try? readText($0, what: "trust anchors") },
            updates: configuration.dnssec.trustAnchorUpdates, stateDirectory: configuration.stateDirectory)
    }

    /// Builds the trust-anchor store: configured anchors (inline lines, then files; errors name the
    /// key or file and the line), else the built-in root anchors; NTAs (RFC 7646); and, when the
    /// update policy manages any zone (RFC 5011; `auto` = the built-in root only), the state file
    /// in the state directory, whose saved keys win over the configured ones. An unwritable state
    /// directory gives a loud warning and read-only operation, never a refusal to start.
    static func anchorState(_ configuration: Configuration, logger: Logger, persistent: Bool) throws -> AnchorState {
        let dnssec = configuration.dnssec
        var configured: [TrustAnchor] = []
        do {
            configured += try TrustAnchorStore.parse(inline: dnssec.trustAnchors)
            for path in dnssec.trustAnchorFiles {
                configured += try TrustAnchorStore.parse(try readText(path, what: "trust anchors"), source: path)
            }
        } catch let error as TrustAnchorParseError {
            throw EngineError("\(error)")
        }
        let policy = TrustAnchorUpdatePolicy(rawValue: dnssec.trustAnchorUpdates.rawValue) ?? .auto
        let store = TrustAnchorStore(
            configured: configured, policy: policy, negativeAnchors: dnssec.negativeTrustAnchors)
        var stateFile: TrustAnchorStateFile? = nil
        if !store.managedZones.isEmpty {
            let file = TrustAnchorStateFile(
                directory: configuration.stateDirectory, logger: logger, readOnly: !persistent)
            let restored = file.restore(into: store)
            if !restored.isEmpty {
                logger.info("RFC 5011 state restored", metadata: ["zones": "\(restored.map(\.description))"])
            }
            stateFile = file
        }
        return AnchorState(
            store: store, source: anchorSource(configuration), stateFile: stateFile,
            configuredNegative: dnssec.negativeTrustAnchors)
    }

    /// Makes the store's NTAs follow a reloaded configuration (RFC 7646 §2: operators add and
    /// remove them as zones are fixed): names no longer listed go, new ones come; NTAs added at
    /// run time, never listed, stay.
    /// - Returns: the names whose NTA ended, whose cached data must be flushed.
    @discardableResult
    static func synchroniseNegativeAnchors(
        _ store: TrustAnchorStore, from old: [DomainName], to new: [DomainName]
    )
        -> [DomainName]
    {
        let ended = old.filter { !new.contains($0) }
        for name in ended { store.removeNegativeAnchor(name) }
        for name in new where !store.negativeAnchors.contains(where: { $0.name == name }) {
            store.addNegativeAnchor(NegativeTrustAnchor(name: name))
        }
        return ended
    }

    /// Ends the NTAs whose lifetime has passed and flushes what was cached under them (RFC 7646
    /// §2: an NTA applies only for its lifetime; data judged insecure under it must not outlive it).
    /// - Returns: the names whose NTA ended.
    func endExpiredNegativeAnchors(now: Int64) -> [DomainName] {
        let store = anchors.withLock { $0.store }
        let ended = store.removeExpiredNegativeAnchors(now: now)
        for name in ended {
            let removed = cache.flushZone(name)
            logger.info("negative trust anchor expired", metadata: ["name": "\(name)", "flushed": "\(removed)"])
        }
        return ended
    }

    // MARK: - Across restarts

    /// Warms the cache from the dump a previous run left (`cache.persist`). Expiries in the dump are
    /// absolute, so whatever expired while the daemon was down is skipped, and so are secure entries
    /// whose signatures have expired; a missing file is the normal first start, a bad one is logged
    /// and ignored (the daemon starts with an empty cache rather than not at all).
    ///
    /// State never lies: the dump is loaded only when `identity` — what gave its verdicts and
    /// delegations their meaning — equals the one saved beside it (`cache.identity`). When only the
    /// negative trust anchors differ, it is loaded and the names whose NTA began or ended are
    /// flushed; any other difference leaves it unused, and the log names what changed.
    static func loadCache(_ cache: ResolverCache, from path: String, identity: [String: String], logger: Logger) {
        guard access(path, R_OK) == 0 else { return }
        let saved = Self.readIdentity(path + Self.identitySuffix)
        let changed = identity.keys.sorted().filter { identity[$0] != saved?[$0] }
        guard changed.allSatisfy({ $0 == Self.negativeAnchorsKey }) else {
            logger.notice(
                "cache dump not loaded: it was judged under another configuration",
                metadata: [
                    "file": "\(path)",
                    "changed": "\(saved == nil ? "unknown (no identity saved)" : changed.joined(separator: ", "))",
                ])
            return
        }
        do {
            let summary = try cache.load(fromFile: path, now: CacheTime(seconds: SystemClock().wallSeconds))
            logger.info("cache loaded", metadata: ["file": "\(path)", "summary": "\(summary)"])
            if !changed.isEmpty {
                let before = Set((saved?[Self.negativeAnchorsKey] ?? "").split(separator: " "))
                let after = Set((identity[Self.negativeAnchorsKey] ?? "").split(separator: " "))
                for name in before.symmetricDifference(after) {
                    if let zone = try? DomainName(String(name)) { _ = cache.flushZone(zone) }
                }
                logger.info("negative trust anchors changed since the dump: their names were flushed")
            }
        } catch {
            logger.warning("cache dump not used", metadata: ["file": "\(path)", "error": "\(error)"])
        }
    }

    /// Saves the cache and the RFC 5011 state at shutdown (after the listeners closed).
    func prepareToStop() {
        maintenance.withLock { $0?.cancel() }
        let state = anchors.withLock { $0 }
        _ = state.stateFile?.save(state.store)
        guard let cacheFile else { return }
        mkdir(String(cacheFile.prefix(upTo: cacheFile.lastIndex(of: "/")!)), 0o750)
        // The identity goes first and comes back last: a stop between the two leaves a dump that
        // the next start refuses, never one it trusts under the wrong settings.
        let identityFile = cacheFile + Self.identitySuffix
        unlink(identityFile)
        do {
            let bytes = try cache.dump(toFile: cacheFile, now: CacheTime(seconds: SystemClock().wallSeconds))
            let identity = Self.identity(judgedUnder.withLock { $0 }, anchors: state.store)
            Self.writeIdentity(identity, to: identityFile)
            logger.info("cache saved", metadata: ["file": "\(cacheFile)", "bytes": "\(bytes)"])
        } catch {
            logger.warning("cache not saved", metadata: ["file": "\(cacheFile)", "error": "\(error)"])
        }
    }

    /// The name of the identity file beside the dump: `cache.dump.identity`.
    static let identitySuffix = ".identity"
    /// The identity component listing the NTAs by name (kept readable to flush what changed).
    static let negativeAnchorsKey = "dnssec.negative-trust-anchors"

    /// What gives the cache's verdicts and delegations their meaning: the `judging` settings
    /// (``judgingSettings(_:resolver:)``) plus the effective trust anchors (RFC 5011 state included), the
    /// NTAs and the algorithms and digests this OpenSSL accepts. Long values are kept as the dump's
    /// own FNV-1a checksum (the file is the daemon's own; this detects change, it does not authenticate).
    static func identity(_ judging: [String: String], anchors: TrustAnchorStore) -> [String: String] {
        var identity = judging
        identity["dnssec.trust-anchors"] = anchors.anchors.map { "\($0)" }.sorted().joined(separator: "\n")
        identity[negativeAnchorsKey] = anchors.negativeAnchors.map { "\($0.name)" }.joined(separator: " ")
        identity["crypto"] = "\(CryptoSupport.current)"
        return identity.reduce(into: [:]) { result, entry in
            result[entry.key] =
                entry.key == negativeAnchorsKey ? entry.value : ResolverCache.fingerprint(entry.value)
        }
    }

    /// Reads `key=value` lines, or nil when the file is missing or unreadable.
    static func readIdentity(_ path: String) -> [String: String]? {
        guard access(path, R_OK) == 0, let text = try? readText(path, what: "cache identity") else { return nil }
        var identity: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            identity[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return identity
    }

    /// Writes `key=value` lines (sorted).
    static func writeIdentity(_ identity: [String: String], to path: String) {
        let text = identity.keys.sorted().map { "\($0)=\(identity[$0]!)\n" }.joined()
        guard let file = fopen(path, "w") else { return }
        fputs(text, file)
        fclose(file)
    }

    // MARK: - RFC 5011 maintenance

    /// Starts (or restarts) the loop that refreshes managed anchors; with nothing managed there is
    /// no loop and so not a single RFC 5011 query (static anchors are never probed).
    func startMaintenance() {
        let state = anchors.withLock { $0 }
        maintenance.withLock { task in
            task?.cancel()
            task = nil
            guard !state.store.managedZones.isEmpty else { return }
            task = Task { [self] in await maintain(state) }
        }
    }

    /// Sleeps until the next refresh is due (RFC 5011 §2.3), fetches the DNSKEY RRset of each due
    /// zone with CD=1 (the store validates it itself, against the keys it trusts, RFC 5011 §2.2),
    /// applies it, drops cached keys when the trusted keys changed, and saves the state.
    func maintain(_ state: AnchorState) async {
        let clock = SystemClock()
        while !Task.isCancelled {
            guard let next = state.store.nextRefresh(now: clock.wallSeconds) else { return }
            let wait = min(max(next - clock.wallSeconds, 0), Self.longestMaintenanceSleep)
            if wait > 0 {
                do { try await Task.sleep(for: .seconds(wait)) } catch { return }
                continue
            }
            for zone in state.store.zonesDueForRefresh(now: clock.wallSeconds) {
                let engine = handler.engine
                let answer = await engine.resolve(Question(name: zone, type: .dnskey), checkingDisabled: true)
                let now = clock.wallSeconds
                guard answer.rcode == .noError,
                    let dnskeys = answer.answer.first(where: { $0.type == .dnskey && $0.name == zone }),
                    let update = state.store.refresh(zone, with: dnskeys, now: now)
                else {
                    state.store.refreshFailed(zone, now: now)
                    logger.warning(
                        "RFC 5011 refresh failed; will retry",
                        metadata: ["zone": "\(zone)", "rcode": "\(answer.rcode)"])
                    continue
                }
                if update.trustedKeysChanged {
                    _ = cache.flush(name: zone)
                    logger.notice("RFC 5011: trusted keys changed", metadata: ["zone": "\(zone)"])
                }
                if !state.store.zonesWithAllKeysRevoked.filter({ $0 == zone }).isEmpty {
                    logger.error(
                        "RFC 5011: every trust anchor key is revoked; validation fails closed",
                        metadata: ["zone": "\(zone)"])
                }
            }
            _ = state.stateFile?.save(state.store)
        }
    }

    /// The longest the maintenance loop sleeps before looking again (a clock jump is noticed then).
    static let longestMaintenanceSleep: Int64 = 3600

    static func readText(_ path: String, what: String) throws -> String {
        guard let file = fopen(path, "r") else {
            throw EngineError("\(path): cannot read \(what): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads root hints from a zone file of NS and A/AAAA lines.
    static func rootHints(fromFile path: String) throws -> Resolver.RootHints {
        let text = try readText(path, what: "root hints")
        do {
            let records = try ZoneFileParser(text: text).records()
            return try Resolver.RootHints(records: records)
        } catch let error as DNSWireError {
            throw EngineError("\(path): \(error)")
        } catch {
            throw EngineError("\(path): \(error)")
        }
    }
}

/// The engine could not be built from the configuration.
struct EngineError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    var description: String
    /// Creates an error.
    init(_ description: String) { self.description = description }
}
