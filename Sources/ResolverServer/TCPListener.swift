// Primary responsibilities: one listening TCP socket on its own serial queue — accepting
// connections within the global connection cap, refusing denied clients at once, and handing each
// accepted connection, over a TCPStreamTransport (plain DNS over TCP) or a TLSStreamTransport (DNS
// over TLS), to a DNSStreamConnection on the same queue.

import CMamoriNet
import DNSWire
import Dispatch
import Logging
import MamoriSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The open TCP connections over all listeners, in total (`server.tcp-max-connections`) and per
/// source address (`server.tcp-max-connections-per-client`, so one address cannot hold every slot).
/// A lock, not an atomic: it is taken once per connection, never per query.
final class ConnectionBudget: Sendable {
    /// Connections open now, in total and per address (addresses at zero are removed).
    private let open = Mutex<(total: Int, perClient: [IPAddress: Int])>((0, [:]))

    /// Creates an empty budget.
    init() {}

    /// Why a connection was not admitted.
    enum Refusal: Error { case total, perClient }

    /// Takes one connection slot for `address` unless `limit` are open in all, or `perClient`
    /// from that address.
    func acquire(_ address: IPAddress, limit: Int, perClient: Int) -> Result<Void, Refusal> {
        open.withLock { open in
            guard open.total < limit else { return .failure(.total) }
            let current = open.perClient[address, default: 0]
            guard current < perClient else { return .failure(.perClient) }
            open.total += 1
            open.perClient[address] = current + 1
            return .success(())
        }
    }

    /// Gives back a slot taken for `address`.
    func release(_ address: IPAddress) {
        open.withLock { open in
            guard let current = open.perClient[address] else { return }
            open.perClient[address] = current > 1 ? current - 1 : nil
            open.total -= 1
        }
    }

    /// Connections open now.
    var count: Int { open.withLock { $0.total } }
}

/// One accepted client connection, whatever it speaks; lives on its listener's queue.
protocol ClientConnection: AnyObject {
    /// Starts reading.
    func start()
    /// Closes the connection; the listener is told through the callback it gave.
    func close()
    /// Ends the connection if a deadline passed by `now`: the handshake's, or the idle timeout.
    func checkDeadlines(now: DispatchTime)
}

/// What a stream listener serves.
enum StreamService {
    /// DNS over TCP (RFC 7766).
    case tcp
    /// DNS over TLS (RFC 7858): the same framing inside TLS.
    case tls(TLSAcceptor)
    /// DNS over HTTPS (RFC 8484) at `path`, HTTP/2 inside TLS.
    case https(TLSAcceptor, path: String)

    /// How its queries travel.
    var transport: DNSTransport {
        switch self {
        case .tcp: .tcp
        case .tls: .tls
        case .https: .https
        }
    }

    /// The TLS side of its connections, if any.
    var acceptor: TLSAcceptor? {
        switch self {
        case .tcp: nil
        case .tls(let acceptor), .https(let acceptor, _): acceptor
        }
    }
}

/// A listening TCP socket and the queue that owns it and its connections: plain DNS over TCP, DNS
/// over TLS or DNS over HTTPS (``StreamService``); TLS handshakes run on this queue, never on a UDP
/// listener's.
///
/// `@unchecked Sendable` invariant: `source`, `connections` and `started` are touched only on
/// `queue` (checked with `dispatchPrecondition`); the other stored properties are immutable.
final class TCPListener: @unchecked Sendable {
    /// The listening socket.
    let descriptor: Int32
    /// The address it is bound to.
    let localAddress: ServiceAddress
    /// The serial queue for accepting and for every connection's I/O.
    let queue: DispatchQueue
    /// The DNS logic.
    private let processor: QueryProcessor
    /// Shared connection count.
    private let budget: ConnectionBudget
    /// What it serves.
    let service: StreamService
    /// Where problems are logged.
    private let logger: Logger
    /// The accept source.
    private var source: (any DispatchSourceRead)?
    /// Open connections, by identity, so stop can close them.
    private var connections: [ObjectIdentifier: any ClientConnection] = [:]
    /// True once the accept source was created (its cancel handler then closes the socket).
    private var started = false
    /// The one timer that checks every connection's deadlines (made on the first connection,
    /// suspended while there is none): a timer per connection would cost Dispatch a registration
    /// and a cancellation, each a wake-up of its manager thread, for every handshake.
    private var sweep: (any DispatchSourceTimer)?
    /// Whether `sweep` is running.
    private var sweeping = false

    /// Wraps a bound, listening socket; call ``start()`` to begin accepting.
    init(
        descriptor: Int32, localAddress: ServiceAddress, processor: QueryProcessor, budget: ConnectionBudget,
        logger: Logger, service: StreamService = .tcp
    ) {
        self.descriptor = descriptor
        self.localAddress = localAddress
        self.processor = processor
        self.budget = budget
        self.logger = logger
        self.service = service
        self.queue = DispatchQueue(label: "mamori.\(service.transport).\(localAddress)", qos: .userInitiated)
    }

    /// Starts accepting.
    func start() {
        queue.async { [self] in
            // Stopped before it started: the descriptor is already closed.
            guard !started else { return }
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            source.setEventHandler { [self] in acceptWaiting() }
            let descriptor = self.descriptor
            source.setCancelHandler { Glibc.close(descriptor) }
            self.source = source
            started = true
            source.resume()
        }
    }

    /// Stops accepting; open connections go on until ``close()``.
    func stopAccepting() {
        queue.sync { [self] in
            source?.cancel()
            source = nil
            if !started { Glibc.close(descriptor) }
            started = true
        }
    }

    /// Stops accepting and closes every connection.
    func close() {
        stopAccepting()
        queue.sync { [self] in
            for connection in connections.values { connection.close() }
            connections.removeAll()
            if let sweep {
                if !sweeping { sweep.resume() }
                sweep.cancel()
            }
            sweep = nil
            sweeping = false
        }
    }

    /// How often the sweep runs: a quarter of the shortest deadline (the idle timeout, the
    /// handshake's), at least 50 ms and at most a second.
    private var sweepInterval: DispatchTimeInterval {
        var shortest = processor.policy.tcpIdleTimeout
        if let handshake = service.acceptor?.handshakeTimeout { shortest = min(shortest, handshake) }
        let quarter = Int(shortest.nanosecondsUpToAnHour / 4)
        return .nanoseconds(min(max(quarter, 50_000_000), 1_000_000_000))
    }

    /// Starts the sweep if it is not running.
    private func startSweeping() {
        guard !sweeping else { return }
        let timer = sweep ?? DispatchSource.makeTimerSource(queue: queue)
        if sweep == nil {
            timer.setEventHandler { [self] in checkDeadlines() }
            sweep = timer
        }
        let interval = sweepInterval
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        sweeping = true
        timer.resume()
    }

    /// Asks every connection to check its deadlines; stops the sweep when none is open, so an idle
    /// listener never wakes up.
    private func checkDeadlines() {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = DispatchTime.now()
        // A snapshot: a connection that closes removes itself from `connections`.
        for connection in Array(connections.values) { connection.checkDeadlines(now: now) }
        if connections.isEmpty, let sweep, sweeping {
            sweep.suspend()
            sweeping = false
        }
    }

    /// Runs `body` on the queue, for the watchdog's liveness probe.
    func probe(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }

    /// Accepts every waiting connection.
    private func acceptWaiting() {
        dispatchPrecondition(condition: .onQueue(queue))
        for _ in 0..<64 {
            var peer = sockaddr_storage()
            var length = socklen_t(0)
            let client = CMamoriNet_accept(descriptor, &peer, &length)
            guard client >= 0 else { return }
            let policy = processor.policy
            guard let address = Sockets.serviceAddress(peer), policy.accessControl.action(for: address.host) != .deny
            else {
                Glibc.close(client)
                continue
            }
            if case .failure(let refusal) = budget.acquire(
                address.host, limit: policy.tcpMaxConnections, perClient: policy.tcpMaxConnectionsPerClient)
            {
                // At a cap: closing at once tells the client to go elsewhere, and keeps the
                // kernel's backlog from filling with connections we would never serve.
                logger.debug(
                    "\(service.transport) connection refused: \(refusal == .total ? "connection" : "per-client connection") limit reached",
                    metadata: ["client": "\(address)"])
                Glibc.close(client)
                continue
            }
            let transport: any StreamTransport
            if let acceptor = service.acceptor {
                guard let secured = acceptor.transport(for: client, queue: queue) else {
                    Glibc.close(client)
                    budget.release(address.host)
                    continue
                }
                transport = secured
            } else {
                transport = TCPStreamTransport(descriptor: client, queue: queue)
            }
            let clientAddress = ClientAddress(address: address.host, port: address.port, transport: service.transport)
            let closed: (any ClientConnection) -> Void = { [self] finished in
                dispatchPrecondition(condition: .onQueue(queue))
                connections[ObjectIdentifier(finished)] = nil
                budget.release(address.host)
            }
            let connection: any ClientConnection
            if case .https(_, let path) = service {
                connection = DoHConnection(
                    transport: transport, client: clientAddress, queue: queue, processor: processor, policy: policy,
                    path: path,
                    onClose: closed)
            } else {
                connection = DNSStreamConnection(
                    transport: transport, client: clientAddress, queue: queue, processor: processor, policy: policy,
                    onClose: closed)
            }
            connections[ObjectIdentifier(connection)] = connection
            startSweeping()
            connection.start()
        }
    }
}
