// Primary responsibilities: the one place where the daemon builds its resolution engine from the
// configuration — caches, transport, clock, root hints, forward zones, limits — and rebuilds it
// on SIGHUP while keeping the caches.

import DNSCache
import DNSSEC
import DNSWire
import Logging
import MamoriConfiguration
import Resolver
import ResolverServer

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the resolution engine for a configuration.
/// - Parameters:
///   - configuration: the checked configuration.
///   - logger: the daemon's logger.
/// - Returns: the engine, which the listeners call and SIGHUP reloads.
/// - Throws: ``EngineError`` when the root hints file cannot be used.
func makeQueryHandler(configuration: Configuration, logger: Logger) throws -> any QueryHandler & Reloadable {
    let engine = try Engine(configuration: configuration, logger: logger)
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
    /// The daemon's logger.
    let logger: Logger
    /// The listeners' handler; its resolver is swapped on reload.
    let handler: ResolverQueryHandler

    /// Builds the caches, the transport and the first resolver.
    /// - Throws: ``EngineError`` when the root hints file cannot be used.
    init(configuration: Configuration, logger: Logger) throws {
        var settings = DNSCache.CacheConfiguration()
        settings.maxBytes = configuration.cache.size
        settings.minTTL = configuration.cache.minTTL
        settings.maxTTL = configuration.cache.maxTTL
        settings.maxNegativeTTL = configuration.cache.maxNegativeTTL
        settings.serveStale = configuration.cache.serveStale
        settings.bogusTTL = configuration.dnssec.bogusTTL
        let cache = ResolverCache(configuration: settings)
        let infrastructure = InfrastructureCache()
        let transport = UpstreamSocketTransport()
        self.cache = cache
        self.infrastructure = infrastructure
        self.transport = transport
        self.cacheSettings = configuration.cache
        self.logger = logger
        self.handler = ResolverQueryHandler(
            engine: Self.makeResolver(
                try Self.resolverConfiguration(configuration), transport: transport, cache: cache,
                infrastructure: infrastructure))
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
    func reload(_ configuration: Configuration) throws {
        let resolver = try Self.resolverConfiguration(configuration)
        if configuration.cache != cacheSettings {
            logger.warning("cache settings changed; they take effect at the next restart")
        }
        handler.replace(
            with: Self.makeResolver(resolver, transport: transport, cache: cache, infrastructure: infrastructure))
    }

    /// The engine's settings from the `resolution` section of the configuration.
    static func resolverConfiguration(_ configuration: Configuration) throws -> ResolverConfiguration {
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
        resolver.ednsBufferSize = UInt16(clamping: section.ednsBufferSize)
        resolver.limits.resolutionTimeout = section.queryTimeout
        resolver.validation = try validationSettings(configuration.dnssec)
        return resolver
    }

    /// The validation settings from the `dnssec` section.
    ///
    /// Anchors come from the inline lines and the files together; when there are none the
    /// built-in root anchors (KSK-2017 and KSK-2024 DS) apply (architecture §6: configured anchors
    /// replace them). Negative trust anchors never expire when configured (RFC 7646 §2: an
    /// operator's decision). `nsec3-max-iterations` is the RFC 9276 §3.2 cap; `bogus-ttl` goes to
    /// the cache. `validation: false` turns all of it off: no DNSKEY or DS is fetched, no AD set.
    /// - Throws: ``EngineError`` naming the file (or `dnssec.trust-anchors`) and line of a bad anchor.
    static func validationSettings(_ dnssec: DNSSECConfiguration) throws -> ValidationSettings {
        var anchors: [TrustAnchor] = []
        do {
            anchors += try TrustAnchorStore.parse(
                dnssec.trustAnchors.joined(separator: "\n"), source: "dnssec.trust-anchors")
            for path in dnssec.trustAnchorFiles {
                anchors += try TrustAnchorStore.parse(try readText(path, what: "trust anchors"), source: path)
            }
        } catch let error as TrustAnchorParseError {
            throw EngineError("\(error)")
        }
        if !dnssec.replacesBuiltInAnchors { anchors = TrustAnchorStore.builtInRoot }
        var limits = ValidationLimits()
        limits.maxNSEC3Iterations = UInt16(clamping: dnssec.nsec3MaxIterations)
        return ValidationSettings(
            enabled: dnssec.validation,
            anchors: TrustAnchorStore(
                anchors: anchors, negativeAnchors: dnssec.negativeTrustAnchors.map { NegativeTrustAnchor(name: $0) }),
            limits: limits)
    }

    /// The whole text of the file at `path`.
    /// - Throws: ``EngineError`` naming the file when it cannot be read.
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
