// Primary responsibilities: the byte stream under a DNS stream connection, as one small protocol —
// read, write, close and readiness — so the RFC 7766 framing runs unchanged over plain TCP
// (TCPStreamTransport) and over TLS (RFC 7858), whose record layer can answer the same calls.

import Dispatch

/// What one read from a stream gave.
enum StreamReadResult: Equatable, Sendable {
    /// This many bytes arrived (at least one).
    case received(Int)
    /// Nothing to read now; readiness is reported again when there is.
    case wouldBlock
    /// The peer finished sending (TCP FIN, or a TLS close_notify): no more queries come.
    case finished
    /// The stream broke; the connection is closed.
    case failed
}

/// What one write to a stream did.
enum StreamWriteResult: Equatable, Sendable {
    /// This many bytes were taken (at least one).
    case wrote(Int)
    /// The stream takes nothing now; writability is reported when it does.
    case wouldBlock
    /// The stream broke; the connection is closed.
    case failed
}

/// A reliable, ordered, non-blocking byte stream to one client.
///
/// Every call, and every readiness handler, runs on the owning connection's serial queue. Readiness
/// is level-triggered: `readable` is reported again while reading is wanted and something (bytes or
/// the end) waits, so a transport that buffers decoded bytes itself (TLS) reports it while it holds
/// any. A TLS implementation hides its handshake and its own need to read while writing (or the
/// reverse) behind the same calls.
protocol StreamTransport: AnyObject {
    /// Starts reporting readiness: `readable` while reading is wanted, `writable` while writing is.
    /// Reading is wanted from the start; writing is not.
    func start(readable: @escaping () -> Void, writable: @escaping () -> Void)
    /// Reads what is waiting into `buffer`, at most its size.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamReadResult
    /// Writes a prefix of `bytes`, as much as the stream takes now.
    func write(_ bytes: UnsafeRawBufferPointer) -> StreamWriteResult
    /// Sends what the transport holds back after writes (TLS records collected for one write(2)):
    /// called once a burst of writes is done. `.wrote(0)` when nothing waits any more.
    func flushWrites() -> StreamWriteResult
    /// Whether `readable` is reported: off while the connection pauses (its in-flight limit, or
    /// the peer finished).
    func setReading(_ wanted: Bool)
    /// Whether `writable` is reported: on while output waits for a stream that took nothing more.
    func setWriting(_ wanted: Bool)
    /// Stops reporting readiness and releases the stream; calls after it do nothing.
    func close()
    /// Fails a connection whose set-up (a TLS handshake) passed its deadline by `now`; asked by the
    /// listener's sweep, so no connection needs a timer of its own.
    func checkDeadline(now: DispatchTime)
}
