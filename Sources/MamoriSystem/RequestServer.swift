// Primary responsibilities: the one-request-per-connection server under the metrics endpoint and
// the control socket — accepting on its own Dispatch queue, reading a request until the responder
// has what it needs, writing the answer and closing; bounded in connections, bytes and time.

import CMamoriNet
import Dispatch
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Serves a listening stream socket (TCP or unix): each connection sends one request, gets one
/// response, and is closed.
///
/// The responder is called with everything a connection sent so far, after every read, and
/// returns nil while the request is incomplete. A connection is closed without an answer when it
/// sends more than ``maxBufferedBytes``, closes early, or does not finish within the request
/// timeout. Everything, the responder included, runs on one serial queue away from the DNS
/// listeners.
///
/// `@unchecked Sendable` invariant: `source` and `connections` are touched only on `queue`.
final class RequestServer: @unchecked Sendable {
    /// Most connections open at once; more are closed on accept.
    static let maxConnections = 16
    /// A connection that has sent this much without a complete request is closed.
    static let maxBufferedBytes = 65536

    /// Answers a request, or nil while it is incomplete.
    typealias Responder = @Sendable (_ request: [UInt8]) -> [UInt8]?

    /// The listening socket.
    private let descriptor: Int32
    /// What answers.
    private let respond: Responder
    /// How long a connection may take to send its request.
    private let requestTimeout: Duration
    /// Where problems are logged.
    private let logger: Logger
    /// The queue that owns the socket and every connection.
    private let queue: DispatchQueue
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

    /// Serves `descriptor`, a bound, listening, non-blocking socket this server now owns.
    init(descriptor: Int32, label: String, requestTimeout: Duration, logger: Logger, respond: @escaping Responder) {
        self.descriptor = descriptor
        self.respond = respond
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.queue = DispatchQueue(label: label)
    }

    /// Starts accepting.
    func start() {
        queue.async { [self] in
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            source.setEventHandler { [self] in accept() }
            let descriptor = self.descriptor
            source.setCancelHandler { Glibc.close(descriptor) }
            self.source = source
            source.resume()
        }
    }

    /// Stops accepting and closes every connection. With `waiting`, returns once done (a request
    /// being answered finishes first); without, only schedules it, for callers that the responder
    /// itself may be waiting on.
    func stop(waiting: Bool = true) {
        let work: @Sendable () -> Void = { [self] in
            source?.cancel()
            source = nil
            for client in Array(connections.keys) { finish(client) }
        }
        if waiting { queue.sync(execute: work) } else { queue.async(execute: work) }
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
            timer.schedule(deadline: .now() + .nanoseconds(Int(requestTimeout.nanosecondsUpToAnHour)))
            timer.setEventHandler { [self] in finish(client) }
            connection.source = reader
            connection.timer = timer
            connections[client] = connection
            reader.resume()
            timer.resume()
        }
    }

    /// Reads what `client` sent; answers once the responder has a whole request.
    private func read(_ client: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let connection = connections[client] else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(client, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard count > 0 else { return finish(client) }
        connection.request += buffer[0..<count]
        if let response = respond(connection.request) {
            write(response, to: client)
            finish(client)
        } else if connection.request.count > Self.maxBufferedBytes {
            finish(client)
        }
    }

    /// Writes the response; a client that does not read it within a second loses it.
    private func write(_ response: [UInt8], to client: Int32) {
        var offset = 0
        var waits = 0
        // Bounded: each round either writes something or waits 10 ms, at most 100 waits.
        while offset < response.count && waits < 100 {
            let written = response.withUnsafeBytes { bytes in
                Glibc.send(client, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                _ = CMamoriNet_waitWritable(client, 10_000_000)
                waits += 1
            } else {
                logger.debug("client went away before its answer", metadata: ["error": "\(errno)"])
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
