// Primary responsibilities: the Prometheus metrics — what the query path counts (queries, drops,
// responses by RCODE and source, AD, EDE codes), scrape-time collectors, and the HTTP endpoint's
// answers (200, HEAD, 404, 405, 400, 431, the request deadline).

import DNSCache
import DNSWire
import Logging
import MamoriConfiguration
import MamoriService
import ResolverServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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

    @Test("HTTP: GET /metrics 200 with the exposition, HEAD, 404, 405, 400, 431, and the request deadline")
    func endpoint() throws {
        let metrics = ServerMetrics()
        let endpoint = try MetricsEndpoint(
            address: ServiceAddress(host: .loopbackV4, port: 0), metrics: metrics, logger: Logger(label: "test"),
            requestTimeout: .milliseconds(300))
        endpoint.start()
        defer { endpoint.stop() }
        func exchange(_ request: String) throws -> String {
            let client = try ClientSocket(to: endpoint.localAddress, stream: true)
            client.send(Array(request.utf8))
            return client.readToEnd()
        }
        let ok = try exchange("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(ok.contains("mamori_queries_total{transport=\"udp\"} 0"))
        let head = try exchange("HEAD /metrics?x=1 HTTP/1.0\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n"))
        #expect(try exchange("GET / HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        let post = try exchange("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(post.hasPrefix("HTTP/1.1 405 ") && post.contains("Allow: GET, HEAD"))
        #expect(try exchange("hello\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
        #expect(
            try exchange("GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000)).hasPrefix(
                "HTTP/1.1 431 "))
        // Nothing sent: closed at the deadline, well before the client's 5 s timeout.
        let silent = try ClientSocket(to: endpoint.localAddress, stream: true)
        #expect(silent.readToEnd().isEmpty)
    }

    @Test("hostile bytes: random requests get an HTTP error or a closed connection, and scrapes still work")
    func hostile() throws {
        let endpoint = try MetricsEndpoint(
            address: ServiceAddress(host: .loopbackV4, port: 0), metrics: ServerMetrics(),
            logger: Logger(label: "test"), requestTimeout: .milliseconds(200))
        endpoint.start()
        defer { endpoint.stop() }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            if round % 2 == 0 { bytes += Array("\r\n\r\n".utf8) }
            let client = try ClientSocket(to: endpoint.localAddress, stream: true)
            client.send(bytes)
            shutdown(client.descriptor, Int32(SHUT_WR))
            let answer = client.readToEnd()
            #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 4"), "\(answer.prefix(40))")
        }
        let client = try ClientSocket(to: endpoint.localAddress, stream: true)
        client.send(Array("GET /metrics HTTP/1.1\r\n\r\n".utf8))
        #expect(client.readToEnd().hasPrefix("HTTP/1.1 200 OK"))
    }
}
