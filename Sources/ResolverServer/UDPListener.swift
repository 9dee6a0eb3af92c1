// Primary responsibilities: one UDP socket on its own serial Dispatch queue — draining it with
// recvmmsg in batches, answering cache hits at once with sendmmsg, sending slow-path answers back
// on the same queue, and replying from the address a query came to when bound to a wildcard.

import CMamoriNet
import DNSWire
import Dispatch
import Logging
import MamoriSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP listening socket and the queue that owns it.
///
/// `@unchecked Sendable` invariant: the buffers, the read source and the flags are touched only on
/// `queue` (checked with `dispatchPrecondition`); the other stored properties are immutable.
final class UDPListener: @unchecked Sendable {
    /// Datagrams read or written per system call (architecture.md §3, §7: batches of 32).
    static let batchSize = 32
    /// How long a drain that emptied the socket waits for the next datagram before it gives the
    /// queue back. A datagram that comes within it is read at once by this thread; one that comes
    /// later wakes the read source, which Dispatch on Linux does through its manager thread (an
    /// epoll wake-up, a hand-off to a worker thread, an eventfd write and an epoll re-arm when the
    /// handler returns): about a fifth of the listener's CPU at a steady 100 k queries/s
    /// (Docs/performance.md). The wait sleeps in the kernel; it costs no CPU.
    static let lingerNanoseconds = 100_000
    /// Longest a drain keeps the queue, so probes and anything else queued behind it run.
    static let maxDrainNanoseconds: UInt64 = 2_000_000
    /// Bytes per receive slot: larger queries are cut by the kernel (MSG_TRUNC) and dropped.
    static let receiveSlotSize = 4096
    /// Bytes per send slot: the largest UDP response (`edns-buffer-size` is at most 4096).
    static let sendSlotSize = 4096

    /// The socket.
    let descriptor: Int32
    /// The address it is bound to (port resolved when 0 was asked for).
    let localAddress: ServiceAddress
    /// The serial queue that owns the socket.
    let queue: DispatchQueue
    /// The DNS logic.
    private let processor: QueryProcessor
    /// Where problems are logged.
    private let logger: Logger
    /// The read source, nil before start and after stop.
    private var source: (any DispatchSourceRead)?
    /// False once closed: late slow-path answers are dropped.
    private var isOpen = true
    /// True once the read source was created.
    private var started = false
    /// True once the read source's cancel handler ran.
    private var sourceCancelled = false
    /// True when ``close()`` came before the cancel handler, which then closes the descriptor.
    private var closeRequested = false
    /// Slow-path answers queued for this queue and not sent yet: a drain stops lingering for them.
    private let queuedSends = Atomic(0)
    /// Receive slots, `batchSize` × `receiveSlotSize` bytes.
    private let receiveBuffers: UnsafeMutablePointer<UInt8>
    /// Send slots, `batchSize` × `sendSlotSize` bytes.
    private let sendBuffers: UnsafeMutablePointer<UInt8>
    /// Per-datagram metadata for receiving.
    private let received: UnsafeMutablePointer<CMamoriNet_Datagram>
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
        self.queue = DispatchQueue(label: "mamori.udp.\(localAddress)", qos: .userInitiated)
        receiveBuffers = .allocate(capacity: Self.batchSize * Self.receiveSlotSize)
        sendBuffers = .allocate(capacity: Self.batchSize * Self.sendSlotSize)
        received = .allocate(capacity: Self.batchSize)
        received.initialize(repeating: CMamoriNet_Datagram(), count: Self.batchSize)
        outgoing = .allocate(capacity: Self.batchSize)
        outgoing.initialize(repeating: CMamoriNet_Datagram(), count: Self.batchSize)
        sendPointers = .allocate(capacity: Self.batchSize)
        for index in 0..<Self.batchSize {
            sendPointers[index] = UnsafePointer(sendBuffers + index * Self.sendSlotSize)
        }
    }

    /// Frees the buffers; the socket was closed by ``close()``.
    deinit {
        receiveBuffers.deallocate()
        sendBuffers.deallocate()
        received.deallocate()
        outgoing.deallocate()
        sendPointers.deallocate()
    }

    /// Starts reading.
    func start() {
        queue.async { [self] in
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            source.setEventHandler { [self] in drain() }
            source.setCancelHandler { [self] in
                sourceCancelled = true
                if closeRequested { Glibc.close(descriptor) }
            }
            self.source = source
            started = true
            source.resume()
        }
    }

    /// Stops reading; answers still in resolution can still be sent until ``close()``.
    func stopReading() {
        queue.sync { [self] in
            source?.cancel()
            source = nil
        }
    }

    /// Stops reading and closes the socket; answers arriving later are dropped.
    func close() {
        queue.sync { [self] in
            guard isOpen else { return }
            isOpen = false
            if let source {
                source.cancel()
                self.source = nil
            }
            // Dispatch requires the descriptor to outlive the source: close after its cancel handler.
            if sourceCancelled || !started { Glibc.close(descriptor) } else { closeRequested = true }
        }
    }

    /// Runs `body` on the queue, for the watchdog's liveness probe.
    func probe(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }

    /// Reads every waiting datagram, in batches, and answers what can be answered now; then lingers
    /// briefly for the next one (see ``lingerNanoseconds``) unless a slow-path answer is queued.
    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        let started = DispatchTime.now().uptimeNanoseconds
        while true {
            let count = Int(
                CMamoriNet_receiveBatch(
                    descriptor, receiveBuffers, Self.receiveSlotSize, received, UInt32(Self.batchSize)))
            if count < 0 {
                if errno != EINTR && errno != EAGAIN {
                    logger.debug("UDP receive failed", metadata: ["error": "\(errno)"])
                }
                if errno != EAGAIN { return }
            }
            if count > 0 { answer(count) }
            guard DispatchTime.now().uptimeNanoseconds - started < Self.maxDrainNanoseconds else { return }
            // A full batch: more is probably waiting. Otherwise the socket is empty: linger.
            if count == Self.batchSize { continue }
            guard queuedSends.load(ordering: .relaxed) == 0, isOpen, source != nil,
                CMamoriNet_waitReadable(descriptor, Self.lingerNanoseconds) == 1
            else { return }
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
            if let length = processor.answerFromPacketCache(query, client: client, into: slot) {
                outgoing[replies] = datagram
                outgoing[replies].length = UInt32(length)
                replies += 1
                continue
            }
            switch processor.handle(Array(query), client: client, packetCacheChecked: true) {
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
                processor.resolve(query, client: client) { [self] response in
                    queuedSends.add(1, ordering: .relaxed)
                    queue.async { [self] in
                        queuedSends.subtract(1, ordering: .relaxed)
                        send(response, to: replyTo)
                    }
                }
            }
        }
        if replies > 0 { _ = CMamoriNet_sendBatch(descriptor, sendPointers, outgoing, UInt32(replies)) }
    }

    /// Sends one slow-path answer, from the address the query came to.
    private func send(_ response: [UInt8], to datagram: CMamoriNet_Datagram) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard isOpen, !response.isEmpty, response.count <= Self.sendSlotSize else { return }
        var metadata = datagram
        metadata.length = UInt32(response.count)
        response.withUnsafeBufferPointer { buffer in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            _ = CMamoriNet_sendBatch(descriptor, &pointer, &metadata, 1)
        }
    }
}
