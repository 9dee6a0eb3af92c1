// Primary responsibilities: what the DNS-over-TLS listeners share — the current server context
// (swapped whole when a reload brings a renewed certificate; open connections keep theirs), the
// handshake deadline, and the handshake counters.

import Dispatch
package import MamoriTLS
import Synchronization

/// The TLS side of every DoT listener: makes the TLS transport of each accepted connection.
package final class TLSAcceptor: Sendable {
    /// The context new connections use.
    private let context: Mutex<TLSServerContext>
    /// How long a client has to complete the handshake.
    let handshakeTimeout: Duration
    /// Handshake counts, for the metrics.
    let observer: TLSHandshakeObserver

    /// Creates the acceptor with the context loaded at start.
    package init(context: TLSServerContext, handshakeTimeout: Duration, metrics: ServerMetrics? = nil) {
        self.context = Mutex(context)
        self.handshakeTimeout = handshakeTimeout
        self.observer =
            metrics.map { metrics in
                TLSHandshakeObserver(
                    completed: { resumed in metrics.tlsHandshakeCompleted(resumed: resumed) },
                    failed: { _ in metrics.tlsHandshakeFailed() })
            } ?? TLSHandshakeObserver()
    }

    /// The context new connections use.
    package var current: TLSServerContext { context.withLock { $0 } }

    /// Makes `replacement` the context of connections accepted from now on.
    package func replace(with replacement: TLSServerContext) { context.withLock { $0 = replacement } }

    /// The TLS transport for a connection accepted on `descriptor`, or nil when libssl cannot make
    /// one (the caller closes the socket).
    func transport(for descriptor: Int32, queue: DispatchQueue) -> TLSStreamTransport? {
        // Buffered: the connection flushes after each burst (StreamTransport.flushWrites).
        guard let session = try? TLSSession(accepting: descriptor, context: current, buffered: true) else {
            return nil
        }
        return TLSStreamTransport(
            descriptor: descriptor, session: session, queue: queue, handshakeTimeout: handshakeTimeout,
            observer: observer)
    }
}
