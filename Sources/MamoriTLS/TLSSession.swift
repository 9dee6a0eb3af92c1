// Primary responsibilities: one TLS connection over a non-blocking socket — the handshake, reading
// and writing application data, and the close — with libssl's "want read / want write" turned into
// plain results the caller's readiness loop can act on.

import CTLS
internal import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// What one TLS step did.
package enum TLSProgress: Equatable, Sendable {
    /// The handshake is complete, or this many bytes of application data were read or written
    /// (``TLSSession/handshake()`` reports `done(0)`).
    case done(Int)
    /// Nothing more until the socket is readable.
    case wantRead
    /// Nothing more until the socket is writable.
    case wantWrite
    /// The peer closed the connection (close_notify, or the end of the stream).
    case closed
    /// The connection failed; the text is libssl's reason, for a debug log.
    case failed(String)
}

/// A TLS connection on a connected, non-blocking socket the caller owns (and closes after
/// ``shutdown()``).
///
/// Not thread-safe: it is used from one serial queue only, the connection's.
package final class TLSSession {
    /// The libssl connection, owned.
    let connection: OpaquePointer
    /// Whether writes collect in a buffer until ``flush()``.
    private var buffered = false
    /// Set once the socket refused a write for good (the peer reset or closed it): nothing is
    /// written again, so a closing connection does not retry the same records on a dead socket at
    /// every flush.
    private var broken = false

    /// The write buffer of a buffered connection: a burst of records (answers to pipelined queries,
    /// DoH responses one record each) leaves in one write(2).
    static let writeBufferSize = 64 * 1024

    /// A connection object of `context` on `descriptor`, side not yet chosen.
    init(descriptor: Int32, context: OpaquePointer) throws(TLSError) {
        ERR_clear_error()
        guard let connection = SSL_new(context) else {
            throw TLSError(.library, "cannot create a TLS connection: \(drainedLibraryErrors())")
        }
        self.connection = connection
        SSL_set_fd(connection, descriptor)
    }

    /// Starts the server side of a connection accepted on `descriptor`.
    /// - Throws: ``TLSError`` when libssl cannot make a connection object.
    /// - Parameter buffered: records collect in a write buffer and leave only through ``flush()``
    ///   (which the handshake and ``shutdown()`` call themselves), so a burst leaves in one write(2).
    package convenience init(
        accepting descriptor: Int32, context: TLSServerContext, buffered: Bool = false
    ) throws(TLSError) {
        try self.init(descriptor: descriptor, context: context.context)
        if buffered {
            guard CTLS_set_buffered_fd(connection, descriptor, Int32(Self.writeBufferSize)) == 1 else {
                throw TLSError(.library, "cannot create the connection's buffers: \(drainedLibraryErrors())")
            }
            self.buffered = true
        }
        SSL_set_accept_state(connection)
    }

    deinit { SSL_free(connection) }

    /// Advances the handshake as far as the socket allows; what it wrote is sent, and a socket that
    /// takes not all of it makes the handshake wait for writability.
    package func handshake() -> TLSProgress {
        ERR_clear_error()
        let result = SSL_do_handshake(connection)
        let step = result == 1 ? TLSProgress.done(0) : progress(after: result)
        if case .failed = step { return step }
        switch flush() {
        case .wantWrite: return .wantWrite
        case .failed(let reason): return .failed(reason)
        default: return step
        }
    }

    /// Sends what the write buffer holds: `.done(0)` when all of it left, `.wantWrite` when the
    /// socket takes no more now, `.failed` when the connection broke. Writes (and reads, which may
    /// answer the peer) leave only through this on a server connection.
    package func flush() -> TLSProgress {
        guard buffered else { return .done(0) }
        guard !broken else { return .failed("the connection is broken") }
        switch CTLS_flush(connection) {
        case 1: return .done(0)
        case 0: return .wantWrite
        default:
            broken = true
            return .failed(String(cString: strerror(errno)))
        }
    }

    /// Whether the handshake has completed.
    package var isEstablished: Bool { SSL_is_init_finished(connection) == 1 }

    /// Reads decrypted application data into `buffer`.
    package func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSProgress {
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(connection, buffer.baseAddress, buffer.count, &count)
        return result == 1 ? .done(count) : progress(after: result)
    }

    /// Encrypts and writes a prefix of `bytes` (partial writes are on).
    package func write(_ bytes: UnsafeRawBufferPointer) -> TLSProgress {
        guard !bytes.isEmpty else { return .done(0) }
        ERR_clear_error()
        var count = 0
        let result = SSL_write_ex(connection, bytes.baseAddress, bytes.count, &count)
        return result == 1 ? .done(count) : progress(after: result)
    }

    /// Whether decrypted bytes, or a record not yet decrypted, wait inside libssl: the socket will
    /// not become readable for them, so the caller reads again without waiting.
    package var hasPendingInput: Bool { SSL_has_pending(connection) == 1 }

    /// The application protocol agreed by ALPN (RFC 7301), if any.
    package var applicationProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(connection, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Whether this connection resumed an earlier session (no full handshake).
    package var isResumed: Bool { SSL_session_reused(connection) == 1 }

    /// The protocol version agreed, e.g. `TLSv1.3`.
    package var protocolVersion: String { String(cString: SSL_get_version(connection)) }

    /// Sends close_notify if the socket takes it now; never waits (the socket is closed next), and
    /// never writes to a connection that broke.
    package func shutdown() {
        ERR_clear_error()
        if isEstablished && !broken {
            _ = SSL_shutdown(connection)
            _ = flush()
        }
        ERR_clear_error()
    }

    /// What a failed or unfinished libssl call means.
    private func progress(after result: Int32) -> TLSProgress {
        let error = SSL_get_error(connection, result)
        switch error {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let code = errno
            if code == EAGAIN || code == EINTR { return .wantRead }
            ERR_clear_error()
            // The peer reset the connection or ended it without close_notify: no write reaches it.
            broken = true
            return code == 0 ? .closed : .failed(String(cString: strerror(code)))
        default:
            return .failed(drainedLibraryErrors())
        }
    }
}
