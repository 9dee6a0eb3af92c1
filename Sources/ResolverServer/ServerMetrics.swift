// Primary responsibilities: the daemon's Prometheus metrics — counters the listeners and the
// upstream transport bump as they work (one relaxed atomic add each), and values read from the
// caches when a scrape asks (collectors) — rendered in the Prometheus text format.

import DNSSEC
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
        /// Given by a local stage (local data, a blocklist: ``QueryHandler``'s `CacheAnswer.local`).
        case local
        /// Built after a resolution (or the client-wait deadline) from fresh data.
        case resolution
        /// Built from data past its TTL (RFC 8767): a response carrying EDE 3 or 19, on any path.
        case stale
        /// Built by the server itself: FORMERR, NOTIMP, REFUSED, BADVERS.
        case server

        /// The label value.
        var label: String {
            switch self {
            case .packetCache: "packet-cache"
            case .cache: "cache"
            case .local: "local"
            case .resolution: "resolution"
            case .stale: "stale"
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
    /// Time from a query's arrival to its response, by ``Source``.
    private let latency: [LatencyHistogram]
    /// Queries by QTYPE, in the order of ``queryTypes``, `other` last.
    private let queryTypeCounts: [Counter]
    /// Answers by security status, indexed by `SecurityStatus.rawValue`.
    private let securityCounts: [Counter]
    /// Bogus and SERVFAIL answers by EDE code: 0…``maxRegisteredEDECode``, then `other`, then `none`.
    private let failureCounts: [Counter]
    /// Upstream round-trip times of the first ``maxTrackedUpstreamServers`` servers that answered.
    private let upstreamRTT = Mutex<[ServerAddress: LatencyHistogram]>([:])
    /// Upstream round-trip times of every other server.
    private let otherUpstreamRTT = LatencyHistogram()
    /// What runs before each scrape to copy in figures kept elsewhere.
    private let collectors = Mutex<[@Sendable () -> Void]>([])
    /// Serialises scrapes, so collectors never run twice at once.
    private let scrape = Mutex(())

    /// The QTYPEs counted by name (RFC 1035 §3.2.2, RFC 3596, RFC 4034, RFC 9460 and the common
    /// rest); every other type counts as `other`, so the label set stays bounded.
    package static let queryTypes: [RRType] = [
        .a, .ns, .cname, .soa, .ptr, .mx, .txt, .aaaa, .srv, .naptr, .ds, .dnskey, .svcb, .https, .caa, .any,
    ]
    /// The highest EDE INFO-CODE given its own `code` label: the RFC 8914 §5.2 registry as DNSWire
    /// knows it (0 Other … 29 Synthesized); higher codes count as `other`.
    package static let maxRegisteredEDECode: UInt16 = 29
    /// Upstream servers given their own `server` label (the first to answer); the rest share `other`.
    package static let maxTrackedUpstreamServers = 32

    /// Creates the metrics, every fixed series at zero.
    package init() {
        let registry = self.registry
        latency = Source.allCases.map { _ in LatencyHistogram() }
        queryTypeCounts = (Self.queryTypes.map { "\($0)" } + ["other"]).map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_queries_by_type_total", help: "Queries with a readable question, by QTYPE."),
                labels: [("qtype", $0)])
        }
        securityCounts = (0...SecurityStatus.secure.rawValue).map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_answers_by_security_total",
                    help: "Answers the engine gave (cache, local stages, resolutions), by DNSSEC security status."),
                labels: [("security", "\(SecurityStatus(rawValue: $0) ?? .unchecked)")])
        }
        failureCounts = ((0...Self.maxRegisteredEDECode).map { String($0) } + ["other", "none"]).map {
            registry.makeCounter(
                descriptor: Self.descriptor(
                    "mamori_answer_failures_total",
                    help: "Bogus answers and SERVFAIL answers the engine gave, by the first EDE code (RFC 8914)."),
                labels: [("code", $0)])
        }
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

    /// One response is being sent: RCODE (with EDNS's extended bits), AD, its source, and when its
    /// query arrived (``monotonicNanoseconds()``), for the latency histogram.
    @inline(__always)
    func responded(rcode: UInt16, authenticated isAuthenticated: Bool, source: Source, started: UInt64) {
        let index: Int =
            switch rcode {
            case 0...5: Int(rcode)
            case RCode.badVers.rawValue: 6
            default: 7
            }
        responses[index].increment()
        sources[source.rawValue].increment()
        if isAuthenticated { authenticated.increment() }
        latency[source.rawValue].record(nanoseconds: monotonicNanoseconds() &- started)
    }

    /// One response replayed by the packet cache is being sent; `flags` is its fourth header octet
    /// (RA, Z, AD, CD, RCODE: RFC 1035 §4.1.1, RFC 4035 §3.2), `query` the query it answers.
    @inline(__always)
    func respondedFromPacketCache(query: UnsafeBufferPointer<UInt8>, flags: UInt8, started: UInt64) {
        asked(Self.queryType(in: query))
        responded(rcode: UInt16(flags & 0x0F), authenticated: flags & 0x20 != 0, source: .packetCache, started: started)
    }

    /// One response built from `message` is being sent. A response with stale data (EDE 3 or 19,
    /// RFC 8767 §6) counts as ``Source/stale`` whatever path built it.
    func responded(_ message: Message, source: Source, started: UInt64) {
        var source = source
        if let edns = message.edns, !edns.options.isEmpty {
            for error in edns.extendedErrors {
                extendedError(error.code.rawValue).increment()
                if error.code == .staleAnswer || error.code == .staleNXDOMAINAnswer { source = .stale }
            }
        }
        responded(
            rcode: message.rcode.rawValue, authenticated: message.header.authenticData, source: source,
            started: started)
    }

    /// One query with a readable question of type `type` arrived.
    @inline(__always)
    func asked(_ type: RRType) {
        var index = 0
        while index < Self.queryTypes.count, Self.queryTypes[index] != type { index += 1 }
        queryTypeCounts[index].increment()
    }

    /// The QTYPE of a query's first question read in place (RFC 1035 §4.1.2), or TYPE0 (counted
    /// as `other`) when the name runs past the message or uses a pointer. Bounded by the
    /// message's length: each step moves forward at least one octet.
    static func queryType(in query: UnsafeBufferPointer<UInt8>) -> RRType {
        var offset = 12
        while offset < query.count {
            let length = Int(query[offset])
            if length == 0 { break }
            guard length < 0x40 else { return RRType(0) }
            offset += 1 + length
        }
        guard offset + 2 < query.count else { return RRType(0) }
        return RRType(UInt16(query[offset + 1]) << 8 | UInt16(query[offset + 2]))
    }

    /// One answer left the engine, judged (``QueryHandler`` implementations call this: only they
    /// see the verdict). Packet-cache replays of it are not counted again.
    package func answered(_ answer: Resolution) {
        securityCounts[answer.status.rawValue].increment()
        guard answer.status == .bogus || answer.rcode == .servFail else { return }
        let index =
            switch answer.extendedErrors.first?.code.rawValue {
            case .none: failureCounts.count - 1
            case .some(let code) where code <= Self.maxRegisteredEDECode: Int(code)
            case .some: failureCounts.count - 2
            }
        failureCounts[index].increment()
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

    /// A server's acceptable response came `nanoseconds` after the query left (``UpstreamObserver``).
    /// The first ``maxTrackedUpstreamServers`` servers get their own histogram, the rest share one.
    package func upstreamResponded(by server: ServerAddress, afterNanoseconds nanoseconds: UInt64) {
        let histogram = upstreamRTT.withLock { tracked -> LatencyHistogram in
            if let histogram = tracked[server] { return histogram }
            guard tracked.count < Self.maxTrackedUpstreamServers else { return otherUpstreamRTT }
            let histogram = LatencyHistogram()
            tracked[server] = histogram
            return histogram
        }
        histogram.record(nanoseconds: nanoseconds)
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

    /// The Prometheus text exposition (format 0.0.4) of every metric, collectors run first: the
    /// registry's, then the histograms and the `process_*` figures rendered here.
    package func exposition() -> [UInt8] {
        scrape.withLock { _ in
            for collector in collectors.withLock({ $0 }) { collector() }
            var buffer = registry.emitToBuffer()
            buffer += Array(renderedHere().utf8)
            return buffer
        }
    }

    /// The metrics swift-prometheus does not render: lock-free histograms and `process_*`.
    private func renderedHere() -> String {
        var text = ""
        text += "# HELP mamori_response_duration_seconds Time from a query's arrival to its response, by source.\n"
        text += "# TYPE mamori_response_duration_seconds histogram\n"
        for source in Source.allCases {
            latency[source.rawValue].render(
                name: "mamori_response_duration_seconds", labels: "source=\"\(source.label)\"", into: &text)
        }
        text += "# HELP mamori_upstream_rtt_seconds Round-trip time of acceptable upstream responses, by server.\n"
        text += "# TYPE mamori_upstream_rtt_seconds histogram\n"
        let tracked = upstreamRTT.withLock { $0 }.map { ("\($0.key)", $0.value) }.sorted { $0.0 < $1.0 }
        for (server, histogram) in tracked + [("other", otherUpstreamRTT)] {
            histogram.render(name: "mamori_upstream_rtt_seconds", labels: "server=\"\(server)\"", into: &text)
        }
        guard let process = ProcessStatistics.current() else { return text }
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric(
            "process_cpu_seconds_total", "counter", "User and system CPU time spent, seconds.", "\(process.cpuSeconds)")
        metric("process_resident_memory_bytes", "gauge", "Resident memory size, bytes.", "\(process.residentBytes)")
        metric("process_virtual_memory_bytes", "gauge", "Virtual memory size, bytes.", "\(process.virtualBytes)")
        metric("process_open_fds", "gauge", "Open file descriptors.", "\(process.openFileDescriptors)")
        metric("process_max_fds", "gauge", "The limit on open file descriptors.", "\(process.maxFileDescriptors)")
        metric(
            "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, seconds.",
            "\(process.startTimeSeconds)")
        return text
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
