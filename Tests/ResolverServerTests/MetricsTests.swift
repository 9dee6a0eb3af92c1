// Primary responsibilities: the Prometheus metrics — what the query path counts (queries, drops,
// responses by RCODE and source, AD, EDE codes), what the upstream transport reports, and
// scrape-time collectors. The HTTP endpoint's answers are MamoriSystemTests'.

import DNSCache
import DNSWire
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
