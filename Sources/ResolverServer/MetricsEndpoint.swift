// Primary responsibilities: the `metrics.listen` endpoint — a small HTTP/1.1 server on its own
// Dispatch queue that answers `GET /metrics` with the Prometheus text exposition and closes the
// connection; bounded in connections, request size and time, so a scraper cannot hold it.

import CMamoriNet
import DNSWire
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Serves ``ServerMetrics`` over HTTP: one request per connection (`Connection: close`).
///
/// `GET /metrics` (and `HEAD`) → 200 with `text/plain; version=0.0.4`; any other path → 404; any
/// other method → 405; a request line that cannot be read → 400; a request larger than
/// ``maxRequestBytes`` → 431. Everything runs on one serial queue, away from the DNS listeners.
///
/// `@unchecked Sendable` invariant: `source`, `connections` and `isOpen` are touched only on `queue`.
public final class MetricsEndpoint: @unchecked Sendable {
    /// Most connections open at once; more are closed on accept.
    static let maxConnections = 16
    /// Largest request head read (request line and headers).
    static let maxRequestBytes = 8192

    /// The address it is bound to (port resolved when 0 was asked for).
    public let localAddress: ServiceAddress
    /// What it serves.
    private let metrics: ServerMetrics
    /// How long a connection may take to send its request.
    private let requestTimeout: Duration
    /// Where problems are logged.
    private let logger: Logger
    /// The listening socket.
    private let descriptor: Int32
    /// The queue that owns the socket and every connection.
    private let queue = DispatchQueue(label: "mamori.metrics")
    /// The accept source, nil after stop.
    private var source: (any DispatchSourceRead)?
    /// Connections reading their request.
    private var connections: [Int32: Connection] = [:]

    /// One connection: what it sent so far, its read source and its deadline.
    private final class Connection {
        /// The bytes received.
        var request: [UInt8] = []
        /// Its read source.
        var source: (any DispatchSourceRead)?
        /// Its request deadline.
        var timer: (any DispatchSourceTimer)?
    }

    /// Binds `address` (TCP); call ``start()`` to serve.
    /// - Throws: ``SocketError`` when the address cannot be bound.
    public init(
        address: ServiceAddress, metrics: ServerMetrics, logger: Logger, requestTimeout: Duration = .seconds(5)
    ) throws(SocketError) {
        descriptor = try Sockets.open(address, stream: true, reusePort: false)
        localAddress = Sockets.localAddress(descriptor) ?? address
        self.metrics = metrics
        self.logger = logger
        self.requestTimeout = requestTimeout
    }

    /// Starts accepting.
    public func start() {
        queue.async { [self] in
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            source.setEventHandler { [self] in accept() }
            let descriptor = self.descriptor
            source.setCancelHandler { Glibc.close(descriptor) }
            self.source = source
            source.resume()
        }
    }

    /// Stops accepting and closes every connection.
    public func stop() {
        queue.sync { [self] in
            source?.cancel()
            source = nil
            for descriptor in Array(connections.keys) { finish(descriptor) }
        }
    }

    /// Accepts every waiting connection.
    private func accept() {
        dispatchPrecondition(condition: .onQueue(queue))
        // Bounded by the backlog; stops at the first EAGAIN.
        while true {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = CMamoriNet_accept(descriptor, &peer, &length)
            guard client >= 0 else { return }
            guard connections.count < Self.maxConnections else {
                Glibc.close(client)
                continue
            }
            let connection = Connection()
            let reader = DispatchSource.makeReadSource(fileDescriptor: client, queue: queue)
            reader.setEventHandler { [self] in read(client) }
            reader.setCancelHandler { Glibc.close(client) }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .nanoseconds(Int(UpstreamExchange.nanoseconds(requestTimeout))))
            timer.setEventHandler { [self] in finish(client) }
            connection.source = reader
            connection.timer = timer
            connections[client] = connection
            reader.resume()
            timer.resume()
        }
    }

    /// Reads what `client` sent; answers once the request head is complete.
    private func read(_ client: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let connection = connections[client] else { return }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(client, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard count > 0 else { return finish(client) }
        connection.request += buffer[0..<count]
        if let response = Self.response(to: connection.request, metrics: metrics) {
            write(response, to: client)
            finish(client)
        }
    }

    /// The whole HTTP response to a request head, or nil while the head is incomplete.
    static func response(to request: [UInt8], metrics: ServerMetrics) -> [UInt8]? {
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

    /// Writes the response; a client that does not read it within a second loses it.
    private func write(_ response: [UInt8], to client: Int32) {
        var offset = 0
        var waited = 0
        // Bounded: each round either writes or waits 10 ms, at most 100 waits.
        while offset < response.count && waited < 100 {
            let written = response.withUnsafeBytes { bytes in
                Glibc.send(client, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                _ = CMamoriNet_waitWritable(client, 10_000_000)
                waited += 1
            } else {
                logger.debug("metrics client went away", metadata: ["error": "\(errno)"])
                return
            }
        }
    }

    /// Closes a connection and forgets it.
    private func finish(_ client: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let connection = connections.removeValue(forKey: client) else { return }
        connection.timer?.cancel()
        connection.source?.cancel()
    }
}
