// Primary responsibilities: the plain TCP byte stream of one client connection — recv(2) and
// send(2) on the non-blocking descriptor, Dispatch read and write sources for readiness, and
// closing the descriptor only after both sources are cancelled.

import CMamoriNet
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// A connected TCP socket as a ``StreamTransport``; lives on its listener's queue.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on `queue` (checked
/// with `dispatchPrecondition`).
final class TCPStreamTransport: StreamTransport, @unchecked Sendable {
    /// The connected socket, owned: closed once the sources are cancelled.
    private let descriptor: Int32
    /// The listener's queue, where the sources deliver.
    private let queue: DispatchQueue

    /// The read source.
    private var reader: (any DispatchSourceRead)?
    /// The write source, created when output first has to wait.
    private var writer: (any DispatchSourceWrite)?
    /// Whether the read source is suspended (reading not wanted).
    private var readerSuspended = false
    /// Whether the write source is suspended (nothing to send).
    private var writerSuspended = true
    /// What runs when the socket is writable, kept for the write source made later.
    private var writable: (() -> Void)?
    /// True once closed.
    private var isClosed = false
    /// Sources still to be cancelled before the descriptor may be closed.
    private var liveSources = 0

    /// Takes ownership of a connected, non-blocking socket; call ``start(readable:writable:)`` next.
    init(descriptor: Int32, queue: DispatchQueue) {
        self.descriptor = descriptor
        self.queue = queue
    }

    /// Starts the read source; the write source waits until output first has to.
    func start(readable: @escaping () -> Void, writable: @escaping () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.writable = writable
        let reader = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        reader.setEventHandler(handler: readable)
        reader.setCancelHandler { [self] in sourceCancelled() }
        self.reader = reader
        liveSources += 1
        reader.resume()
    }

    /// One recv(2); EAGAIN and EINTR wait for the next readiness.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamReadResult {
        let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
        if count > 0 { return .received(count) }
        if count == 0 { return .finished }
        return errno == EAGAIN || errno == EINTR ? .wouldBlock : .failed
    }

    /// One send(2), without SIGPIPE for a peer that went away.
    func write(_ bytes: UnsafeRawBufferPointer) -> StreamWriteResult {
        let written = Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if written > 0 { return .wrote(written) }
        return written < 0 && (errno == EAGAIN || errno == EINTR) ? .wouldBlock : .failed
    }

    /// Nothing is held back: send(2) took it already.
    func flushWrites() -> StreamWriteResult { .wrote(0) }

    /// Suspends or resumes the read source.
    func setReading(_ wanted: Bool) {
        guard let reader, readerSuspended == wanted else { return }
        if wanted { reader.resume() } else { reader.suspend() }
        readerSuspended = !wanted
    }

    /// Arms the write source (made on first need), or suspends it.
    func setWriting(_ wanted: Bool) {
        guard !isClosed else { return }
        if wanted && writer == nil {
            let writer = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            if let writable { writer.setEventHandler(handler: writable) }
            writer.setCancelHandler { [self] in sourceCancelled() }
            liveSources += 1
            self.writer = writer
            writerSuspended = true
        }
        guard let writer, writerSuspended == wanted else { return }
        if wanted { writer.resume() } else { writer.suspend() }
        writerSuspended = !wanted
    }

    /// Cancels the sources, then closes the socket once they are done.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        isClosed = true
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
        writable = nil
        if liveSources == 0 { Glibc.close(descriptor) }
    }

    /// Plain TCP has no set-up to finish.
    func checkDeadline(now: DispatchTime) {}

    /// Counts cancelled sources; the last one closes the descriptor (Dispatch requires that order).
    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 { Glibc.close(descriptor) }
    }
}
