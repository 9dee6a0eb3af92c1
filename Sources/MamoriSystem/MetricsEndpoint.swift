// Primary responsibilities: the `metrics.listen` endpoint — the HTTP/1.1 side of answering
// `GET /metrics` with the Prometheus text exposition, over a RequestServer that bounds
// connections, request size and time, so a scraper cannot hold it.

import DNSWire
import Logging

/// What the metrics endpoint serves: the Prometheus text exposition, rendered at each scrape.
package protocol MetricsExposition: Sendable {
    /// The Prometheus text exposition (format 0.0.4) of every metric now.
    func exposition() -> [UInt8]
}

/// Serves a ``MetricsExposition`` over HTTP: one request per connection (`Connection: close`).
///
/// `GET /metrics` (and `HEAD`) → 200 with `text/plain; version=0.0.4`; any other path → 404; any
/// other method → 405; a request line that cannot be read → 400; a request head larger than
/// ``maxRequestBytes`` → 431. A ``RequestServer`` does the connections, on its own queue.
package final class MetricsEndpoint: Sendable {
    /// Largest request head read (request line and headers).
    static let maxRequestBytes = 8192

    /// The address it is bound to (port resolved when 0 was asked for).
    package let localAddress: ServiceAddress
    /// The connections.
    private let server: RequestServer

    /// Binds `address` (TCP); call ``start()`` to serve.
    /// - Throws: ``SocketError`` when the address cannot be bound.
    package init(
        address: ServiceAddress, metrics: any MetricsExposition, logger: Logger,
        requestTimeout: Duration = .seconds(5)
    ) throws(SocketError) {
        let descriptor = try Sockets.open(address, stream: true, reusePort: false)
        localAddress = Sockets.localAddress(descriptor) ?? address
        server = RequestServer(
            descriptor: descriptor, label: "mamori.metrics", requestTimeout: requestTimeout, logger: logger
        ) { request in Self.response(to: request, metrics: metrics) }
    }

    /// Starts accepting.
    package func start() { server.start() }

    /// Stops accepting and closes every connection.
    package func stop() { server.stop() }

    /// The whole HTTP response to a request head, or nil while the head is incomplete.
    static func response(to request: [UInt8], metrics: any MetricsExposition) -> [UInt8]? {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = request.firstRange(of: terminator) else {
            return request.count > maxRequestBytes ? status(431, "Request Header Fields Too Large") : nil
        }
        // The head ends with CRLF CRLF, so a first CRLF exists: it ends the request line.
        let lineEnd = request.firstRange(of: terminator[0..<2])?.lowerBound ?? end.lowerBound
        guard let line = String(validating: request[..<lineEnd], as: UTF8.self) else {
            return status(400, "Bad Request")
        }
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return status(400, "Bad Request") }
        let method = parts[0]
        let path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard method == "GET" || method == "HEAD" else { return status(405, "Method Not Allowed", allow: true) }
        guard path == "/metrics" else { return status(404, "Not Found") }
        let body = metrics.exposition()
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (method == "HEAD" ? [] : body)
    }

    /// A response with only a status line and a one-line body.
    private static func status(_ code: Int, _ reason: String, allow: Bool = false) -> [UInt8] {
        let body = "\(code) \(reason)\n"
        var head = "HTTP/1.1 \(code) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\n"
        if allow { head += "Allow: GET, HEAD\r\n" }
        head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return Array((head + body).utf8)
    }
}
