// Primary responsibilities: the connections to one TLS forwarder (RFC 7858 §3.4, RFC 7766 §6.2):
// reused and pipelined, a bounded number of them, queries placed on the least busy one with room or
// held until one has room, closed when idle, and a session to resume on the next connection.

import DNSWire
import Dispatch
import MamoriTLS
import Resolver

/// How a handshake with a TLS forwarder ended, for the metrics.
package enum UpstreamTLSHandshake: Sendable, CaseIterable {
    /// A full handshake, the server authenticated.
    case full
    /// A resumed session (no full handshake), the server authenticated.
    case resumed
    /// The handshake failed (no TLS, no common protocol, a reset).
    case failed
    /// The server did not prove who it is: chain, name or pin (RFC 7858 §4.2).
    case authenticationFailed
}

/// The connections to one forwarder with one set of TLS settings.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue`.
final class TLSForwarderPool: @unchecked Sendable {
    /// Connections open at once to one forwarder. Unbound serves 10 TCP/TLS clients per thread
    /// by default (`incoming-num-tcp`), so a resolver behind one must not take many of them.
    static let maxConnections = 2
    /// Queries in flight on one connection (RFC 7766 §6.2.1.1 pipelining); Unbound answers up to
    /// 32 at once per connection (`TCP_MAX_REQ_SIMULTANEOUS`). Beyond both bounds, queries wait for
    /// room, within their own timeouts and the transport's cap on outstanding queries.
    static let maxInFlightPerConnection = 32
    /// A connection with nothing in flight closes after this long (RFC 7766 §6.2.3: clients close
    /// idle connections; the daemon's 10 s is below Unbound's 30 s `tcp-idle-timeout`, so the
    /// client closes first).
    let idleTimeout: Duration
    /// The connect and handshake must end within this, whatever the queries' own timeouts.
    static let establishTimeout: Duration = .seconds(5)
    /// Times a query is placed again after its connection closed before the reply (the server may
    /// close an idle connection just as a query is written, RFC 7766 §6.2.4).
    static let maxReplacements = 1

    /// The forwarder.
    let server: ServerAddress
    /// Its TLS settings and context.
    let forwarder: TLSForwarder
    /// The queue every connection of the pool and every query's timer runs on.
    let queue: DispatchQueue
    /// Told of handshakes.
    private let observer: (any UpstreamObserver)?
    /// The open connections.
    private var connections: [TLSForwarderConnection] = []
    /// Queries waiting for room, oldest first.
    private var waiting: [TLSForwarderQuery] = []
    /// The session to offer on the next connection.
    var resumption: TLSResumption?

    /// Creates an empty pool.
    init(
        server: ServerAddress, forwarder: TLSForwarder, queue: DispatchQueue, observer: (any UpstreamObserver)?,
        idleTimeout: Duration, resumption: TLSResumption? = nil
    ) {
        self.idleTimeout = idleTimeout
        self.server = server
        self.forwarder = forwarder
        self.queue = queue
        self.observer = observer
        self.resumption = resumption
    }

    /// Sends `message` and waits at most `timeout` for the reply to `question`.
    func send(_ message: [UInt8], question: Question, timeout: Duration) async -> UpstreamReply {
        await withCheckedContinuation { continuation in
            let query = TLSForwarderQuery(message: message, question: question) { continuation.resume(returning: $0) }
            queue.async { [self] in
                let timer = DispatchSource.makeTimerSource(queue: queue)
                timer.schedule(deadline: .now() + .nanoseconds(Int(timeout.nanosecondsUpToAnHour)))
                timer.setEventHandler { [self] in expire(query) }
                timer.resume()
                query.timer = timer
                place(query)
            }
        }
    }

    // MARK: - Placing queries

    /// Puts `query` on the least busy connection with room, else on a new connection while
    /// fewer than ``maxConnections`` are open, else in the waiting line.
    private func place(_ query: TLSForwarderQuery) {
        guard !query.isFinished else { return }
        let open = connections.filter(\.hasRoom)
        if let connection = open.min(by: { $0.inFlight.count < $1.inFlight.count }), connection.take(query) { return }
        guard connections.count < Self.maxConnections else { return waiting.append(query) }
        do {
            let connection = try TLSForwarderConnection(
                server: server, forwarder: forwarder, resuming: resumption, pool: self, queue: queue)
            connections.append(connection)
            connection.start(deadline: Self.establishTimeout)
            if !connection.take(query) { waiting.append(query) }
        } catch {
            query.finish(.networkError(error.reason))
        }
    }

    /// A query's deadline passed: it ends as a timeout wherever it is.
    private func expire(_ query: TLSForwarderQuery) {
        if let connection = query.connection {
            connection.forget(query)
            query.finish(.timeout)
            placeWaiting()
        } else {
            waiting.removeAll { $0 === query }
            query.finish(.timeout)
        }
    }

    /// Places waiting queries while connections have room.
    private func placeWaiting() {
        // Bounded by the waiting line, which only shrinks here (place re-queues at most what it takes).
        var line = waiting
        waiting.removeAll()
        while !line.isEmpty {
            let query = line.removeFirst()
            if query.isFinished { continue }
            if connections.count >= Self.maxConnections && !connections.contains(where: \.hasRoom) {
                waiting.append(query)
                waiting += line
                return
            }
            place(query)
        }
    }

    // MARK: - What connections report

    /// A connection is authenticated: waiting queries may go.
    func connectionEstablished(_ connection: TLSForwarderConnection) {
        placeWaiting()
    }

    /// Replies freed room on a connection: waiting queries may go.
    func connectionHasRoom() {
        if !waiting.isEmpty { placeWaiting() }
    }

    /// A handshake ended.
    func handshakeEnded(_ outcome: UpstreamTLSHandshake) {
        observer?.upstreamTLSHandshakeEnded(outcome)
    }

    /// A connection closed with `orphans` unanswered. When the server was reached (`reached`), they
    /// are placed again once (``maxReplacements``); otherwise they, and every waiting query, fail
    /// with `reason`: the next connection would meet the same refusal.
    func connectionEnded(
        _ connection: TLSForwarderConnection, orphans: [TLSForwarderQuery], reason: String?, reached: Bool
    ) {
        connections.removeAll { $0 === connection }
        let reason = reason ?? "the TLS connection closed"
        for query in orphans {
            query.connection = nil
            if reached && query.replacements < Self.maxReplacements {
                query.replacements += 1
                waiting.insert(query, at: 0)
            } else {
                query.finish(.networkError(reason))
            }
        }
        if !reached {
            let line = waiting
            waiting.removeAll()
            for query in line { query.finish(.networkError(reason)) }
        }
        placeWaiting()
    }
}
