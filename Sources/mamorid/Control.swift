// Primary responsibilities: what the daemon does for each control command (Docs/control.md):
// report status and counters, reload, flush caches, add and remove negative trust anchors, list
// trust anchors. The socket and the protocol are ResolverServer's (ControlSocket).

import DNSCache
import DNSSEC
import DNSWire
import Dispatch
import Logging
import MamoriConfiguration
import Resolver
import ResolverServer
import Synchronization

extension Daemon: ControlHandler {
    /// Carries out one command, on the control socket's queue.
    func perform(_ command: ControlCommand) -> ControlReply {
        guard let engine, let server else { return .error("the daemon is still starting") }
        let packetCache = server.processor.packetCache
        switch command {
        case .status:
            return .ok(status(engine, server))
        case .stats:
            return .ok(stats(engine, server))
        case .reload:
            // Reloads are serialised with SIGHUP and stopping on the daemon's queue.
            if let failure = control.sync(execute: { reload() }) { return .error("reload rejected: \(failure)") }
            return .ok(["configuration reloaded"])
        case .flushAll:
            engine.cache.flushAll()
            packetCache?.flush()
            return .ok(["flushed every cached entry"])
        case .flushName(let name):
            let removed = engine.cache.flush(name: name)
            packetCache?.flush()
            return .ok(["removed \(removed) entries of \(name)"])
        case .flushZone(let zone):
            let removed = engine.cache.flushZone(zone)
            packetCache?.flush()
            return .ok(["removed \(removed) entries at and below \(zone)"])
        case .flushInfrastructure:
            engine.infrastructure.flushAll()
            return .ok(["forgot what was known about upstream servers"])
        case .ntaList:
            return .ok(negativeAnchorLines(engine.anchors.withLock { $0.store }))
        case .ntaAdd(let name, let seconds):
            let store = engine.anchors.withLock { $0.store }
            let expiry = seconds.map { SystemClock().wallSeconds + $0 }
            store.addNegativeAnchor(NegativeTrustAnchor(name: name, expiry: expiry))
            // RFC 7646 §2.1: what was judged under the old rules must not outlive them.
            let removed = engine.cache.flushZone(name)
            packetCache?.flush()
            logger.notice("negative trust anchor added", metadata: ["name": "\(name)", "seconds": "\(seconds ?? 0)"])
            return .ok([
                "validation is off at and below \(name)\(seconds.map { " for \($0) s" } ?? ""); \(removed) cached entries removed"
            ])
        case .ntaRemove(let name):
            let store = engine.anchors.withLock { $0.store }
            guard store.removeNegativeAnchor(name) else { return .error("no negative trust anchor for \(name)") }
            let removed = engine.cache.flushZone(name)
            packetCache?.flush()
            logger.notice("negative trust anchor removed", metadata: ["name": "\(name)"])
            return .ok(["validation is on again at and below \(name); \(removed) cached entries removed"])
        case .anchors:
            return .ok(anchorLines(engine.anchors.withLock { $0.store }))
        case .lookup(let name, let type, let checkingDisabled):
            // The control queue waits; the resolution runs on the concurrency pool, bounded by
            // resolution.query-timeout.
            let resolver = engine.handler.engine
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
    private func status(_ engine: Engine, _ server: DNSServer) -> [String] {
        let cache = engine.cache.statistics(now: CacheTime(seconds: SystemClock().wallSeconds))
        let store = engine.anchors.withLock { $0.store }
        let uptime = ContinuousClock.now - started
        // Read on the daemon's queue, where a reload replaces it.
        let configuration = control.sync { self.configuration }
        var lines = [
            "uptime: \(uptime.components.seconds) s",
            "configuration: \(configuration.sourceFile ?? "built-in defaults")",
            "listening: UDP \(server.udpAddresses.map(\.description).joined(separator: " ")), TCP \(server.tcpAddresses.map(\.description).joined(separator: " "))",
            "validation: \(configuration.dnssec.validation ? "on" : "off"), \(store.anchors.count) trust anchors, \(store.negativeAnchors.count) negative trust anchors",
            "cache: \(cache.totalEntries) entries, \(cache.bytesUsed) of \(cache.bytesLimit) bytes",
            "waiting: \(server.processor.pending.total) queries in resolution",
        ]
        if let packets = server.processor.packetCache?.statistics {
            lines.insert(
                "packet-cache: \(packets.entries) entries, \(packets.bytes) of \(server.processor.packetCache?.maxBytes ?? 0) bytes",
                at: 5)
        }
        return lines
    }

    /// `stats`: `name value` lines, counters since start and sizes now.
    private func stats(_ engine: Engine, _ server: DNSServer) -> [String] {
        let cache = engine.cache.statistics(now: CacheTime(seconds: SystemClock().wallSeconds))
        var lines = [
            "cache.hits \(cache.counters.hits)",
            "cache.misses \(cache.counters.misses)",
            "cache.stale-hits \(cache.counters.staleHits)",
            "cache.inserts \(cache.counters.inserts)",
            "cache.evictions \(cache.counters.evictions)",
            "cache.expired-removals \(cache.counters.expiredRemovals)",
            "cache.entries \(cache.totalEntries)",
            "cache.bytes \(cache.bytesUsed)",
            "cache.max-bytes \(cache.bytesLimit)",
        ]
        for kind in CacheEntryKind.allCases { lines.append("cache.entries.\(kind) \(cache.entries(kind))") }
        if let packets = server.processor.packetCache?.statistics {
            lines += [
                "packet-cache.hits \(packets.hits)", "packet-cache.misses \(packets.misses)",
                "packet-cache.inserts \(packets.inserts)", "packet-cache.evictions \(packets.evictions)",
                "packet-cache.entries \(packets.entries)", "packet-cache.bytes \(packets.bytes)",
            ]
        }
        lines.append("queries.waiting \(server.processor.pending.total)")
        return lines
    }

    /// `nta list`: one line per NTA with its remaining lifetime.
    private func negativeAnchorLines(_ store: TrustAnchorStore) -> [String] {
        let now = SystemClock().wallSeconds
        return store.negativeAnchors.map { anchor in
            guard let expiry = anchor.expiry else { return "\(anchor.name) until removed" }
            return "\(anchor.name) \(max(0, expiry - now)) s left"
        }
    }

    /// `anchors`: the DS and DNSKEY anchors, and for RFC 5011-managed zones each key's state.
    private func anchorLines(_ store: TrustAnchorStore) -> [String] {
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
