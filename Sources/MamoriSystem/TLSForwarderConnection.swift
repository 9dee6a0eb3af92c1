// Primary responsibilities: one DNS over TLS connection to a forwarder (RFC 7858) — the non-blocking
// connect, the handshake and the check of who answered (RFC 7858 §4.2), then queries pipelined
// on it with RFC 7766 framing and replies matched by ID and question, in any order (RFC 7766 §6.2.1.1).

import CMamoriNet
import DNSWire
import Dispatch
import MamoriTLS
import Resolver

#if canImport(Glibc)
    import Glibc
#endif

/// One TLS connection of a ``TLSForwarderPool``; lives on the pool's queue.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue`.
final class TLSForwarderConnection: @unchecked Sendable {
    /// Where the connection stands.
    enum Phase {
        /// The TCP connect is under way.
        case connecting
        /// The TLS handshake is under way.
        case handshaking
        /// Authenticated: queries flow.
        case established
        /// Closed; nothing more happens.
        case closed
    }

    /// Decrypted bytes read per libssl call.
    static let readChunk = 16_384
    /// libssl reads per readiness event before yielding the queue to the pool's other work; bytes
    /// libssl still holds are read on a later turn of the queue.
    static let maxReadsPerEvent = 16
    /// Random draws for an ID unused on this connection; with at most
    /// ``TLSForwarderPool/maxInFlightPerConnection`` in flight out of 65536, more are never needed.
    static let maxIDDraws = 32

    /// The forwarder.
    let server: ServerAddress
    /// The pool that owns the connection, told when it is established or ends.
    private let pool: TLSForwarderPool
    /// The pool's queue.
    private let queue: DispatchQueue
    /// The socket, owned: closed once both sources are cancelled.
    private let descriptor: Int32
    /// The TLS state.
    private let session: TLSSession
    /// Who the server must be.
    private let authentication: TLSAuthentication

    /// Where the connection stands.
    private(set) var phase = Phase.connecting
    /// Queries sent (or waiting to be written) by ID.
    private(set) var inFlight: [UInt16: TLSForwarderQuery] = [:]
    /// Framed queries not yet taken by libssl, from ``outputStart``.
    private var output: [UInt8] = []
    /// How much of ``output`` is written.
    private var outputStart = 0
    /// Reply bytes read but not yet a whole message.
    private var input: [UInt8] = []
    /// Whether the session to resume next time was taken from this connection.
    private var resumptionTaken = false
    /// The handshake's last word: it waits for the socket to be writable.
    private var handshakeWantsWrite = true
    /// libssl wants writability to go on (a write that did not finish, or a read that must write).
    private var wantsWrite = false
    /// A turn of the queue to write what was taken is scheduled.
    private var writeScheduled = false

    /// Read readiness.
    private var reader: (any DispatchSourceRead)?
    /// Write readiness, made on first need.
    private var writer: (any DispatchSourceWrite)?
    /// Whether ``writer`` is suspended.
    private var writerSuspended = true
    /// Sources not yet cancelled; the descriptor is closed after the last (Dispatch requires it).
    private var liveSources = 0
    /// The connect-and-handshake deadline, then the idle close.
    private var timer: (any DispatchSourceTimer)?

    /// Opens a non-blocking TCP connection to `server` and starts the TLS client on it.
    /// - Throws: the reason, as text, when no socket or session can be made.
    init(
        server: ServerAddress, forwarder: TLSForwarder, resuming: TLSResumption?, pool: TLSForwarderPool,
        queue: DispatchQueue
    ) throws(TLSForwarderFailure) {
        self.server = server
        self.pool = pool
        self.queue = queue
        self.authentication = forwarder.authentication
        let family = server.host.isIPv6 ? AF_INET6 : AF_INET
        let descriptor = socket(
            family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TLSForwarderFailure("socket: \(UpstreamExchange.errorText())") }
        var (storage, length) = Sockets.sockaddr(for: server)
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard connected == 0 || errno == EINPROGRESS else {
            let reason = UpstreamExchange.errorText()
            close(descriptor)
            throw TLSForwarderFailure("TLS connect: \(reason)")
        }
        do {
            session = try TLSSession(connecting: descriptor, context: forwarder.context, authentication: authentication)
        } catch {
            close(descriptor)
            throw TLSForwarderFailure("TLS set-up: \(error.reason)")
        }
        if let resuming { session.resume(resuming) }
        self.descriptor = descriptor
    }

    /// Starts watching the socket and the connect-and-handshake deadline.
    func start(deadline: Duration) {
        dispatchPrecondition(condition: .onQueue(queue))
        let reader = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        reader.setEventHandler { [self] in progress() }
        reader.setCancelHandler { [self] in sourceCancelled() }
        liveSources += 1
        self.reader = reader
        reader.resume()
        setWriting(true)
        arm(after: deadline) { [self] in
            if phase != .established { fail("TLS connection not established within \(deadline)", reached: false) }
        }
    }

    /// Whether the connection may take another query.
    var hasRoom: Bool { phase != .closed && inFlight.count < TLSForwarderPool.maxInFlightPerConnection }

    /// Takes `query`: gives it an ID unused here, frames it (RFC 7766 §8) and writes it as soon as
    /// the connection is authenticated.
    /// - Returns: false when no free ID was drawn (the query stays unplaced).
    func take(_ query: TLSForwarderQuery) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        var random = SystemRandomNumberGenerator()
        var id: UInt16?
        for _ in 0..<Self.maxIDDraws {
            let draw = UInt16.random(in: 0...UInt16.max, using: &random)
            if inFlight[draw] == nil {
                id = draw
                break
            }
        }
        guard let id, query.message.count >= 2 else { return false }
        query.id = id
        query.message[0] = UInt8(id >> 8)
        query.message[1] = UInt8(truncatingIfNeeded: id)
        query.connection = self
        inFlight[id] = query
        output += [UInt8(query.message.count >> 8), UInt8(truncatingIfNeeded: query.message.count)] + query.message
        if phase == .established {
            cancelTimer()  // no longer idle
            scheduleWrite()
        }
        return true
    }

    /// Writes on a later turn of the queue: the queries taken meanwhile go out together, and
    /// whoever placed them (the pool, maybe from this connection's own reply handling) is not
    /// re-entered.
    private func scheduleWrite() {
        guard !writeScheduled else { return }
        writeScheduled = true
        queue.async { [self] in
            writeScheduled = false
            progress()
        }
    }

    /// Forgets a query that ended without its reply (its timeout); a late reply is then ignored.
    func forget(_ query: TLSForwarderQuery) {
        inFlight[query.id] = nil
        armIdleIfIdle()
    }

    /// Closes the connection politely (close_notify) when it has nothing in flight.
    func closeIfIdle() {
        guard phase != .closed, inFlight.isEmpty else { return }
        session.shutdown()
        end()
        pool.connectionEnded(self, orphans: [], reason: nil, reached: true)
    }

    // MARK: - Progress

    /// Advances whatever the socket allows: the connect, the handshake, writes, reads.
    private func progress() {
        switch phase {
        case .connecting:
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure != 0 {
                return fail("TLS connect: \(String(cString: strerror(failure)))", reached: false)
            }
            phase = .handshaking
            handshake()
        case .handshaking:
            handshake()
        case .established:
            writePending()
            if phase == .established { readAvailable() }
            if phase == .established { setWriting(wantsWrite) }
        case .closed:
            break
        }
    }

    /// One step of the handshake; once done, the server must prove who it is (RFC 7858 §4.2).
    private func handshake() {
        switch session.handshake() {
        case .done:
            if let refused = session.authenticationFailure(authentication) {
                pool.handshakeEnded(.authenticationFailed)
                return fail("TLS authentication failed: \(refused)", reached: false)
            }
            pool.handshakeEnded(session.isResumed ? .resumed : .full)
            phase = .established
            cancelTimer()
            pool.connectionEstablished(self)
            progress()
            armIdleIfIdle()
        case .wantRead:
            handshakeWantsWrite = false
            setWriting(false)
        case .wantWrite:
            handshakeWantsWrite = true
            setWriting(true)
        case .closed:
            pool.handshakeEnded(.failed)
            fail("TLS handshake failed: the server closed the connection", reached: false)
        case .failed(let reason):
            if authentication.name != nil, let refused = session.verificationFailure {
                pool.handshakeEnded(.authenticationFailed)
                fail("TLS authentication failed: certificate not accepted: \(refused)", reached: false)
            } else {
                pool.handshakeEnded(.failed)
                fail("TLS handshake failed: \(reason)", reached: false)
            }
        }
    }

    /// Writes framed queries as long as libssl takes them.
    private func writePending() {
        wantsWrite = false
        while outputStart < output.count {
            let result = output.withUnsafeBytes { session.write(UnsafeRawBufferPointer(rebasing: $0[outputStart...])) }
            switch result {
            case .done(let count):
                outputStart += count
            case .wantWrite, .wantRead:
                wantsWrite = true
                return
            case .closed:
                return closedByServer()
            case .failed(let reason):
                return fail("TLS write failed: \(reason)", reached: true)
            }
        }
        output.removeAll(keepingCapacity: true)
        outputStart = 0
    }

    /// Reads what libssl has, bounded per event, and hands each whole reply to its query.
    private func readAvailable() {
        var buffer = [UInt8](repeating: 0, count: Self.readChunk)
        for _ in 0..<Self.maxReadsPerEvent {
            switch buffer.withUnsafeMutableBytes({ session.read(into: $0) }) {
            case .done(let count):
                input += buffer[0..<count]
                takeResumption()
                deliverReplies()
                guard phase == .established else { return }
            case .wantRead:
                return
            case .wantWrite:
                wantsWrite = true
                return
            case .closed:
                return closedByServer()
            case .failed(let reason):
                return fail("TLS read failed: \(reason)", reached: true)
            }
        }
        // More may wait inside libssl, where the socket's readiness will not show it.
        if session.hasPendingInput { queue.async { [self] in progress() } }
    }

    /// Hands every whole message in ``input`` to the query with its ID: a reply that echoes the
    /// question ends it, one that does not is a mismatch (RFC 5452 §9.1). A reply to no query in
    /// flight (one that timed out) is dropped.
    private func deliverReplies() {
        var start = 0
        while input.count - start >= 2 {
            let length = Int(input[start]) << 8 | Int(input[start + 1])
            guard input.count - start - 2 >= length else { break }
            let bytes = Array(input[(start + 2)..<(start + 2 + length)])
            start += 2 + length
            guard let message = try? Message(parsing: bytes), message.header.isResponse,
                let query = inFlight.removeValue(forKey: message.header.id)
            else { continue }
            query.finish(message.question == query.question ? .response(message) : .mismatch)
        }
        guard start > 0 else { return }
        input.removeFirst(start)
        armIdleIfIdle()
        pool.connectionHasRoom()
    }

    /// Keeps the session for the next connection's handshake (RFC 7858 §3.4, RFC 8446 §2.2): TLS 1.3
    /// tickets come after the handshake, so it is taken once data was read.
    private func takeResumption() {
        guard !resumptionTaken, let resumption = session.resumption else { return }
        resumptionTaken = true
        pool.resumption = resumption
    }

    // MARK: - The end

    /// The server closed (close_notify): answer with ours, which also keeps the session resumable
    /// (libssl drops a session whose connection is freed without a shutdown).
    private func closedByServer() {
        session.shutdown()
        fail("the server closed the TLS connection", reached: true)
    }

    /// Ends the connection for `reason`, handing its queries back to the pool.
    /// - Parameter reached: whether the server was reached and authenticated (then queries in flight
    ///   may be placed again; otherwise they fail with `reason`).
    private func fail(_ reason: String, reached: Bool) {
        guard phase != .closed else { return }
        let orphans = Array(inFlight.values)
        inFlight.removeAll()
        end()
        pool.connectionEnded(self, orphans: orphans, reason: reason, reached: reached)
    }

    /// Cancels the sources and the timer; the descriptor closes after the last source.
    private func end() {
        phase = .closed
        cancelTimer()
        if let reader { reader.cancel() }
        if let writer {
            if writerSuspended { writer.resume() }
            writer.cancel()
        }
        reader = nil
        writer = nil
        if liveSources == 0 { close(descriptor) }
    }

    /// Counts cancelled sources; the last one closes the descriptor.
    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 { close(descriptor) }
    }

    // MARK: - Readiness and timers

    /// Arms the write source (made on first need), or suspends it.
    private func setWriting(_ wanted: Bool) {
        guard phase != .closed else { return }
        if wanted && writer == nil {
            let writer = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            writer.setEventHandler { [self] in progress() }
            writer.setCancelHandler { [self] in sourceCancelled() }
            liveSources += 1
            self.writer = writer
            writerSuspended = true
        }
        guard let writer, writerSuspended == wanted else { return }
        if wanted { writer.resume() } else { writer.suspend() }
        writerSuspended = !wanted
    }

    /// With nothing in flight, the connection closes after the pool's idle time (RFC 7766 §6.2.3).
    private func armIdleIfIdle() {
        guard phase == .established, inFlight.isEmpty, timer == nil else { return }
        arm(after: pool.idleTimeout) { [self] in
            timer = nil
            closeIfIdle()
        }
    }

    /// Runs `action` once after `delay` on the queue, in place of any earlier timer.
    private func arm(after delay: Duration, _ action: @escaping () -> Void) {
        cancelTimer()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(delay.nanosecondsUpToAnHour)), leeway: .milliseconds(100))
        timer.setEventHandler(handler: action)
        timer.resume()
        self.timer = timer
    }

    /// Stops the timer.
    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

/// Why a connection to a TLS forwarder could not be made or used, as the text the engine's
/// EDE will carry after the server's address.
struct TLSForwarderFailure: Error {
    /// The reason.
    let reason: String

    /// Creates a failure.
    init(_ reason: String) { self.reason = reason }
}
