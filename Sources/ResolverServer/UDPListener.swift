// Primary responsibilities: one UDP socket on a thread of its own — waiting in poll(2), draining it
// with recvmmsg in batches, answering cache hits at once with sendmmsg, sending slow-path answers
// from the thread that resolved them, and replying from the address a query came to when bound to
// a wildcard.

import CMamoriNet
import DNSWire
import Logging
import MamoriSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP listening socket and the thread that reads it.
///
/// Not a Dispatch read source: on Linux every readiness event of one goes through Dispatch's
/// manager thread (an epoll wake-up, a hand-off to a worker thread, an eventfd write and an epoll
/// re-arm when the handler returns), which made a query that arrives alone cost several times the
/// instructions of its answer (Docs/performance.md, callgrind). The thread waits in the kernel for
/// the socket or its wake-up descriptor, as Unbound's event loop does.
///
/// `@unchecked Sendable` invariant: the buffers are touched only by the listener's thread; the
/// socket is written by that thread and, for slow-path answers, by any thread holding `open`'s
/// lock, which ``close()`` takes before closing it; the other stored properties are immutable or
/// synchronised (`control`, `open`).
final class UDPListener: @unchecked Sendable {
    /// Datagrams read or written per system call (architecture.md §3, §7: batches of 32).
    static let batchSize = 32
    /// Longest a drain keeps reading before it looks at its wake-up descriptor again, so probes and
    /// a stop are seen under a flood.
    static let maxDrain: Duration = .milliseconds(2)
    /// Bytes per receive slot: larger queries are cut by the kernel (MSG_TRUNC) and dropped.
    static let receiveSlotSize = 4096
    /// Bytes per send slot: the largest UDP response (`edns-buffer-size` is at most 4096).
    static let sendSlotSize = 4096

    /// What other threads ask of the listener's thread.
    private struct Control {
        /// Watchdog probes to run on the thread.
        var probes: [@Sendable () -> Void] = []
        /// True once ``stopReading()`` asked the thread to end.
        var stopping = false
        /// True once the thread was started.
        var started = false
    }

    /// The socket.
    let descriptor: Int32
    /// The address it is bound to (port resolved when 0 was asked for).
    let localAddress: ServiceAddress
    /// The DNS logic.
    private let processor: QueryProcessor
    /// Where problems are logged.
    private let logger: Logger
    /// Wakes the thread for probes and the stop (an eventfd).
    private let wake: Int32
    /// Probes and the stop, from other threads.
    private let control = Mutex(Control())
    /// False once closed: late slow-path answers are dropped. Held while one is sent.
    private let open = Mutex(true)
    /// The thread, once started; joined by ``stopReading()``.
    private let thread = Mutex<pthread_t?>(nil)
    /// Receive slots, `batchSize` × `receiveSlotSize` bytes.
    private let receiveBuffers: UnsafeMutablePointer<UInt8>
    /// Send slots, `batchSize` × `sendSlotSize` bytes.
    private let sendBuffers: UnsafeMutablePointer<UInt8>
    /// Per-datagram metadata for receiving.
    private let received: UnsafeMutablePointer<CMamoriNet_Datagram>
    /// The recvmmsg headers over the receive slots, built once.
    private let receiver: OpaquePointer
    /// Per-datagram metadata for sending.
    private let outgoing: UnsafeMutablePointer<CMamoriNet_Datagram>
    /// Pointers to the send slots, as sendmmsg wants them.
    private let sendPointers: UnsafeMutablePointer<UnsafePointer<UInt8>?>

    /// Wraps a bound socket; call ``start()`` to begin reading.
    init(descriptor: Int32, localAddress: ServiceAddress, processor: QueryProcessor, logger: Logger) {
        self.descriptor = descriptor
        self.localAddress = localAddress
        self.processor = processor
        self.logger = logger
        // Without a wake-up descriptor (the open-file limit reached) probes are seen when the next
        // datagram comes, and the stop shuts the socket's reading down, which wakes the thread.
        wake = CMamoriNet_makeWake()
        receiveBuffers = .allocate(capacity: Self.batchSize * Self.receiveSlotSize)
        sendBuffers = .allocate(capacity: Self.batchSize * Self.sendSlotSize)
        received = .allocate(capacity: Self.batchSize)
        received.initialize(repeating: CMamoriNet_Datagram(), count: Self.batchSize)
        // Out of memory only (as for the buffers above, which trap then too).
        guard
            let receiver = CMamoriNet_makeReceiver(
                receiveBuffers, Self.receiveSlotSize, received, UInt32(Self.batchSize))
        else { fatalError("UDP listener: no memory for its receive headers") }
        self.receiver = receiver
        outgoing = .allocate(capacity: Self.batchSize)
        outgoing.initialize(repeating: CMamoriNet_Datagram(), count: Self.batchSize)
        sendPointers = .allocate(capacity: Self.batchSize)
        for index in 0..<Self.batchSize {
            sendPointers[index] = UnsafePointer(sendBuffers + index * Self.sendSlotSize)
        }
    }

    /// Frees the buffers; the socket was closed by ``close()``.
    deinit {
        CMamoriNet_freeReceiver(receiver)
        receiveBuffers.deallocate()
        sendBuffers.deallocate()
        received.deallocate()
        outgoing.deallocate()
        sendPointers.deallocate()
    }

    /// Starts the thread.
    func start() {
        let starting = control.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopping
        }
        guard starting else { return }
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(
            &handle, nil,
            { raw in
                let listener = Unmanaged<UDPListener>.fromOpaque(raw!).takeRetainedValue()
                listener.run()
                return nil
            }, context)
        guard created == 0 else {
            Unmanaged<UDPListener>.fromOpaque(context).release()
            logger.error(
                "UDP listener thread not started", metadata: ["address": "\(localAddress)", "error": "\(created)"])
            return
        }
        thread.withLock { $0 = handle }
    }

    /// Stops reading and waits for the thread to end; answers still in resolution can still be
    /// sent until ``close()``.
    func stopReading() {
        control.withLock { $0.stopping = true }
        if wake >= 0 { CMamoriNet_wake(wake) } else { shutdown(descriptor, Int32(SHUT_RD)) }
        let running = thread.withLock { state in
            defer { state = nil }
            return state
        }
        if let running { pthread_join(running, nil) }
    }

    /// Stops reading and closes the socket; answers arriving later are dropped.
    func close() {
        stopReading()
        let wasOpen = open.withLock { state in
            defer { state = false }
            return state
        }
        guard wasOpen else { return }
        Glibc.close(descriptor)
        if wake >= 0 { Glibc.close(wake) }
    }

    /// Runs `body` on the listener's thread, for the watchdog's liveness probe.
    func probe(_ body: @escaping @Sendable () -> Void) {
        control.withLock { $0.probes.append(body) }
        CMamoriNet_wake(wake)
    }

    /// The thread: waits for datagrams or a wake-up, drains the socket, runs probes, ends when
    /// stopped. Bounded by the stop: each turn waits in the kernel.
    private func run() {
        CMamoriNet_nameThread("mamori-udp")
        while true {
            let ready = CMamoriNet_waitReadableOrWoken(descriptor, wake)
            if ready < 0 && errno != EINTR {
                logger.error("UDP listener stopped: poll failed", metadata: ["error": "\(errno)"])
                return
            }
            // Probes and the stop come with a wake-up (or, without an eventfd, with a shut-down
            // socket): a datagram alone takes no lock.
            if ready & 2 != 0 || wake < 0 {
                let (probes, stopping) = control.withLock { state in
                    defer { state.probes.removeAll() }
                    return (state.probes, state.stopping)
                }
                for probe in probes { probe() }
                if stopping { return }
            }
            if ready & 1 != 0 { drain() }
        }
    }

    /// Reads every waiting datagram, in batches, and answers what can be answered now, for at
    /// most ``maxDrain``.
    private func drain() {
        let clock = ContinuousClock()
        var started: ContinuousClock.Instant?
        while true {
            let count = Int(CMamoriNet_receive(receiver, descriptor))
            if count < 0 {
                if errno != EINTR && errno != EAGAIN {
                    logger.debug("UDP receive failed", metadata: ["error": "\(errno)"])
                }
                if errno != EINTR { return }
                continue
            }
            if count > 0 { answer(count) }
            // A full batch: more is probably waiting. Otherwise the socket is empty. (The clock is
            // read only under load: a lone query pays for no time stamps.)
            guard count == Self.batchSize else { return }
            let now = clock.now
            if started == nil { started = now }
            if let started, now - started >= Self.maxDrain { return }
        }
    }

    /// Answers the `count` datagrams just received: cache hits in one sendmmsg, misses handed to
    /// the slow path.
    private func answer(_ count: Int) {
        var replies = 0
        for index in 0..<count {
            let datagram = received[index]
            guard datagram.truncated == 0, let peer = Sockets.serviceAddress(datagram.peer) else { continue }
            let query = UnsafeBufferPointer(
                start: receiveBuffers + index * Self.receiveSlotSize, count: Int(datagram.length))
            let client = ClientAddress(address: peer.host, port: peer.port, transport: .udp)
            // A packet-cache hit goes from the receive slot to the send slot with no allocation.
            let slot = UnsafeMutableBufferPointer(
                start: sendBuffers + replies * Self.sendSlotSize, count: Self.sendSlotSize)
            let settings: QueryProcessor.QuerySettings?
            switch processor.answerFromPacketCache(query, client: client, into: slot) {
            case .answered(let length):
                outgoing[replies] = datagram
                outgoing[replies].length = UInt32(length)
                replies += 1
                continue
            case .missed(let read):
                settings = read
            }
            switch processor.handle(Array(query), client: client, settings: settings) {
            case .drop:
                continue
            case .respond(let response):
                guard response.count <= Self.sendSlotSize else { continue }
                response.withUnsafeBufferPointer { source in
                    (sendBuffers + replies * Self.sendSlotSize).update(
                        from: source.baseAddress!, count: source.count)
                }
                outgoing[replies] = datagram
                outgoing[replies].length = UInt32(response.count)
                replies += 1
            case .resolve(let query):
                let replyTo = datagram
                processor.resolve(query, client: client) { [self] response in send(response, to: replyTo) }
            }
        }
        if replies > 0 { _ = CMamoriNet_sendBatch(descriptor, sendPointers, outgoing, UInt32(replies)) }
    }

    /// Sends one slow-path answer, from the address the query came to, on the thread that
    /// resolved it (a UDP send is one system call; the lock keeps ``close()`` from closing the
    /// socket, and its number from being reused, meanwhile).
    private func send(_ response: [UInt8], to datagram: CMamoriNet_Datagram) {
        guard !response.isEmpty, response.count <= Self.sendSlotSize else { return }
        var metadata = datagram
        metadata.length = UInt32(response.count)
        open.withLock { isOpen in
            guard isOpen else { return }
            response.withUnsafeBufferPointer { buffer in
                var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
                _ = CMamoriNet_sendBatch(descriptor, &pointer, &metadata, 1)
            }
        }
    }
}
