// Primary responsibilities: one client TCP connection (RFC 7766): 2-octet length framing, several
// queries in flight answered as they complete (out of order, §6.2.1.1), bounded input and output
// buffers, an idle timeout that partial frames do not extend, and closing without harming others.

import CMamoriNet
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// A client connection; lives on its listener's queue.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue` (checked
/// with `dispatchPrecondition`); slow-path answers hop onto `queue` before touching anything.
final class TCPConnection: @unchecked Sendable {
    /// Bytes read per read(2).
    static let readChunk = 16384
    /// Most response bytes waiting for a client that does not read; beyond, the connection is closed.
    static let maxOutput = 256 * 1024

    /// The connected socket.
    private let descriptor: Int32
    /// The peer.
    private let client: ClientAddress
    /// The listener's queue.
    private let queue: DispatchQueue
    /// The DNS logic.
    private let processor: QueryProcessor
    /// Most queries of this connection in resolution at once; reading pauses at the limit.
    private let maxQueries: Int
    /// The idle timeout.
    private let idleTimeout: Duration
    /// Called once, on `queue`, when the connection is closed.
    private let onClose: (TCPConnection) -> Void

    /// The read source.
    private var reader: (any DispatchSourceRead)?
    /// The write source, created when output first has to wait.
    private var writer: (any DispatchSourceWrite)?
    /// The idle timer.
    private var timer: (any DispatchSourceTimer)?
    /// Whether the read source is suspended (queries at the limit, or the peer finished sending).
    private var readerSuspended = false
    /// Whether the write source is suspended (nothing to send).
    private var writerSuspended = true
    /// Received bytes not yet forming a whole frame: at most one frame plus one read.
    private var input: [UInt8] = []
    /// Encoded, framed responses not yet written.
    private var output: [UInt8] = []
    /// Queries handed to the engine and not yet answered.
    private var inFlight = 0
    /// When the last complete query arrived or output last made progress.
    private var lastActivity = DispatchTime.now()
    /// True after the peer closed its side: answer what is pending, then close.
    private var peerFinished = false
    /// True once closed.
    private var isClosed = false
    /// Sources still to be cancelled before the descriptor may be closed.
    private var liveSources = 0

    /// Creates the connection; call ``start()`` next.
    init(
        descriptor: Int32, client: ClientAddress, queue: DispatchQueue, processor: QueryProcessor, policy: ServerPolicy,
        onClose: @escaping (TCPConnection) -> Void
    ) {
        self.descriptor = descriptor
        self.client = client
        self.queue = queue
        self.processor = processor
        self.maxQueries = policy.tcpMaxQueriesPerConnection
        self.idleTimeout = policy.tcpIdleTimeout
        self.onClose = onClose
    }

    /// Starts reading and the idle timer.
    func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        let reader = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        reader.setEventHandler { [self] in readAvailable() }
        reader.setCancelHandler { [self] in sourceCancelled() }
        self.reader = reader
        liveSources += 1
        reader.resume()

        let timer = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.milliseconds(max(50, Int(Self.milliseconds(idleTimeout) / 4)))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        timer.setEventHandler { [self] in checkIdle() }
        self.timer = timer
        timer.resume()
    }

    /// Closes the connection: cancels the sources, then closes the socket once they are done.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        isClosed = true
        timer?.cancel()
        timer = nil
        if let reader {
            if readerSuspended { reader.resume() }
            reader.cancel()
        }
        if let writer {
            if writerSuspended { writer.resume() }
            writer.cancel()
        }
        reader = nil
        writer = nil
        if liveSources == 0 { Glibc.close(descriptor) }
        onClose(self)
    }

    /// Counts cancelled sources; the last one closes the descriptor (Dispatch requires that order).
    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 { Glibc.close(descriptor) }
    }

    // MARK: - Reading

    /// Reads what is waiting and handles every complete frame.
    private func readAvailable() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        let start = input.count
        input.reserveCapacity(start + Self.readChunk)
        var count = 0
        input.append(contentsOf: repeatElement(0, count: Self.readChunk))
        input.withUnsafeMutableBufferPointer { buffer in
            count = recv(descriptor, buffer.baseAddress! + start, Self.readChunk, 0)
        }
        input.removeLast(Self.readChunk - max(count, 0))
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            close()
            return
        }
        if count == 0 {
            // The peer finished sending (or vanished): answer what is in flight, then close.
            peerFinished = true
            pauseReading()
            closeIfDone()
            return
        }
        handleFrames()
    }

    /// Takes every complete frame from the input and handles its query.
    private func handleFrames() {
        var offset = 0
        while !isClosed && inFlight < maxQueries && input.count - offset >= 2 {
            let length = Int(input[offset]) << 8 | Int(input[offset + 1])
            guard length > 0 else {
                close()
                return
            }
            guard input.count - offset - 2 >= length else { break }
            let message = Array(input[(offset + 2)..<(offset + 2 + length)])
            offset += 2 + length
            lastActivity = .now()
            handle(message)
        }
        if offset > 0 { input.removeFirst(offset) }
        if inFlight >= maxQueries { pauseReading() }
    }

    /// Handles one query: answers now, or waits for the engine.
    private func handle(_ message: [UInt8]) {
        switch processor.handle(message, client: client) {
        case .drop:
            break
        case .respond(let response):
            send(response)
        case .resolve(let query):
            inFlight += 1
            processor.resolve(query, client: client) { [self] response in
                queue.async { [self] in
                    inFlight -= 1
                    guard !isClosed else { return }
                    lastActivity = .now()
                    send(response)
                    if inFlight < maxQueries {
                        if !input.isEmpty { handleFrames() }
                        if inFlight < maxQueries && !peerFinished { resumeReading() }
                    }
                    closeIfDone()
                }
            }
        }
    }

    /// Suspends the read source.
    private func pauseReading() {
        guard let reader, !readerSuspended else { return }
        reader.suspend()
        readerSuspended = true
    }

    /// Resumes the read source.
    private func resumeReading() {
        guard let reader, readerSuspended else { return }
        reader.resume()
        readerSuspended = false
    }

    // MARK: - Writing

    /// Queues one framed response and writes what the socket takes now.
    private func send(_ response: [UInt8]) {
        guard !isClosed, !response.isEmpty, response.count <= 65535 else { return }
        guard output.count + 2 + response.count <= Self.maxOutput else {
            // A client that asks and never reads would make us hold answers without bound.
            close()
            return
        }
        output.append(UInt8(response.count >> 8))
        output.append(UInt8(response.count & 0xFF))
        output.append(contentsOf: response)
        flush()
    }

    /// Writes as much output as the socket takes; waits for writability for the rest.
    private func flush() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        while !output.isEmpty {
            let written = output.withUnsafeBufferPointer { buffer in
                Glibc.send(descriptor, buffer.baseAddress!, buffer.count, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                output.removeFirst(written)
                lastActivity = .now()
                continue
            }
            if written < 0 && (errno == EAGAIN || errno == EINTR) { break }
            close()
            return
        }
        if output.isEmpty {
            if let writer, !writerSuspended {
                writer.suspend()
                writerSuspended = true
            }
            closeIfDone()
        } else {
            waitForWritable()
        }
    }

    /// Arms the write source.
    private func waitForWritable() {
        if writer == nil {
            let writer = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            writer.setEventHandler { [self] in flush() }
            writer.setCancelHandler { [self] in sourceCancelled() }
            liveSources += 1
            self.writer = writer
            writerSuspended = true
        }
        if let writer, writerSuspended {
            writer.resume()
            writerSuspended = false
        }
    }

    // MARK: - Ending

    /// Closes once the peer finished and nothing remains to answer or send.
    private func closeIfDone() {
        if peerFinished && inFlight == 0 && output.isEmpty { close() }
    }

    /// Closes a connection idle for longer than the timeout (RFC 7766 §6.2.3): no complete query
    /// and no output progress, with nothing in resolution. A slow client dribbling bytes of one
    /// frame stays idle; one that stops reading its answers stays idle too, since output stalls.
    private func checkIdle() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        let elapsed = DispatchTime.now().uptimeNanoseconds - lastActivity.uptimeNanoseconds
        let stalledOutput = !output.isEmpty
        if (inFlight == 0 || stalledOutput) && elapsed >= UInt64(Self.milliseconds(idleTimeout)) * 1_000_000 {
            close()
        }
    }

    /// A duration in whole milliseconds.
    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
