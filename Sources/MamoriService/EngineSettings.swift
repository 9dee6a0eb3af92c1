// Primary responsibilities: the one translation from the YAML configuration to the engine's
// settings (resolver, cache, validation, the upstream bound) and the files they name (root hints,
// trust anchors), so the daemon, `--check-config` and the replay harness build the same engine.

import DNSCache
import DNSSEC
import DNSWire
import Logging
import MamoriConfiguration
import MamoriSystem
import Resolver

#if canImport(Glibc)
    import Glibc
#endif

/// What the engine is built from, for one configuration and trust-anchor store.
package struct EngineSettings: Sendable {
    /// The resolver's settings.
    package var resolver: ResolverConfiguration
    /// The RRset cache's settings (fixed for the life of the process: a change applies at restart).
    package var cache: DNSCache.CacheConfiguration
    /// The most upstream exchanges at once (`resolution.max-outstanding-queries`, resolved).
    package var maxOutstandingQueries: Int
    /// The forwarders asked over DNS over TLS, their CA bundles loaded (for the socket transport).
    package var tlsForwarders: TLSForwarders
    /// The settings other than the trust anchors that decide what a cached verdict or delegation
    /// means; their change flushes the cache at reload, and they are part of the dump's identity.
    /// Root hints are given as parsed (the servers and addresses in use), not as the file reads later.
    package var judging: [String: String]

    /// Translates `configuration`; reads the root hints file when one is named.
    /// - Throws: ``ServiceError`` naming the root hints file and its problem.
    package init(_ configuration: Configuration, anchors: TrustAnchorStore) throws {
        let section = configuration.resolution
        var resolver = ResolverConfiguration()
        switch section.rootHints {
        case .builtIn: resolver.rootHints = RootHints.builtIn
        case .file(let path): resolver.rootHints = try Self.rootHints(fromFile: path)
        }
        resolver.forwardZones = section.forwardZones
        resolver.stubZones = section.stubZones
        resolver.qnameMinimisation = section.qnameMinimisation
        resolver.useIPv4 = section.ipv4
        resolver.useIPv6 = section.ipv6
        resolver.allowPrivateUpstreams = section.allowPrivateUpstreams
        resolver.doNotQueryLocalhost = section.doNotQueryLocalhost
        resolver.useCaseRandomisation = section.caseRandomisation
        resolver.ednsBufferSize = UInt16(clamping: section.ednsBufferSize)
        resolver.limits.resolutionTimeout = section.queryTimeout
        resolver.sendCookies = section.sendCookies
        resolver.serveStale = configuration.cache.serveStale
        resolver.prefetch = configuration.cache.prefetch
        var limits = ValidationLimits()
        limits.maxNSEC3Iterations = UInt16(clamping: configuration.dnssec.nsec3MaxIterations)
        resolver.validation = ValidationSettings(
            enabled: configuration.dnssec.validation, anchors: anchors, limits: limits,
            aggressiveNSEC: configuration.dnssec.aggressiveNSEC)
        self.resolver = resolver
        self.cache = Self.cacheSettings(configuration)
        self.maxOutstandingQueries =
            section.maxOutstandingQueries ?? DescriptorPlan.defaultOutstandingQueries
        self.tlsForwarders = try Self.tlsForwarders(section.forwardZones)
        let hints = resolver.rootHints.nameServers.map { server in
            "\(server) " + (resolver.rootHints.addresses[server] ?? []).map { "\($0)" }.sorted().joined(separator: " ")
        }
        self.judging = [
            "resolution.root-hints": hints.joined(separator: "\n"),
            "resolution.forward-zones": "\(section.forwardZones)",
            "resolution.stub-zones": "\(section.stubZones)",
            "dnssec.validation": "\(configuration.dnssec.validation)",
            "dnssec.nsec3-max-iterations": "\(configuration.dnssec.nsec3MaxIterations)",
        ]
    }

    /// Translates `configuration` with a trust-anchor store built from it alone: configured or
    /// built-in anchors and NTAs, RFC 5011 state read but never written. For harnesses that build
    /// an engine without a daemon (the replay tests, the response fuzz target).
    /// - Throws: ``ServiceError`` naming the root hints or trust-anchor file or key and its problem.
    package init(_ configuration: Configuration) throws {
        let anchors = try TrustAnchorSet(configuration, logger: Logger(label: "mamori.settings"), persistent: false)
        try self.init(configuration, anchors: anchors.store)
    }

    /// The RRset cache's settings from the `cache` and `dnssec` sections.
    package static func cacheSettings(_ configuration: Configuration) -> DNSCache.CacheConfiguration {
        var settings = DNSCache.CacheConfiguration()
        settings.maxBytes = configuration.cache.rrsetCacheBytes
        settings.minTTL = configuration.cache.minTTL
        settings.maxTTL = configuration.cache.maxTTL
        settings.maxNegativeTTL = configuration.cache.maxNegativeTTL
        settings.serveStale = configuration.cache.serveStale
        settings.bogusTTL = configuration.dnssec.bogusTTL
        return settings
    }

    /// The TLS forwarders of `zones`, each CA bundle loaded.
    /// - Throws: ``ServiceError`` naming the CA file and libssl's reason.
    static func tlsForwarders(_ zones: [ForwardZone]) throws -> TLSForwarders {
        do {
            return try TLSForwarders(zones)
        } catch {
            throw ServiceError(.forwarderTLS, "resolution.forward-zones: tls-ca: \(error.reason)")
        }
    }

    /// Reads and parses every file the engine would load — trust anchors (inline and files) and
    /// root hints — without building anything, for `--check-config`: a file that parses there is
    /// one the daemon can start with.
    /// - Throws: ``ServiceError`` naming the file (or key) and the problem.
    package static func checkFiles(_ configuration: Configuration) throws {
        _ = try TrustAnchorSet.configuredAnchors(configuration.dnssec)
        if case .file(let path) = configuration.resolution.rootHints { _ = try rootHints(fromFile: path) }
        _ = try tlsForwarders(configuration.resolution.forwardZones)
    }

    /// Reads root hints from a zone file of NS and A/AAAA lines.
    static func rootHints(fromFile path: String) throws -> RootHints {
        let text = try readText(path, what: "root hints")
        do {
            return try RootHints(records: try ZoneFileParser(text: text).records())
        } catch {
            throw ServiceError(.badRootHints, "\(path): \(error)")
        }
    }

    /// The largest root hints or trust-anchor file read: far above any real one.
    static let maximumFileSize = 16 << 20

    /// A configuration file's text (root hints, trust anchors).
    /// - Throws: ``ServiceError`` naming the file, what it is for and the problem.
    static func readText(_ path: String, what: String) throws -> String {
        do {
            guard let bytes = try AtomicFile.read(path, limit: maximumFileSize) else {
                throw ServiceError(.unreadableFile, "\(path): cannot read \(what): \(AtomicFile.describe(ENOENT))")
            }
            return String(decoding: bytes, as: UTF8.self)
        } catch let failure as AtomicFile.Failure {
            throw ServiceError(.unreadableFile, "\(path): cannot read \(what): \(failure.problem)")
        }
    }
}
