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

    /// Creates a context.
    package init(
        started: ContinuousClock.Instant, configuration: @escaping @Sendable () -> Configuration,
        listening: @escaping @Sendable () -> String, packetCache: PacketCache?, waiting: @escaping @Sendable () -> Int,
        reload: @escaping @Sendable () -> String?
    ) {
        self.started = started
        self.configuration = configuration
        self.listening = listening
        self.packetCache = packetCache
        self.waiting = waiting
        self.reload = reload
    }
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
        var lines = [
            "uptime: \(uptime.components.seconds) s",
            "configuration: \(configuration.sourceFile ?? "built-in defaults")",
            "listening: \(context.listening())",
            "validation: \(configuration.dnssec.validation ? "on" : "off"), \(store.anchors.count) trust anchors, \(store.negativeAnchors.count) negative trust anchors",
            "cache: \(statistics.totalEntries) entries, \(statistics.bytesUsed) of \(statistics.bytesLimit) bytes",
            "waiting: \(context.waiting()) queries in resolution",
        ]
        if let packetCache = context.packetCache {
            let packets = packetCache.statistics
            lines.insert(
                "packet-cache: \(packets.entries) entries, \(packets.bytes) of \(packetCache.maxBytes) bytes", at: 5)
        }
        return lines
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
