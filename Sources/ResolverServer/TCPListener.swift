// Primary responsibilities: one listening TCP socket on its own serial queue — accepting
// connections within the global connection cap, refusing denied clients at once, and handing each
// accepted connection to a TCPConnection that lives on the same queue.

import CMamoriNet
import DNSWire
import Dispatch
import Logging
import MamoriConfiguration
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The number of open TCP connections over all listeners, against `server.tcp-max-connections`.
final class ConnectionBudget: Sendable {
    /// Connections open now.
    private let open = Atomic(0)

    /// Creates an empty budget.
    init() {}

    /// Takes one connection slot unless `limit` are in use.
    func acquire(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives a slot back.
    func release() { open.subtract(1, ordering: .acquiringAndReleasing) }

    /// Connections open now.
    var count: Int { open.load(ordering: .relaxed) }
}

/// A listening TCP socket and the queue that owns it and its connections.
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
    /// Where problems are logged.
    private let logger: Logger
    /// The accept source.
    private var source: (any DispatchSourceRead)?
    /// Open connections, by identity, so stop can close them.
    private var connections: [ObjectIdentifier: TCPConnection] = [:]
    /// True once the accept source was created (its cancel handler then closes the socket).
    private var started = false

    /// Wraps a bound, listening socket; call ``start()`` to begin accepting.
    init(
        descriptor: Int32, localAddress: ServiceAddress, processor: QueryProcessor, budget: ConnectionBudget,
        logger: Logger
    ) {
        self.descriptor = descriptor
        self.localAddress = localAddress
        self.processor = processor
        self.budget = budget
        self.logger = logger
        self.queue = DispatchQueue(label: "mamori.tcp.\(localAddress)", qos: .userInitiated)
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
            guard budget.acquire(limit: policy.tcpMaxConnections) else {
                // At the cap: closing at once tells the client to go elsewhere, and keeps the
                // kernel's backlog from filling with connections we would never serve.
                logger.debug("TCP connection refused: connection limit reached", metadata: ["client": "\(address)"])
                Glibc.close(client)
                continue
            }
            let connection = TCPConnection(
                descriptor: client, client: ClientAddress(address: address.host, port: address.port, transport: .tcp),
                queue: queue, processor: processor, policy: policy
            ) { [self] finished in
                dispatchPrecondition(condition: .onQueue(queue))
                connections[ObjectIdentifier(finished)] = nil
                budget.release()
            }
            connections[ObjectIdentifier(connection)] = connection
            connection.start()
        }
    }
}
