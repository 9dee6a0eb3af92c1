// Primary responsibilities: the HTTP side of `metrics.listen` — GET and HEAD /metrics, 404, 405,
// 400, 431, the request deadline, and hostile bytes that never stop it from serving.

import DNSWire
import Logging
import MamoriSystem
import SocketTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An exposition that is always the same text.
private struct FixedExposition: MetricsExposition {
    /// What is served.
    static let text = "# TYPE test_total counter\ntest_total 7\n"

    func exposition() -> [UInt8] { Array(Self.text.utf8) }
}

/// An endpoint on a loopback port serving ``FixedExposition``, started.
private func startedEndpoint(requestTimeout: Duration) throws -> MetricsEndpoint {
    let endpoint = try MetricsEndpoint(
        address: ServiceAddress(host: .loopbackV4, port: 0), metrics: FixedExposition(),
        logger: Logger(label: "test"), requestTimeout: requestTimeout)
    endpoint.start()
    return endpoint
}

@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    @Test("HTTP: GET /metrics 200 with the exposition, HEAD, 404, 405, 400, 431, and the request deadline")
    func endpoint() throws {
        let endpoint = try startedEndpoint(requestTimeout: .milliseconds(300))
        defer { endpoint.stop() }
        func exchange(_ request: String) throws -> String {
            let client = try ClientSocket(to: endpoint.localAddress, stream: true)
            client.send(Array(request.utf8))
            return client.readToEnd()
        }
        let ok = try exchange("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(ok.hasSuffix("\r\n\r\n" + FixedExposition.text))
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
        let endpoint = try startedEndpoint(requestTimeout: .milliseconds(200))
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
