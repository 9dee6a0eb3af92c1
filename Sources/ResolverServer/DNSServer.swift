// Primary responsibilities: the set of listeners — binding `threads` UDP and TCP sockets per
// address and one DNS-over-TLS socket per TLS address (or taking socket-activated ones), starting them, applying a reloaded policy, the
// watchdog's liveness probe, and an orderly stop: stop reading, let in-flight work finish within
// a bound, close.

import DNSCache
import DNSWire
import Dispatch
import Logging
import MamoriSystem
package import MamoriTLS
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Every listener of the daemon, around one ``QueryProcessor``.
package final class DNSServer: Sendable {
    /// The listeners, once bound.
    private struct Listeners {
        /// UDP sockets.
        var udp: [UDPListener] = []
        /// TCP sockets.
        var tcp: [TCPListener] = []
        /// DNS-over-TLS sockets.
        var tls: [TCPListener] = []
        /// DNS-over-HTTPS sockets.
        var https: [TCPListener] = []

        /// Every stream listener: plain, TLS and HTTPS.
        var streams: [TCPListener] { tcp + tls + https }
    }

    /// The DNS logic shared by every listener.
    package let processor: QueryProcessor
    /// Where events are logged.
    private let logger: Logger
    /// The failure and query logs, one of the processor's observers.
    package let responseLog: ResponseLog
    /// The listeners.
    private let listeners = Mutex(Listeners())
    /// Open TCP connections over all plain TCP listeners.
    private let budget = ConnectionBudget()
    /// Open DNS-over-TLS and DNS-over-HTTPS connections, under the same limits but counted apart,
    /// so that clients of one transport cannot take another's slots.
    private let tlsBudget = ConnectionBudget()
    private let httpsBudget = ConnectionBudget()
    /// The TLS side of the DoT listeners, when there are any.
    private let tls: TLSAcceptor?
    /// The TLS side of the DoH listeners and the path they serve, when there are any.
    private let https: (acceptor: TLSAcceptor, path: String)?
    /// Probes answered in the current watchdog round, and how many were sent.
    private let probes = Mutex((answered: 0, sent: 0))

    /// Creates a server; nothing is bound yet. With `metrics`, the listeners count what they do and
    /// the packet cache, waiting queries and TCP connections are reported at each scrape.
    /// - Parameter packetCacheBytes: the packet cache's memory bound, or nil for none.
    /// - Parameters:
    ///   - tls: the TLS side of the DNS-over-TLS listeners, when any are bound.
    ///   - https: the TLS side (ALPN `h2`) and the path of the DNS-over-HTTPS listeners.
    ///   - observers: told of responses after the failure and query logs (dnstap).
    package init(
        handler: any QueryHandler, policy: ServerPolicy, packetCacheBytes: Int?, logger: Logger,
        metrics: ServerMetrics? = nil, tls: TLSAcceptor? = nil, https: (acceptor: TLSAcceptor, path: String)? = nil,
        observers: [any ResponseObserver] = []
    ) {
        let packetCache = packetCacheBytes.map { PacketCache(maxBytes: $0) }
        let responseLog = ResponseLog(logger: logger, settings: policy.responseLog)
        self.responseLog = responseLog
        self.processor = QueryProcessor(
            handler: handler, policy: policy, packetCache: packetCache, metrics: metrics,
            observers: [responseLog] + observers)
        self.logger = logger
        self.tls = tls
        self.https = https
        if let metrics {
            Self.addCollectors(
                to: metrics, processor: processor, budget: budget, tlsBudget: tlsBudget, httpsBudget: httpsBudget)
        }
    }

    /// Scrape-time figures of the listeners and the packet cache (Docs/metrics.md).
    private static func addCollectors(
        to metrics: ServerMetrics, processor: QueryProcessor, budget: ConnectionBudget, tlsBudget: ConnectionBudget,
        httpsBudget: ConnectionBudget
    ) {
        let waiting = metrics.gauge("mamori_queries_waiting", help: "Client queries waiting for a resolution.")
        let connections = metrics.gauge("mamori_tcp_connections", help: "Client TCP connections open.")
        let tlsConnections = metrics.gauge(
            "mamori_tls_connections", help: "Client DNS-over-TLS connections open (handshaking or established).")
        let httpsConnections = metrics.gauge(
            "mamori_https_connections", help: "Client DNS-over-HTTPS connections open (handshaking or established).")
        metrics.addCollector {
            waiting.set(processor.pending.total)
            connections.set(budget.count)
            tlsConnections.set(tlsBudget.count)
            httpsConnections.set(httpsBudget.count)
        }
        guard let packetCache = processor.packetCache else { return }
        let hits = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_packet_cache_hits_total", help: "Queries answered from the packet cache.")
        let misses = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_packet_cache_misses_total", help: "Packet cache lookups that found nothing fresh.")
        let inserts = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_packet_cache_inserts_total", help: "Responses stored in the packet cache.")
        let evictions = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_packet_cache_evictions_total",
            help: "Packet cache entries evicted to stay within its memory bound.")
        let entries = metrics.gauge("mamori_packet_cache_entries", help: "Responses held in the packet cache.")
        let bytes = metrics.gauge("mamori_packet_cache_bytes", help: "Bytes the packet cache accounts for.")
        metrics.addCollector {
            let statistics = packetCache.statistics
            hits.update(to: statistics.hits)
            misses.update(to: statistics.misses)
            inserts.update(to: statistics.inserts)
            evictions.update(to: statistics.evictions)
            entries.set(statistics.entries)
            bytes.set(statistics.bytes)
        }
    }

    /// The name (systemd's FileDescriptorName=) that marks a socket-activated stream socket as
    /// DNS over TLS; other stream sockets carry plain DNS over TCP.
    package static let activatedTLSName = "dot"
    /// The name that marks a socket-activated stream socket as DNS over HTTPS.
    package static let activatedHTTPSName = "doh"

    /// Binds `threads` UDP and TCP sockets per address with SO_REUSEPORT and one TLS socket per
    /// `tlsAddresses` and `httpsAddresses` entry, or, when `activated` is not empty, uses those
    /// sockets instead (socket activation overrides `listen`, `listen-tls` and `listen-https`; a
    /// stream socket named ``activatedTLSName`` serves DNS over TLS, one named
    /// ``activatedHTTPSName`` DNS over HTTPS). Port 0 asks the kernel for a free port, then the other sockets of that
    /// address share it.
    /// - Throws: ``SocketError`` for the first address that cannot be bound; nothing stays bound.
    package func bind(
        _ addresses: [ServiceAddress], threads: Int, tlsAddresses: [ServiceAddress] = [],
        httpsAddresses: [ServiceAddress] = [], activated: [ActivatedSocket] = []
    ) throws(SocketError) {
        var bound = Listeners()
        if !activated.isEmpty {
            for socket in activated {
                if socket.isStream && socket.name == Self.activatedTLSName, let tls {
                    bound.tls.append(
                        TCPListener(
                            descriptor: socket.descriptor, localAddress: socket.localAddress, processor: processor,
                            budget: tlsBudget, logger: logger, service: .tls(tls)))
                } else if socket.isStream && socket.name == Self.activatedHTTPSName, let https {
                    bound.https.append(
                        TCPListener(
                            descriptor: socket.descriptor, localAddress: socket.localAddress, processor: processor,
                            budget: httpsBudget, logger: logger, service: .https(https.acceptor, path: https.path)))
                } else if socket.isStream {
                    bound.tcp.append(
                        TCPListener(
                            descriptor: socket.descriptor, localAddress: socket.localAddress, processor: processor,
                            budget: budget, logger: logger))
                } else {
                    bound.udp.append(
                        UDPListener(
                            descriptor: socket.descriptor, localAddress: socket.localAddress, processor: processor,
                            logger: logger))
                }
            }
            listeners.withLock { $0 = bound }
            return
        }
        do {
            for address in addresses {
                let (udp, tcp) = try bindAddress(address, threads: max(1, threads))
                bound.udp += udp
                bound.tcp += tcp
            }
            if let tls {
                for address in tlsAddresses {
                    let descriptor = try Sockets.open(address, stream: true, reusePort: true)
                    bound.tls.append(
                        TCPListener(
                            descriptor: descriptor, localAddress: Sockets.localAddress(descriptor) ?? address,
                            processor: processor, budget: tlsBudget, logger: logger, service: .tls(tls)))
                }
            }
            if let https {
                for address in httpsAddresses {
                    let descriptor = try Sockets.open(address, stream: true, reusePort: true)
                    bound.https.append(
                        TCPListener(
                            descriptor: descriptor, localAddress: Sockets.localAddress(descriptor) ?? address,
                            processor: processor, budget: httpsBudget, logger: logger,
                            service: .https(https.acceptor, path: https.path)))
                }
            }
        } catch {
            for listener in bound.udp { listener.close() }
            for listener in bound.streams { listener.close() }
            throw error
        }
        listeners.withLock { $0 = bound }
    }

    /// Binds one address, retrying a few times when port 0 gave a UDP port whose TCP twin is taken.
    private func bindAddress(
        _ address: ServiceAddress, threads: Int
    ) throws(SocketError) -> ([UDPListener], [TCPListener]) {
        var attempt = 0
        while true {
            attempt += 1
            var udp: [UDPListener] = []
            var tcp: [TCPListener] = []
            do {
                var target = address
                if address.port != 0 {
                    try Sockets.checkAvailable(address, stream: false)
                    try Sockets.checkAvailable(address, stream: true)
                }
                for _ in 0..<threads {
                    let descriptor = try Sockets.open(target, stream: false, reusePort: true)
                    let local = Sockets.localAddress(descriptor) ?? target
                    target.port = local.port
                    udp.append(
                        UDPListener(descriptor: descriptor, localAddress: local, processor: processor, logger: logger))
                }
                for _ in 0..<threads {
                    let descriptor = try Sockets.open(target, stream: true, reusePort: true)
                    tcp.append(
                        TCPListener(
                            descriptor: descriptor, localAddress: target, processor: processor, budget: budget,
                            logger: logger))
                }
                return (udp, tcp)
            } catch {
                for listener in udp { listener.close() }
                for listener in tcp { listener.close() }
                if address.port == 0 && error.code == EADDRINUSE && attempt < 5 { continue }
                throw error
            }
        }
    }

    /// Starts reading on every socket.
    package func start() {
        let current = listeners.withLock { $0 }
        for listener in current.udp { listener.start() }
        for listener in current.streams { listener.start() }
    }

    /// The UDP addresses bound (ports resolved), one per address even with several threads.
    package var udpAddresses: [ServiceAddress] { Self.distinct(listeners.withLock { $0.udp.map(\.localAddress) }) }

    /// The TCP addresses bound, one per address.
    package var tcpAddresses: [ServiceAddress] { Self.distinct(listeners.withLock { $0.tcp.map(\.localAddress) }) }

    /// The context DNS-over-TLS connections start with now, nil without TLS listeners.
    package var tlsContext: TLSServerContext? { tls?.current }
    /// The context DNS-over-HTTPS connections start with now, nil without HTTPS listeners.
    package var httpsContext: TLSServerContext? { https?.acceptor.current }
    /// The path DNS over HTTPS is served on, nil without HTTPS listeners.
    package var httpsPath: String? { https?.path }

    /// The DNS-over-HTTPS addresses bound, one per address.
    package var httpsAddresses: [ServiceAddress] { Self.distinct(listeners.withLock { $0.https.map(\.localAddress) }) }

    /// The DNS-over-TLS addresses bound, one per address.
    package var tlsAddresses: [ServiceAddress] { Self.distinct(listeners.withLock { $0.tls.map(\.localAddress) }) }

    /// `addresses` without repeats, in order: several sockets (threads) share an address.
    private static func distinct(_ addresses: [ServiceAddress]) -> [ServiceAddress] {
        var seen: [ServiceAddress] = []
        for address in addresses where !seen.contains(address) { seen.append(address) }
        return seen
    }

    /// Applies reloaded listener settings (access control, limits, EDNS size) and, when given,
    /// reloaded certificates and keys for connections accepted from now on (open ones keep theirs).
    /// Addresses, thread counts and the DoH path are bound once: changing them needs a restart.
    package func reload(
        _ policy: ServerPolicy, tlsContext: TLSServerContext? = nil, httpsContext: TLSServerContext? = nil
    ) {
        processor.update(policy: policy)
        responseLog.apply(policy.responseLog)
        if let tlsContext { tls?.replace(with: tlsContext) }
        if let httpsContext { https?.acceptor.replace(with: httpsContext) }
    }

    /// For the watchdog: true when every listener queue ran the previous round's probe; then
    /// sends the next round. A queue stuck in a handler thus stops the pings.
    package func livenessCheck() -> Bool {
        let current = listeners.withLock { $0 }
        let healthy = probes.withLock { state in
            let healthy = state.answered >= state.sent
            state = (answered: 0, sent: current.udp.count + current.streams.count)
            return healthy
        }
        for listener in current.udp { listener.probe { [self] in probes.withLock { $0.answered += 1 } } }
        for listener in current.streams { listener.probe { [self] in probes.withLock { $0.answered += 1 } } }
        return healthy
    }

    /// Stops taking queries, waits up to `timeout` for queries in resolution to be answered (and
    /// sent), then closes every socket.
    /// - Returns: how many queries were abandoned.
    package func stop(timeout: Duration) -> Int {
        let current = listeners.withLock { $0 }
        for listener in current.udp { listener.stopReading() }
        for listener in current.streams { listener.stopAccepting() }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while processor.pending.total > 0 && clock.now < deadline {
            usleep(10_000)
        }
        let abandoned = processor.pending.total
        // Let the stream queues send answers that arrived just now before the sockets close (UDP
        // answers are sent by the thread that resolved them).
        for listener in current.streams { listener.queue.sync {} }
        for listener in current.udp { listener.close() }
        for listener in current.streams { listener.close() }
        listeners.withLock { $0 = Listeners() }
        responseLog.flush()
        return abandoned
    }
}
