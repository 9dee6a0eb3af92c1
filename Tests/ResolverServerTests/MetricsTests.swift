// Primary responsibilities: the Prometheus metrics — what the query path counts (queries, drops,
// responses by RCODE and source, AD, EDE codes), what the upstream transport reports, and
// scrape-time collectors. The HTTP endpoint's answers are MamoriSystemTests'.

import DNSCache
import DNSSEC
import DNSWire
import Glibc
import MamoriConfiguration
import MamoriService
import MamoriSystem
import Resolver
import ResolverServer
import Testing

/// The value of the series `line` names (`name{labels}`) in an exposition, or nil.
private func value(_ series: String, in exposition: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

@Suite("Metrics")
struct MetricsTests {
    @Test("the query path counts queries, drops, responses by RCODE and source, AD and EDE codes")
    func counting() throws {
        let metrics = ServerMetrics()
        var configuration = Configuration()
        configuration.accessControl = [
            AccessRule(network: IPNetwork("192.0.2.1/32")!, action: .deny),
            AccessRule(network: IPNetwork("0.0.0.0/0")!, action: .allow),
        ]
        let processor = QueryProcessor(
            handler: ScriptedHandler(), policy: ServerPolicy(configuration),
            packetCache: PacketCache(maxBytes: 1 << 20), metrics: metrics)
        let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)
        let cached = queryBytes("cached.test", edns: EDNS(dnssecOK: true))
        for _ in 0..<3 { _ = processor.handle(cached, client: client) }  // cache, cache, packet cache
        // MAILB (253), a meta type: NOTIMP with EDE 21.
        _ = processor.handle(queryBytes("meta.test", type: RRType(253), edns: EDNS()), client: client)
        _ = processor.handle(Array(cached.prefix(14)), client: client)  // FORMERR
        _ = processor.handle([1, 2, 3], client: client)  // unreadable
        _ = processor.handle(cached, client: ClientAddress(address: IPAddress("192.0.2.1")!, port: 1, transport: .tcp))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(value(#"mamori_queries_total{transport="udp"}"#, in: text) == 6)
        #expect(value(#"mamori_queries_total{transport="tcp"}"#, in: text) == 1)
        #expect(value(#"mamori_queries_dropped_total{reason="denied"}"#, in: text) == 1)
        #expect(value(#"mamori_queries_dropped_total{reason="unreadable"}"#, in: text) == 1)
        #expect(value(#"mamori_responses_total{rcode="NOERROR"}"#, in: text) == 3)
        #expect(value(#"mamori_responses_total{rcode="NOTIMP"}"#, in: text) == 1)
        #expect(value(#"mamori_responses_total{rcode="FORMERR"}"#, in: text) == 1)
        #expect(value(#"mamori_responses_by_source_total{source="cache"}"#, in: text) == 2)
        #expect(value(#"mamori_responses_by_source_total{source="packet-cache"}"#, in: text) == 1)
        #expect(value(#"mamori_responses_by_source_total{source="server"}"#, in: text) == 2)
        #expect(value(#"mamori_extended_errors_total{code="21"}"#, in: text) == 1)
        #expect(text.contains("# TYPE mamori_queries_total counter"))
        // QTYPEs of readable questions, the packet-cache replay's read from its bytes.
        #expect(value(#"mamori_queries_by_type_total{qtype="A"}"#, in: text) == 3)
        #expect(value(#"mamori_queries_by_type_total{qtype="other"}"#, in: text) == 1)
        #expect(value(#"mamori_queries_by_type_total{qtype="AAAA"}"#, in: text) == 0)
        // Every response is timed under its source.
        let latency = "mamori_response_duration_seconds"
        #expect(value(#"\#(latency)_count{source="cache"}"#, in: text) == 2)
        #expect(value(#"\#(latency)_count{source="packet-cache"}"#, in: text) == 1)
        #expect(value(#"\#(latency)_count{source="server"}"#, in: text) == 2)
        #expect(value(#"\#(latency)_count{source="resolution"}"#, in: text) == 0)
        #expect(value(#"\#(latency)_bucket{source="cache",le="+Inf"}"#, in: text) == 2)
        #expect(text.contains("# TYPE \(latency) histogram\n"))
    }

    @Test("the latency histogram: a duration on a bound falls in that bound's bucket; buckets are cumulative")
    func histogram() {
        #expect(LatencyHistogram.boundLabels.first == "0.00005")
        #expect(LatencyHistogram.boundLabels.suffix(3) == ["5", "10", "+Inf"])
        #expect(LatencyHistogram.boundLabels.contains("2.5") && LatencyHistogram.boundLabels.contains("0.0025"))
        let histogram = LatencyHistogram()
        for nanoseconds: UInt64 in [0, 50_000, 50_001, 999_999, 1_000_000, 20_000_000_000] {
            histogram.record(nanoseconds: nanoseconds)
        }
        var text = ""
        histogram.render(name: "t_seconds", labels: #"source="x""#, into: &text)
        #expect(value(#"t_seconds_bucket{source="x",le="0.00005"}"#, in: text) == 2)
        #expect(value(#"t_seconds_bucket{source="x",le="0.0001"}"#, in: text) == 3)
        #expect(value(#"t_seconds_bucket{source="x",le="0.001"}"#, in: text) == 5)
        #expect(value(#"t_seconds_bucket{source="x",le="10"}"#, in: text) == 5)
        #expect(value(#"t_seconds_bucket{source="x",le="+Inf"}"#, in: text) == 6)
        #expect(value(#"t_seconds_count{source="x"}"#, in: text) == 6)
        #expect(value(#"t_seconds_sum{source="x"}"#, in: text) == 20.002100000)
    }

    @Test("judged answers by security status; bogus and SERVFAIL answers by their first EDE code, bounded")
    func judged() {
        let metrics = ServerMetrics()
        metrics.answered(Resolution(rcode: .noError, status: .secure))
        metrics.answered(Resolution(rcode: .noError, status: .secure))
        metrics.answered(Resolution(rcode: .nxDomain, status: .insecure))
        metrics.answered(
            Resolution(
                rcode: .servFail, status: .bogus,
                extendedErrors: [ExtendedDNSError(.dnskeyMissing), ExtendedDNSError(.dnssecBogus)]))
        metrics.answered(Resolution(rcode: .servFail, extendedErrors: [ExtendedDNSError(.noReachableAuthority)]))
        metrics.answered(Resolution(rcode: .servFail, extendedErrors: [ExtendedDNSError(EDECode(rawValue: 500))]))
        metrics.answered(Resolution(rcode: .servFail, status: .indeterminate))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(value(#"mamori_answers_by_security_total{security="secure"}"#, in: text) == 2)
        #expect(value(#"mamori_answers_by_security_total{security="insecure"}"#, in: text) == 1)
        #expect(value(#"mamori_answers_by_security_total{security="bogus"}"#, in: text) == 1)
        #expect(value(#"mamori_answers_by_security_total{security="indeterminate"}"#, in: text) == 1)
        #expect(value(#"mamori_answers_by_security_total{security="unchecked"}"#, in: text) == 2)
        #expect(value(#"mamori_answer_failures_total{code="9"}"#, in: text) == 1)
        #expect(value(#"mamori_answer_failures_total{code="6"}"#, in: text) == 0)
        #expect(value(#"mamori_answer_failures_total{code="22"}"#, in: text) == 1)
        #expect(value(#"mamori_answer_failures_total{code="other"}"#, in: text) == 1)
        #expect(value(#"mamori_answer_failures_total{code="none"}"#, in: text) == 1)
        #expect(value(#"mamori_answer_failures_total{code="29"}"#, in: text) == 0)
        #expect(!text.contains(#"mamori_answer_failures_total{code="30"}"#))
    }

    @Test("upstream RTT: the first 32 servers to answer have their own histogram, the rest share 'other'")
    func upstreamRTT() throws {
        let metrics = ServerMetrics()
        let limit = ServerMetrics.maxTrackedUpstreamServers
        for index in 0..<(limit + 8) {
            let server = ServiceAddress(host: IPAddress("192.0.2.\(index + 1)")!, port: 53)
            metrics.upstreamResponded(by: server, afterNanoseconds: 30_000_000)
        }
        // A tracked server again: its own histogram, not 'other'.
        metrics.upstreamResponded(by: ServiceAddress(host: IPAddress("192.0.2.1")!, port: 53), afterNanoseconds: 1)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let counts = text.split(separator: "\n").filter { $0.hasPrefix("mamori_upstream_rtt_seconds_count{") }
        #expect(counts.count == limit + 1)
        #expect(value(#"mamori_upstream_rtt_seconds_count{server="other"}"#, in: text) == 8)
        #expect(value(#"mamori_upstream_rtt_seconds_count{server="192.0.2.1@53"}"#, in: text) == 2)
        #expect(value(#"mamori_upstream_rtt_seconds_bucket{server="192.0.2.2@53",le="0.025"}"#, in: text) == 0)
        #expect(value(#"mamori_upstream_rtt_seconds_bucket{server="192.0.2.2@53",le="0.05"}"#, in: text) == 1)
    }

    @Test("process_* from /proc: this process's figures, in range")
    func process() throws {
        let statistics = try #require(ProcessStatistics.current())
        #expect(statistics.residentBytes > 1_000_000 && statistics.virtualBytes >= statistics.residentBytes)
        #expect(statistics.openFileDescriptors >= 3 && statistics.openFileDescriptors <= statistics.maxFileDescriptors)
        #expect(statistics.cpuSeconds > 0)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        #expect(statistics.startTimeSeconds > 1_600_000_000 && statistics.startTimeSeconds <= Double(now.tv_sec) + 1)
        let text = String(decoding: ServerMetrics().exposition(), as: UTF8.self)
        for name in [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
            "process_open_fds", "process_max_fds", "process_start_time_seconds",
        ] {
            #expect(text.contains("\n\(name) "), "\(name)")
        }
    }

    @Test("upstream queries by transport and exchanges by outcome, as the socket transport reports them")
    func upstream() {
        let metrics = ServerMetrics()
        for transport: DNSTransport in [.udp, .tcp, .udp, .tls] { metrics.upstreamQuerySent(over: transport) }
        for outcome: UpstreamTLSHandshake in [.full, .resumed, .resumed, .authenticationFailed] {
            metrics.upstreamTLSHandshakeEnded(outcome)
        }
        let replies: [UpstreamReply] = [
            .response(Message(rcode: .noError)), .timeout, .timeout, .mismatch, .networkError("refused"),
            .notSent("at the cap"),
        ]
        for reply in replies { metrics.upstreamExchangeEnded(reply) }
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(value(#"mamori_upstream_queries_total{transport="udp"}"#, in: text) == 2)
        #expect(value(#"mamori_upstream_queries_total{transport="tcp"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_queries_total{transport="tls"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_tls_handshakes_total{result="full"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_tls_handshakes_total{result="resumed"}"#, in: text) == 2)
        #expect(value(#"mamori_upstream_tls_handshakes_total{result="failed"}"#, in: text) == 0)
        #expect(value(#"mamori_upstream_tls_handshakes_total{result="authentication-failed"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_replies_total{result="response"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_replies_total{result="timeout"}"#, in: text) == 2)
        #expect(value(#"mamori_upstream_replies_total{result="mismatch"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_replies_total{result="network-error"}"#, in: text) == 1)
        #expect(value(#"mamori_upstream_replies_total{result="not-sent"}"#, in: text) == 1)
    }

    @Test("following counters add what a count grew by; gauges take the value at scrape time")
    func collectors() {
        let metrics = ServerMetrics()
        let hits = ServerMetrics.FollowingCounter(metrics, name: "test_hits_total", help: "Hits.")
        let size = metrics.gauge("test_size", help: "Size.")
        var counts = [5, 12, 3, 20].makeIterator()
        let box = Box(counts.next()!)
        metrics.addCollector {
            hits.update(to: box.value)
            size.set(box.value)
        }
        var seen: [Double?] = []
        for _ in 0..<4 {
            let text = String(decoding: metrics.exposition(), as: UTF8.self)
            seen.append(value("test_hits_total", in: text))
            #expect(value("test_size", in: text) == Double(box.value))
            box.value = counts.next() ?? 0
        }
        // 5, then +7, then nothing (the count went down), then +8 past the old high.
        #expect(seen == [5, 12, 12, 20])
    }

    /// A mutable value the collector reads.
    private final class Box: @unchecked Sendable {
        var value: Int
        init(_ value: Int) { self.value = value }
    }
}
