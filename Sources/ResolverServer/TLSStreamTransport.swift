// Primary responsibilities: DNS over TLS (RFC 7858) as a StreamTransport — the handshake with its
// deadline, hidden behind the same read and write calls as plain TCP, libssl's "want read while
// writing" (and the reverse) turned into the right readiness, and bytes libssl holds decrypted
// reported as readable, since the socket will never say so.

import Dispatch
import MamoriSystem
internal import MamoriTLS

/// What a TLS listener learns of each handshake, for its metrics and logs.
struct TLSHandshakeObserver: Sendable {
    /// A handshake completed; `resumed` when it resumed an earlier session.
    var completed: @Sendable (_ resumed: Bool) -> Void = { _ in }
    /// A handshake failed or passed its deadline.
    var failed: @Sendable (_ reason: String) -> Void = { _ in }
}

/// A TLS connection over an accepted TCP socket; lives on its listener's queue.
///
/// The socket's readiness and lifetime are a ``TCPStreamTransport``'s; this type decides which
/// readiness it asks for (the handshake's, or what the connection and libssl want) and turns
/// socket events into the connection's `readable` and `writable`.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue` (checked
/// with `dispatchPrecondition` where it matters).
final class TLSStreamTransport: StreamTransport, @unchecked Sendable {
    /// The socket: readiness, plain I/O never used, closing the descriptor.
    private let socket: TCPStreamTransport
    /// The TLS state of the connection.
    private let session: TLSSession
    /// The listener's queue.
    private let queue: DispatchQueue
    /// How long the client has to finish the handshake.
    private let handshakeTimeout: Duration
    /// Told of each handshake's end.
    private let observer: TLSHandshakeObserver

    /// The connection's handlers.
    private var readable: (() -> Void)?
    private var writable: (() -> Void)?
    /// What the connection asked for.
    private var readingWanted = true
    private var writingWanted = false
    /// libssl's needs that cross over: a read that must wait for writability (a TLS 1.3 ticket or
    /// key update being sent), a write that must wait for readability.
    private var readNeedsWritable = false
    private var writeNeedsReadable = false
    /// The handshake's last word while it is not done: it wants the socket readable or writable.
    private var handshakeWantsWrite = false
    /// Once the handshake completed.
    private var established = false
    /// Once the handshake failed or timed out: the next read reports the failure.
    private var failed = false
    /// Once closed.
    private var isClosed = false
    /// Once the socket reports readiness (after the handshake's first step).
    private var socketStarted = false
    /// When the handshake must be complete (the listener's sweep checks it: a timer per
    /// connection would cost Dispatch two registrations per handshake).
    private var deadline = DispatchTime.distantFuture

    /// Takes ownership of an accepted, non-blocking socket with its server-side TLS session.
    init(
        descriptor: Int32, session: TLSSession, queue: DispatchQueue, handshakeTimeout: Duration,
        observer: TLSHandshakeObserver
    ) {
        self.socket = TCPStreamTransport(descriptor: descriptor, queue: queue)
        self.session = session
        self.queue = queue
        self.handshakeTimeout = handshakeTimeout
        self.observer = observer
    }

    /// Starts the handshake and its deadline.
    func start(readable: @escaping () -> Void, writable: @escaping () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.readable = readable
        self.writable = writable
        deadline = .now() + .nanoseconds(Int(handshakeTimeout.nanosecondsUpToAnHour))
        // The ClientHello has usually arrived by the time the connection is accepted: the first
        // step of the handshake runs as soon as the listener's queue is free, and the socket's
        // readiness is asked for only after it, for the client's next flight (each registration
        // and each event is a trip through Dispatch's manager thread). Never from here, so a
        // failure cannot close the connection before it has finished starting.
        queue.async { [self] in
            if !isClosed && !established && !failed { advanceHandshake() }
            guard !isClosed else { return }
            socket.start(readable: { [self] in socketReadable() }, writable: { [self] in socketWritable() })
            socketStarted = true
            updateInterest()
        }
    }

    /// Reads decrypted bytes, as many records as fit in `buffer` (libssl gives one record per call,
    /// and a stub sends each query in a record of its own: one call per query would cost a trip
    /// through the queue each); nothing before the handshake is done.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamReadResult {
        if failed { return .failed }
        guard established else { return .wouldBlock }
        var filled = 0
        // Bounded: each pass fills at least one more byte of `buffer`, or ends.
        while filled < buffer.count {
            switch session.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])) {
            case .done(let count) where count > 0:
                filled += count
                continue
            case .done, .wantRead:
                break
            case .wantWrite:
                readNeedsWritable = true
                updateInterest()
            case .closed:
                if filled == 0 { return .finished }
            case .failed:
                if filled == 0 { return .failed }
            }
            break
        }
        if filled == buffer.count && session.hasPendingInput { reportPendingInput() }
        return filled > 0 ? .received(filled) : .wouldBlock
    }

    /// Encrypts and writes a prefix of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) -> StreamWriteResult {
        guard established, !failed else { return failed ? .failed : .wouldBlock }
        switch session.write(bytes) {
        case .done(let count):
            return count > 0 ? .wrote(count) : .wouldBlock
        case .wantWrite:
            return .wouldBlock
        case .wantRead:
            writeNeedsReadable = true
            updateInterest()
            return .wouldBlock
        case .closed, .failed:
            return .failed
        }
    }

    /// Sends the records the session's write buffer holds (and anything a read made libssl say).
    func flushWrites() -> StreamWriteResult {
        guard established, !failed else { return failed ? .failed : .wrote(0) }
        switch session.flush() {
        case .done: return .wrote(0)
        case .wantWrite: return .wouldBlock
        default: return .failed
        }
    }

    /// Whether the connection wants `readable`; bytes already decrypted are reported at once.
    func setReading(_ wanted: Bool) {
        readingWanted = wanted
        updateInterest()
        if wanted && established && session.hasPendingInput { reportPendingInput() }
    }

    /// Whether the connection wants `writable`.
    func setWriting(_ wanted: Bool) {
        writingWanted = wanted
        updateInterest()
    }

    /// Sends close_notify when the socket takes it, then closes the socket.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        isClosed = true
        session.shutdown()
        socket.close()
        readable = nil
        writable = nil
    }

    // MARK: - Readiness

    /// The socket is readable: the handshake goes on, or the connection (or a write waiting for
    /// a record from the peer) gets its turn.
    private func socketReadable() {
        guard !isClosed else { return }
        guard established else { return advanceHandshake() }
        if writeNeedsReadable {
            writeNeedsReadable = false
            writable?()
        }
        if readingWanted { readable?() }
        updateInterest()
    }

    /// The socket is writable: the handshake goes on, or the connection (or a read waiting to
    /// send a record) gets its turn.
    private func socketWritable() {
        guard !isClosed else { return }
        guard established else { return advanceHandshake() }
        if readNeedsWritable {
            readNeedsWritable = false
            readable?()
        }
        if writingWanted { writable?() }
        updateInterest()
    }

    /// One step of the handshake; when it completes, the connection may read at once (the client's
    /// first query may have come with its last flight).
    private func advanceHandshake() {
        switch session.handshake() {
        case .done:
            established = true
            observer.completed(session.isResumed)
            updateInterest()
            if readingWanted { readable?() }
        case .wantRead:
            handshakeWantsWrite = false
            updateInterest()
        case .wantWrite:
            handshakeWantsWrite = true
            updateInterest()
        case .closed:
            fail("the client closed the connection during the handshake")
        case .failed(let reason):
            fail(reason)
        }
    }

    /// Fails a handshake not complete by its deadline (a client that connects and says nothing
    /// holds a connection slot; RFC 7858 §3.4 lets the server close).
    func checkDeadline(now: DispatchTime) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed, !established, now >= deadline else { return }
        fail("no complete handshake within \(handshakeTimeout)")
    }

    /// Marks the connection failed and lets the connection find out by reading.
    private func fail(_ reason: String) {
        guard !failed else { return }
        failed = true
        observer.failed(reason)
        readable?()
    }

    /// Asks the socket for what the handshake, the connection and libssl need now.
    private func updateInterest() {
        guard !isClosed, socketStarted else { return }
        if established {
            socket.setReading(readingWanted || writeNeedsReadable)
            socket.setWriting(writingWanted || readNeedsWritable)
        } else {
            socket.setReading(!handshakeWantsWrite)
            socket.setWriting(handshakeWantsWrite)
        }
    }

    /// Reports `readable` again soon for bytes libssl holds: the socket will not.
    private func reportPendingInput() {
        queue.async { [self] in
            guard !isClosed, readingWanted, established else { return }
            readable?()
        }
    }
}
