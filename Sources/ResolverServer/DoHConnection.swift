// Primary responsibilities: one client connection carrying DNS over HTTPS (RFC 8484) — HTTP/2
// (MamoriHTTP2) over a TLS stream: requests to DNS queries and answers back as they complete, in
// any order; HTTP errors for bad requests that never stall the connection; the idle timeout.

import DNSWire
import Dispatch
import MamoriHTTP2
import MamoriSystem

/// A DoH client connection; lives on its listener's queue.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue` (checked
/// with `dispatchPrecondition`); answers from the engine hop onto `queue` before touching anything.
final class DoHConnection: ClientConnection, @unchecked Sendable {
    /// Bytes asked of the stream per read.
    static let readChunk = 16384
    /// Most response bytes held for a client that does not read; beyond, the connection is closed.
    static let maxOutput = 256 * 1024

    /// The TLS stream (ALPN `h2`).
    private let transport: any StreamTransport
    /// The peer.
    private let client: ClientAddress
    /// The listener's queue.
    private let queue: DispatchQueue
    /// The DNS logic.
    private let processor: QueryProcessor
    /// The path DoH is served on (`https.path`).
    private let path: String
    /// How long the connection may sit with nothing in flight.
    private let idleTimeout: Duration
    /// Called once, on `queue`, when the connection is closed.
    private let onClose: (DoHConnection) -> Void

    /// HTTP/2's state; nil only if nghttp2 could not allocate it (the connection then closes).
    private var session: HTTP2ServerSession?
    /// Encrypted-side output not yet taken by the stream.
    private var output: [UInt8] = []
    /// Queries handed to the engine and not answered yet.
    private var inFlight = 0
    /// Answers made while HTTP/2 was reading (cache hits): submitted after the read, each then
    /// written on its own, since nghttp2 must not send from inside its callbacks.
    private var ready: [(response: HTTPResponse, stream: Int32)] = []
    /// When the connection last did something.
    private var lastActivity = DispatchTime.now()
    /// True once closed.
    private var isClosed = false
    /// Where reads land, made once per connection.
    private var readBuffer = [UInt8](repeating: 0, count: DoHConnection.readChunk)

    /// Creates the connection over a TLS transport it now owns; call ``start()`` next.
    init(
        transport: any StreamTransport, client: ClientAddress, queue: DispatchQueue, processor: QueryProcessor,
        policy: ServerPolicy, path: String, onClose: @escaping (DoHConnection) -> Void
    ) {
        self.transport = transport
        self.client = client
        self.queue = queue
        self.processor = processor
        self.path = path
        self.idleTimeout = policy.tcpIdleTimeout
        self.onClose = onClose
        let limits = HTTP2ServerSession.Limits(
            concurrentStreams: UInt32(policy.tcpMaxQueriesPerConnection), maxBodySize: Int(UInt16.max))
        session = nil
        session = HTTP2ServerSession(limits: limits) { [unowned self] request in handle(request) }
    }

    /// Starts reading (the TLS handshake first; the listener's sweep checks the deadlines); sends the
    /// server's SETTINGS.
    func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        transport.start(readable: { [self] in readAvailable() }, writable: { [self] in flush() })
        guard session != nil else { return close() }
    }

    /// Closes the connection: says GOAWAY if it can, closes the stream.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        isClosed = true
        transport.close()
        session = nil
        onClose(self)
    }

    // MARK: - Reading

    /// Reads what is waiting and feeds it to HTTP/2, which hands out complete requests.
    private func readAvailable() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed, let session else { return }
        let result = readBuffer.withUnsafeMutableBytes { transport.read(into: $0) }
        switch result {
        case .wouldBlock:
            return
        case .failed, .finished:
            close()
        case .received(let count):
            lastActivity = .now()
            let healthy = readBuffer.withUnsafeBytes { session.receive(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            // One TLS record per answer, as clients such as dnsperf expect (a record holding several
            // HTTP/2 responses left all but the first unread there); the records leave together.
            let answers = ready
            ready.removeAll()
            for answer in answers where !isClosed {
                respond(answer.response, on: answer.stream)
                flush(sending: false)
            }
            flush()
            if !healthy { close() }
        }
    }

    /// Answers one request: an HTTP error at once, or its DNS query from the cache or the engine.
    private func handle(_ request: HTTPRequest) {
        switch DNSOverHTTPS.decide(request, path: path) {
        case .reject(let status, let reason):
            ready.append((DNSOverHTTPS.error(status: status, reason: reason), request.stream))
        case .query(let message):
            switch processor.handle(message, client: client) {
            case .drop:
                ready.append((DNSOverHTTPS.error(status: 400, reason: "not a DNS query"), request.stream))
            case .respond(let response):
                ready.append((DNSOverHTTPS.response(response), request.stream))
            case .resolve(let query):
                inFlight += 1
                processor.resolve(query, client: client) { [self] response in
                    queue.async { [self] in
                        inFlight -= 1
                        guard !isClosed else { return }
                        respond(DNSOverHTTPS.response(response), on: request.stream)
                        flush()
                    }
                }
            }
        }
    }

    /// Queues a response on its stream.
    private func respond(_ response: HTTPResponse, on stream: Int32) {
        lastActivity = .now()
        session?.respond(response, on: stream)
    }

    // MARK: - Writing

    /// Takes HTTP/2's output and writes as much as the stream takes, then (unless `sending` is
    /// false, for all but the last of a burst) sends what the transport holds back; waits for
    /// writability for the rest. Bounded: each pass writes at least one byte of `output`, which holds
    /// at most `maxOutput`.
    private func flush(sending: Bool = true) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed, let session else { return }
        session.drainOutput(into: &output)
        guard output.count <= Self.maxOutput else { return close() }
        var written = 0
        defer { if written > 0 { output.removeFirst(written) } }
        while written < output.count {
            let result = output.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .wrote(let count):
                written += count
                lastActivity = .now()
            case .wouldBlock:
                transport.setWriting(true)
                return
            case .failed:
                return close()
            }
        }
        guard sending else { return }
        switch transport.flushWrites() {
        case .wrote:
            transport.setWriting(false)
            if !session.isActive { close() }
        case .wouldBlock:
            transport.setWriting(true)
        case .failed:
            close()
        }
    }

    /// Fails a handshake past its deadline, and closes a connection with nothing in flight and
    /// nothing to send for the idle timeout (RFC 8484 §5.1 leaves connection management to HTTP: a
    /// GOAWAY first, so the client knows why).
    func checkDeadlines(now: DispatchTime) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        transport.checkDeadline(now: now)
        guard !isClosed, inFlight == 0, now > lastActivity else { return }
        let idle = Duration.nanoseconds(Int64(now.uptimeNanoseconds - lastActivity.uptimeNanoseconds))
        guard idle >= idleTimeout else { return }
        session?.terminate()
        flush()
        close()
    }
}
