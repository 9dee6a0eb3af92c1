// Primary responsibilities: one client connection carrying DNS over a byte stream (RFC 7766) — the
// glue between its framing (DNSStreamSession), its stream (a StreamTransport: TCP or TLS) and the
// DNS logic: queries answered as they complete (out of order, §6.2.1.1), reading paused at the
// in-flight limit, the idle timeout (checked by the listener's sweep), and closing without harming
// others.

import Dispatch

/// A client connection; lives on its listener's queue.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue` (checked
/// with `dispatchPrecondition`); slow-path answers hop onto `queue` before touching anything.
final class DNSStreamConnection: ClientConnection, @unchecked Sendable {
    /// Bytes asked of the stream per read.
    static let readChunk = 16384

    /// The byte stream.
    private let transport: any StreamTransport
    /// The peer.
    private let client: ClientAddress
    /// The listener's queue.
    private let queue: DispatchQueue
    /// The DNS logic.
    private let processor: QueryProcessor
    /// Called once, on `queue`, when the connection is closed.
    private let onClose: (DNSStreamConnection) -> Void

    /// The framing state and its policy.
    private var session: DNSStreamSession
    /// True once closed.
    private var isClosed = false
    /// True while ``handleFrames()`` runs: answers queue up and are written once at its end.
    private var batching = false

    /// Creates the connection over a transport it now owns; call ``start()`` next.
    init(
        transport: any StreamTransport, client: ClientAddress, queue: DispatchQueue, processor: QueryProcessor,
        policy: ServerPolicy, onClose: @escaping (DNSStreamConnection) -> Void
    ) {
        self.transport = transport
        self.client = client
        self.queue = queue
        self.processor = processor
        self.onClose = onClose
        self.session = DNSStreamSession(
            maxQueries: policy.tcpMaxQueriesPerConnection, idleTimeout: policy.tcpIdleTimeout, now: Self.now())
    }

    /// Starts reading; the listener's sweep checks the idle timeout.
    func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        transport.start(readable: { [self] in readAvailable() }, writable: { [self] in flush() })
    }

    /// Closes the connection: closes the stream.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        isClosed = true
        transport.close()
        onClose(self)
    }

    // MARK: - Reading

    /// Reads what is waiting and handles every complete frame.
    private func readAvailable() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        switch session.receive(upTo: Self.readChunk, using: transport.read(into:)) {
        case .wouldBlock:
            return
        case .failed:
            close()
        case .finished:
            // The peer finished sending (or vanished): answer what is in flight, then close.
            transport.setReading(false)
            closeIfDone()
        case .received:
            handleFrames()
        }
    }

    /// Takes every complete frame the session gives and handles its query; pauses reading at the
    /// in-flight limit. Bounded: each pass takes a frame of the input, which holds at most one
    /// frame plus one read (`readChunk`). Answers made meanwhile (cache hits) are written together
    /// at the end: one write (one TLS record) for a burst of pipelined queries, not one each.
    private func handleFrames() {
        batching = true
        defer {
            batching = false
            flush()
        }
        while !isClosed {
            switch session.nextQuery(now: Self.now()) {
            case .message(let message):
                handle(message)
            case .zeroLength:
                close()
                return
            case .waiting:
                if session.isAtQueryLimit { transport.setReading(false) }
                return
            }
        }
    }

    /// Handles one query: answers now, or waits for the engine.
    private func handle(_ message: [UInt8]) {
        switch processor.handle(message, client: client) {
        case .drop:
            break
        case .respond(let response):
            send(response)
        case .resolve(let query):
            session.queryStarted()
            processor.resolve(query, client: client) { [self] response in
                queue.async { [self] in
                    session.queryAnswered(now: Self.now())
                    guard !isClosed else { return }
                    send(response)
                    if !session.isAtQueryLimit {
                        handleFrames()
                        if session.wantsInput { transport.setReading(true) }
                    }
                    closeIfDone()
                }
            }
        }
    }

    // MARK: - Writing

    /// Queues one framed response and writes what the stream takes now.
    private func send(_ response: [UInt8]) {
        guard !isClosed else { return }
        switch session.enqueue(response) {
        case .ignored:
            return
        case .overBound:
            close()
        case .queued:
            if !batching { flush() }
        }
    }

    /// Writes as much output as the stream takes; waits for writability for the rest. Bounded:
    /// each pass writes at least one byte of the output, which holds at most `maxOutput`.
    private func flush() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        while session.hasPendingOutput {
            switch session.withPendingOutput(transport.write) {
            case .wrote(let count):
                session.wrote(count, now: Self.now())
                continue
            case .wouldBlock:
                transport.setWriting(true)
                return
            case .failed:
                close()
                return
            }
        }
        switch transport.flushWrites() {
        case .wrote:
            transport.setWriting(false)
            closeIfDone()
        case .wouldBlock:
            transport.setWriting(true)
        case .failed:
            close()
        }
    }

    // MARK: - Ending

    /// Closes once the peer finished and nothing remains to answer or send.
    private func closeIfDone() {
        if session.isFinished { close() }
    }

    /// Fails a handshake past its deadline, and closes a connection the session finds idle past
    /// the timeout (RFC 7766 §6.2.3).
    func checkDeadlines(now: DispatchTime) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        transport.checkDeadline(now: now)
        if session.isIdle(now: .nanoseconds(Int64(now.uptimeNanoseconds))) { close() }
    }

    /// The monotonic clock the session's activity is measured on.
    private static func now() -> Duration { .nanoseconds(Int64(DispatchTime.now().uptimeNanoseconds)) }
}
