// Primary responsibilities: the daemon's Prometheus metrics — counters the listeners and the
// upstream transport bump as they work (one relaxed atomic add each), and values read from the
// caches when a scrape asks (collectors) — rendered in the Prometheus text format.

import DNSWire
import MamoriSystem
import Prometheus
import Resolver
import Synchronization

/// Everything `metrics.listen` serves (Docs/metrics.md lists each metric and its meaning).
///
/// Counters on the query path are swift-prometheus `Counter`s created up front, so recording is an
/// atomic increment with no lock and no allocation; only extended error codes are created on first
/// use (under a lock, off the cached path: cached answers rarely carry one). Figures that other
/// components already keep (cache statistics, waiting queries) are copied in by collectors at
/// scrape time, so the query path pays nothing for them.
package final class ServerMetrics: Sendable, UpstreamObserver, MetricsExposition {
    /// Where a response came from.
    package enum Source: Int, Sendable, CaseIterable {
        /// Replayed from the packet cache.
        case packetCache
        /// Built from the RRset cache on the listener's queue.
        case cache
        /// Built after a resolution (or the client-wait deadline).
        case resolution
        /// Built by the server itself: FORMERR, NOTIMP, REFUSED, BADVERS.
        case server

        /// The label value.
        var label: String {
            switch self {
            case .packetCache: "packet-cache"
            case .cache: "cache"
            case .resolution: "resolution"
            case .server: "server"
            }
        }
    }

    /// Why a query got no response.
    package enum DropReason: Int, Sendable, CaseIterable {
        /// `access-control` said deny.
        case denied
        /// Too short for a header, or a response.
        case unreadable
        /// Over `server.max-pending-per-client` (UDP).
        case waitingLimit
        /// Over `server.max-pending` and the client's fair share of it.
        case waitingTotalLimit

        /// The label value.
        var label: String {
            switch self {
            case .denied: "denied"
            case .unreadable: "unreadable"
            case .waitingLimit: "waiting-limit"
            case .waitingTotalLimit: "waiting-total-limit"
            }
        }
    }

    /// What became of an upstream exchange.
    package enum UpstreamOutcome: Int, Sendable, CaseIterable {
        /// An acceptable response.
        case response
        /// Nothing acceptable in time.
        case timeout
        /// A reply with the wrong ID or question (RFC 5452 §9.2).
        case mismatch
        /// Sending or connecting failed.
        case networkError
        /// Not sent: the cap on outstanding upstream queries was reached.
        case notSent

        /// The label value.
        var label: String {
            switch self {
            case .response: "response"
            case .timeout: "timeout"
            case .mismatch: "mismatch"
            case .networkError: "network-error"
            case .notSent: "not-sent"
            }
        }
    }

    /// The registry everything is rendered from.
    package let registry = PrometheusCollectorRegistry()
    /// Queries received, in the order of `DNSTransport.allCases`.
    private let queries: [Counter]
    /// Responses sent by RCODE: NOERROR … REFUSED at 0–5, BADVERS at 6, any other at 7.
    private let responses: [Counter]
    /// Responses sent by ``Source``.
    private let sources: [Counter]
    /// Responses sent with AD set.
    private let authenticated: Counter
    /// Queries dropped by ``DropReason``.
    private let drops: [Counter]
    /// Upstream queries sent, in the order of `DNSTransport.allCases`.
    private let upstreamQueries: [Counter]
    /// Client TLS handshakes: full, resumed, failed.
    private let tlsHandshakes: [Counter]
    /// Upstream exchanges by ``UpstreamOutcome``.
    private let upstreamOutcomes: [Counter]
    /// TLS handshakes with forwarders, in the order of `UpstreamTLSHandshake.allCases`.
    private let upstreamHandshakes: [Counter]
    /// Responses carrying each Extended DNS Error code, made on first use.
    private let extendedErrors = Mutex<[UInt16: Counter]>([:])
    /// What runs before each scrape to copy in figures kept elsewhere.
    private let collectors = Mutex<[@Sendable () -> Void]>([])
    /// Serialises scrapes, so collectors never run twice at once.
    private let scrape = Mutex(())

    /// Creates the metrics, every fixed series at zero.
    package init() {
        let registry = self.registry
        queries = DNSTransport.allCases.map {
            registry.makeCounter(
                descriptor: Self.descriptor("mamori_queries_total", help: "Queries received from clients."),
                labels: [("transport", $0.rawValue)])
        }
        responses = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other"].map {
            registry.makeCounter(
                descriptor: Self.descriptor("mamori_responses_total", help: "Responses sent to clients, by RCODE."),
                labels: [("rcode", $0)])
        }
        sources = Source.allCases.map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_responses_by_source_total", help: "Responses sent to clients, by where they came from."),
                labels: [("source", $0.label)])
        }
        authenticated = registry.makeCounter(
            descriptor: Self.descriptor(
                "mamori_responses_authenticated_total",
                help: "Responses sent with AD set: validated (secure) data for a client that asked with DO or AD."),
            labels: [])
        drops = DropReason.allCases.map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_queries_dropped_total", help: "Queries that got no response, by reason."),
                labels: [("reason", $0.label)])
        }
        upstreamQueries = DNSTransport.allCases.map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_upstream_queries_total", help: "Queries sent to authoritative servers and forwarders."),
                labels: [("transport", $0.rawValue)])
        }
        tlsHandshakes = ["full", "resumed", "failed"].map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_tls_handshakes_total",
                    help: "Client TLS handshakes: completed in full, resumed from a ticket, or failed (or timed out)."),
                labels: [("result", $0)])
        }
        upstreamOutcomes = UpstreamOutcome.allCases.map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_upstream_replies_total", help: "Upstream exchanges by what came back."),
                labels: [("result", $0.label)])
        }
        upstreamHandshakes = UpstreamTLSHandshake.allCases.map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_upstream_tls_handshakes_total",
                    help:
                        "TLS handshakes with forwarders: full, resumed, failed, or refused because the server did not"
                        + " prove who it is (name, chain or pin)."),
                labels: [("result", Self.label(of: $0))])
        }
    }

    /// The `result` label of a forwarder's handshake.
    private static func label(of outcome: UpstreamTLSHandshake) -> String {
        switch outcome {
        case .full: "full"
        case .resumed: "resumed"
        case .failed: "failed"
        case .authenticationFailed: "authentication-failed"
        }
    }

    /// One query arrived.
    @inline(__always)
    func received(_ transport: DNSTransport) { queries[Self.index(of: transport)].increment() }

    /// `transport`'s place in `DNSTransport.allCases`, the order of the per-transport counters.
    @inline(__always)
    private static func index(of transport: DNSTransport) -> Int {
        switch transport {
        case .udp: 0
        case .tcp: 1
        case .tls: 2
        case .https: 3
        }
    }

    /// One query was dropped.
    @inline(__always)
    func dropped(_ reason: DropReason) { drops[reason.rawValue].increment() }

    /// One response is being sent: RCODE (with EDNS's extended bits), AD, and its source.
    @inline(__always)
    func responded(rcode: UInt16, authenticated isAuthenticated: Bool, source: Source) {
        let index: Int =
            switch rcode {
            case 0...5: Int(rcode)
            case RCode.badVers.rawValue: 6
            default: 7
            }
        responses[index].increment()
        sources[source.rawValue].increment()
        if isAuthenticated { authenticated.increment() }
    }

    /// One response replayed by the packet cache is being sent; `flags` is its fourth header octet
    /// (RA, Z, AD, CD, RCODE: RFC 1035 §4.1.1, RFC 4035 §3.2).
    @inline(__always)
    func respondedFromPacketCache(flags: UInt8) {
        responded(rcode: UInt16(flags & 0x0F), authenticated: flags & 0x20 != 0, source: .packetCache)
    }

    /// One response built from `message` is being sent.
    func responded(_ message: Message, source: Source) {
        responded(rcode: message.rcode.rawValue, authenticated: message.header.authenticData, source: source)
        guard let edns = message.edns, !edns.options.isEmpty else { return }
        for error in edns.extendedErrors { extendedError(error.code.rawValue).increment() }
    }

    /// The counter of one Extended DNS Error code (RFC 8914 §4), made on first use.
    private func extendedError(_ code: UInt16) -> Counter {
        extendedErrors.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_extended_errors_total",
                    help: "Responses built with this Extended DNS Error code (RFC 8914)."),
                labels: [("code", String(code))])
            counters[code] = counter
            return counter
        }
    }

    /// A client's TLS handshake completed.
    func tlsHandshakeCompleted(resumed: Bool) { tlsHandshakes[resumed ? 1 : 0].increment() }

    /// A client's TLS handshake failed or passed its deadline.
    func tlsHandshakeFailed() { tlsHandshakes[2].increment() }

    /// One upstream query is being sent (``UpstreamObserver``, for the socket transport).
    package func upstreamQuerySent(over transport: DNSTransport) {
        upstreamQueries[Self.index(of: transport)].increment()
    }

    /// One upstream exchange ended (``UpstreamObserver``, for the socket transport).
    package func upstreamExchangeEnded(_ reply: UpstreamReply) {
        let outcome: UpstreamOutcome =
            switch reply {
            case .response: .response
            case .timeout: .timeout
            case .mismatch: .mismatch
            case .networkError: .networkError
            case .notSent: .notSent
            }
        upstreamOutcomes[outcome.rawValue].increment()
    }

    /// A TLS handshake with a forwarder ended (``UpstreamObserver``, for the socket transport).
    package func upstreamTLSHandshakeEnded(_ outcome: UpstreamTLSHandshake) {
        upstreamHandshakes[UpstreamTLSHandshake.allCases.firstIndex(of: outcome) ?? 0].increment()
    }

    /// Runs `collector` before every scrape, to copy figures kept elsewhere into the registry.
    package func addCollector(_ collector: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// The Prometheus text exposition (format 0.0.4) of every metric, collectors run first.
    package func exposition() -> [UInt8] {
        scrape.withLock { _ in
            for collector in collectors.withLock({ $0 }) { collector() }
            return registry.emitToBuffer()
        }
    }

    /// A counter that follows a cumulative count kept elsewhere (a cache's hits): each scrape adds
    /// what it grew by since the last one. A count that went down (a restart of its owner) adds
    /// nothing until it passes the last value again.
    package final class FollowingCounter: Sendable {
        /// The registry's counter.
        private let counter: Counter
        /// The last value seen.
        private let last = Mutex(0)

        /// Follows into `name` with `labels`.
        package init(_ metrics: ServerMetrics, name: String, labels: [(String, String)] = [], help: String) {
            counter = metrics.registry.makeCounter(
                descriptor: ServerMetrics.descriptor(name, help: help), labels: labels)
        }

        /// Brings the counter up to `total`.
        package func update(to total: Int) {
            let delta = last.withLock { last -> Int in
                defer { last = max(last, total) }
                return max(0, total - last)
            }
            if delta > 0 { counter.increment(by: Int64(delta)) }
        }
    }

    /// The descriptor of a metric whose full name is `name` (units already in it, as `_total`).
    static func descriptor(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// A gauge set at each scrape.
    package func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> ScrapedGauge {
        ScrapedGauge(registry.makeGauge(descriptor: Self.descriptor(name, help: help), labels: labels))
    }

    /// A gauge a collector sets to a value read at scrape time.
    package final class ScrapedGauge: Sendable {
        /// The registry's gauge.
        private let gauge: Gauge

        /// Wraps `gauge`.
        init(_ gauge: Gauge) { self.gauge = gauge }

        /// Sets the value.
        package func set(_ value: Int) { gauge.set(Int64(value)) }
    }
}
