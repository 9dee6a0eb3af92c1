// Primary responsibilities: what the resolver does for each control command (Docs/control.md):
// report status and counters, reload, flush caches, add and remove negative trust anchors, list
// trust anchors, explain a lookup. The socket is MamoriSystem's (ControlSocket), the protocol's
// words MamoriControl's; the daemon supplies what only it knows (ControlContext).

import DNSCache
import DNSSEC
import DNSWire
import Dispatch
import Logging
import MamoriConfiguration
import MamoriControl
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the control commands need from around the service: the listeners' state, the daemon's
/// configuration and its reload (serialised with SIGHUP on the daemon's queue).
package struct ControlContext: Sendable {
    /// When the daemon started.
    package var started: ContinuousClock.Instant
    /// The configuration in force.
    package var configuration: @Sendable () -> Configuration
    /// The listening addresses: `UDP a b, TCP a b`.
    package var listening: @Sendable () -> String
    /// The packet cache in front of the service, if on (flushed with the cache).
    package var packetCache: PacketCache?
    /// Client queries waiting for resolution.
    package var waiting: @Sendable () -> Int
    /// Re-reads the configuration; the reason it was rejected, or nil.
    package var reload: @Sendable () -> String?
    /// Puts these forward zones in force in place of the configuration's until the next reload
    /// (serialised with reloads), flushing what was resolved at and below the zone that changed;
    /// returns the cached entries removed.
    package var changeForwardZones: @Sendable (_ zones: [ForwardZone], _ changed: DomainName) throws -> Int

    /// Creates a context.
    package init(
        started: ContinuousClock.Instant, configuration: @escaping @Sendable () -> Configuration,
        listening: @escaping @Sendable () -> String, packetCache: PacketCache?, waiting: @escaping @Sendable () -> Int,
        reload: @escaping @Sendable () -> String?,
        changeForwardZones: @escaping @Sendable ([ForwardZone], DomainName) throws -> Int
    ) {
        self.started = started
        self.configuration = configuration
        self.listening = listening
        self.packetCache = packetCache
        self.waiting = waiting
        self.reload = reload
        self.changeForwardZones = changeForwardZones
    }
}

/// Bounds of the control commands' output.
package enum ControlLimits {
    /// Most resolutions `list requests` prints; the rest are counted.
    package static let maxListedRequests = 1000
    /// Most entries of /proc/self/task counted for `status` (a bound on the directory loop).
    static let maxThreadsCounted = 100_000
}

extension ResolverService {
    /// Carries out one command.
    package func perform(_ command: ControlCommand, context: ControlContext) -> ControlReply {
        switch command {
        case .status:
            return .ok(status(context))
        case .stats:
            return .ok(stats(context))
        case .reload:
            if let failure = context.reload() { return .error("reload rejected: \(failure)") }
            return .ok(["configuration reloaded"])
        case .flushAll:
            cache.flushAll()
            answersChanged()
            return .ok(["flushed every cached entry"])
        case .flushName(let name):
            let removed = cache.flush(name: name)
            answersChanged()
            return .ok(["removed \(removed) entries of \(name)"])
        case .flushZone(let zone):
            let removed = cache.flushZone(zone)
            answersChanged()
            return .ok(["removed \(removed) entries at and below \(zone)"])
        case .flushInfrastructure:
            infrastructure.flushAll()
            return .ok(["forgot what was known about upstream servers"])
        case .ntaList:
            return .ok(negativeAnchorLines())
        case .ntaAdd(let name, let seconds):
            let removed = addNegativeAnchor(name, seconds: seconds)
            logger.notice("negative trust anchor added", metadata: ["name": "\(name)", "seconds": "\(seconds ?? 0)"])
            return .ok([
                "validation is off at and below \(name)\(seconds.map { " for \($0) s" } ?? ""); \(removed) cached entries removed"
            ])
        case .ntaRemove(let name):
            guard let removed = removeNegativeAnchor(name) else {
                return .error("no negative trust anchor for \(name)")
            }
            logger.notice("negative trust anchor removed", metadata: ["name": "\(name)"])
            return .ok(["validation is on again at and below \(name); \(removed) cached entries removed"])
        case .anchors:
            return .ok(anchorLines())
        case .version:
            return .ok(["version: \(MamoriVersion.version)", "revision: \(MamoriVersion.revision)"])
        case .dumpCache(let path):
            return dumpCache(to: path)
        case .loadCache(let path):
            return loadCache(from: path)
        case .flushBogus:
            let removed = cache.flushBogus()
            answersChanged()
            return .ok(["removed \(removed) entries judged bogus"])
        case .flushNegative:
            let removed = cache.flushNegative()
            answersChanged()
            return .ok([
                "removed \(removed) negative entries (NXDOMAIN, NODATA) and the NSEC/NSEC3 records kept for synthesis"
            ])
        case .flushRequests:
            let detached = resolver.detachInFlight()
            answersChanged()
            return .ok([
                "\(detached) resolutions in flight detached: their clients still get their answers; new queries start afresh"
            ])
        case .listRequests:
            return .ok(requestLines())
        case .forwardList:
            return .ok(forwardLines(resolver.configuration.forwardZones))
        case .forwardAdd(let zone, let servers, let tlsName):
            var zones = context.configuration().resolution.forwardZones.filter { $0.zone != zone }
            zones.append(ForwardZone(zone: zone, servers: servers, tls: tlsName.map { ForwarderTLS(name: $0) }))
            return changeForwarding(
                zones, zone: zone, context: context,
                verb: "forwarded to \(servers.map(\.description).joined(separator: " "))")
        case .forwardRemove(let zone):
            let zones = context.configuration().resolution.forwardZones
            guard zones.contains(where: { $0.zone == zone }) else { return .error("\(zone) is not forwarded") }
            return changeForwarding(
                zones.filter { $0.zone != zone }, zone: zone, context: context, verb: "no longer forwarded")
        case .configShow:
            return .ok(context.configuration().yaml.split(separator: "\n").map(String.init))
        case .lookup(let name, let type, let checkingDisabled):
            // The caller's queue waits; the resolution runs on the concurrency pool, bounded by
            // resolution.query-timeout.
            let resolver = self.resolver
            let result = Mutex<[String]>([])
            let done = DispatchSemaphore(value: 0)
            Task {
                let lines = await resolver.explain(Question(name: name, type: type), checkingDisabled: checkingDisabled)
                result.withLock { $0 = lines }
                done.signal()
            }
            done.wait()
            return .ok(result.withLock { $0 })
        }
    }

    /// `status`: one `key: value` line per fact.
    private func status(_ context: ControlContext) -> [String] {
        let statistics = cache.statistics(now: CacheTime(seconds: clock.wallSeconds))
        let store = trustAnchors
        let uptime = ContinuousClock.now - context.started
        let configuration = context.configuration()
        let kinds = CacheEntryKind.allCases.map { "\($0) \(statistics.entries($0))" }.joined(separator: ", ")
        let percent = statistics.bytesLimit > 0 ? statistics.bytesUsed * 100 / statistics.bytesLimit : 0
        var lines = [
            "version: \(MamoriVersion.description)",
            "pid: \(getpid())",
            "threads: \(Self.threadCount().map(String.init) ?? "unknown")",
            "uptime: \(uptime.components.seconds) s",
            "configuration: \(configuration.sourceFile ?? "built-in defaults")",
            "listening: \(context.listening())",
            "validation: \(configuration.dnssec.validation ? "on" : "off"), \(store.anchors.count) trust anchors, \(store.negativeAnchors.count) negative trust anchors",
            "cache: \(statistics.totalEntries) entries, \(statistics.bytesUsed) of \(statistics.bytesLimit) bytes (\(percent) %)",
            "cache entries: \(kinds)",
            "waiting: \(context.waiting()) queries in resolution",
            "in flight: \(resolver.inFlightResolutions(limit: 0).total) resolutions",
        ]
        if let packetCache = context.packetCache {
            let packets = packetCache.statistics
            lines.insert(
                "packet-cache: \(packets.entries) entries, \(packets.bytes) of \(packetCache.maxBytes) bytes",
                at: lines.firstIndex { $0.hasPrefix("waiting:") }!)
        }
        return lines
    }

    /// The threads of this process: the entries of /proc/self/task (Linux), or nil without it.
    static func threadCount() -> Int? {
        guard let directory = opendir("/proc/self/task") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while count < ControlLimits.maxThreadsCounted, let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { count += 1 }
        }
        return count
    }

    /// `list requests`: a count, then one line per resolution in flight on the engine in force,
    /// oldest first, at most ``ControlLimits/maxListedRequests``.
    private func requestLines() -> [String] {
        let (listed, total) = resolver.inFlightResolutions(limit: ControlLimits.maxListedRequests)
        var lines = ["\(total) resolutions in flight"]
        for entry in listed {
            let milliseconds =
                entry.age.components.seconds * 1000 + entry.age.components.attoseconds / 1_000_000_000_000_000
            lines.append("\(entry.question) running \(milliseconds) ms, \(entry.waiting) waiting")
        }
        if total > listed.count { lines.append("… and \(total - listed.count) more") }
        return lines
    }

    /// `forward list`: one line per zone.
    private func forwardLines(_ zones: [ForwardZone]) -> [String] {
        zones.map { zone in
            let servers = zone.servers.map(\.description).joined(separator: " ")
            return "\(zone.zone) \(servers)" + (zone.tls.map { " tls-name=\($0.name ?? "(pinned)")" } ?? "")
        }
    }

    /// `forward add` and `forward remove`: through the daemon, so it is serialised with reloads.
    private func changeForwarding(
        _ zones: [ForwardZone], zone: DomainName, context: ControlContext, verb: String
    ) -> ControlReply {
        do {
            let removed = try context.changeForwardZones(zones, zone)
            logger.notice("forward zones changed at run time", metadata: ["zone": "\(zone)", "change": "\(verb)"])
            return .ok(["\(zone) \(verb) until the next reload or restart; \(removed) cached entries removed"])
        } catch {
            return .error("forward zones not changed: \(error)")
        }
    }

    /// `dump-cache FILE`: the cache and its identity (`FILE.identity`), as at shutdown.
    private func dumpCache(to path: String) -> ControlReply {
        let file = CachePersistence(file: path, logger: logger)
        let identity = CachePersistence.identity(judgedUnder.withLock { $0 }, anchors: trustAnchors)
        do {
            let bytes = try file.write(cache, identity: identity, now: CacheTime(seconds: clock.wallSeconds))
            return .ok(["wrote \(bytes) bytes to \(path), its identity to \(file.identityPath)"])
        } catch {
            return .error("\(error)\(Self.whoAmI)")
        }
    }

    /// `load-cache FILE`: loaded only when judged under the settings in force (state never lies).
    private func loadCache(from path: String) -> ControlReply {
        let file = CachePersistence(file: path, logger: logger)
        let identity = CachePersistence.identity(judgedUnder.withLock { $0 }, anchors: trustAnchors)
        do {
            let summary = try file.read(into: cache, identity: identity, now: CacheTime(seconds: clock.wallSeconds))
            answersChanged()
            return .ok([
                "loaded \(summary.loaded) of \(summary.entries) entries from \(path) (\(summary.skippedExpired) expired, "
                    + "\(summary.skippedSignatureExpired) with expired signatures, \(summary.refused) refused by the cache)"
            ])
        } catch {
            return .error("not loaded: \(error)\(Self.whoAmI)")
        }
    }

    /// ` (mamorid runs as user NAME)`: a path error's likely cause, the daemon having dropped root.
    static var whoAmI: String {
        let uid = geteuid()
        let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
        return " (mamorid runs as user \(name), uid \(uid): the path must be one it may use)"
    }

    /// `stats`: `name value` lines, counters since start and sizes now.
    private func stats(_ context: ControlContext) -> [String] {
        let statistics = cache.statistics(now: CacheTime(seconds: clock.wallSeconds))
        var lines = [
            "cache.hits \(statistics.counters.hits)",
            "cache.misses \(statistics.counters.misses)",
            "cache.stale-hits \(statistics.counters.staleHits)",
            "cache.inserts \(statistics.counters.inserts)",
            "cache.evictions \(statistics.counters.evictions)",
            "cache.expired-removals \(statistics.counters.expiredRemovals)",
            "cache.entries \(statistics.totalEntries)",
            "cache.bytes \(statistics.bytesUsed)",
            "cache.max-bytes \(statistics.bytesLimit)",
        ]
        for kind in CacheEntryKind.allCases { lines.append("cache.entries.\(kind) \(statistics.entries(kind))") }
        if let packets = context.packetCache?.statistics {
            lines += [
                "packet-cache.hits \(packets.hits)", "packet-cache.misses \(packets.misses)",
                "packet-cache.inserts \(packets.inserts)", "packet-cache.evictions \(packets.evictions)",
                "packet-cache.entries \(packets.entries)", "packet-cache.bytes \(packets.bytes)",
            ]
        }
        lines.append("queries.waiting \(context.waiting())")
        lines.append("requests.in-flight \(resolver.inFlightResolutions(limit: 0).total)")
        lines.append("process.pid \(getpid())")
        lines.append("process.uptime-seconds \((ContinuousClock.now - context.started).components.seconds)")
        lines.append("process.threads \(Self.threadCount() ?? 0)")
        return lines
    }

    /// `nta list`: one line per NTA with its remaining lifetime.
    private func negativeAnchorLines() -> [String] {
        let now = clock.wallSeconds
        return trustAnchors.negativeAnchors.map { anchor in
            guard let expiry = anchor.expiry else { return "\(anchor.name) until removed" }
            return "\(anchor.name) \(max(0, expiry - now)) s left"
        }
    }

    /// `anchors`: the DS and DNSKEY anchors, and for RFC 5011-managed zones each key's state.
    private func anchorLines() -> [String] {
        let store = trustAnchors
        var lines: [String] = []
        for anchor in store.anchors {
            for ds in anchor.ds {
                lines.append("\(anchor.owner) DS \(ds.keyTag) \(ds.algorithm) \(ds.digestType)")
            }
            for key in anchor.dnskeys {
                lines.append("\(anchor.owner) DNSKEY \(key.keyTag) \(key.algorithm) flags \(key.flags)")
            }
        }
        for managed in store.managedAnchors {
            for key in managed.keys {
                lines.append("\(managed.zone) managed key \(key.keyTag) \(key.state)")
            }
        }
        return lines
    }
}
