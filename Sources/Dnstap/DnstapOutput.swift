// Primary responsibilities: the Frame Streams side of dnstap, through Debian's libfstrm — a unix
// socket to a collector (with the bidirectional READY/ACCEPT/START handshake, reconnecting when
// it comes back) or a file — behind a bounded queue that a writer thread drains, so that no
// listener or engine thread ever waits for the collector.

import CFstrm
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Why dnstap output could not be set up.
package struct DnstapError: Error, CustomStringConvertible {
    /// What went wrong.
    package let description: String

    /// An error.
    init(_ description: String) { self.description = description }
}

/// Where the Frame Streams go.
package enum DnstapDestination: Hashable, Sendable, CustomStringConvertible {
    /// A collector's unix stream socket (`fstrm_capture -u PATH`, dnstap-ldns, dnscollector).
    case socket(String)
    /// A file, truncated at start (read with `dnstap-read`, `fstrm_dump`).
    case file(String)

    /// `unix:PATH` or `file:PATH`.
    package var description: String {
        switch self {
        case .socket(let path): "unix:\(path)"
        case .file(let path): "file:\(path)"
        }
    }
}

/// dnstap messages out to a collector, never blocking the caller.
///
/// Each ``write(_:)`` encodes the message and hands the frame to libfstrm's I/O thread
/// (`fstrm_iothr`, the writer Unbound, Knot and BIND use) through one multi-producer input queue
/// of ``queueCapacity`` frames: when the queue is full (a slow collector) the frame is dropped and
/// counted in ``dropped``, the caller never waits. The I/O thread writes the frames, handshakes
/// with the collector (Frame Streams content type ``contentType``), and while no collector
/// listens retries every ``reconnectInterval`` seconds, discarding what it takes from the queue
/// meanwhile (libfstrm does not report those).
package final class DnstapOutput: Sendable {
    /// The Frame Streams content type of dnstap (dnstap.info).
    package static let contentType = "protobuf:dnstap.Dnstap"
    /// The most frames waiting for the I/O thread: libfstrm's largest input queue (a power of two).
    package static let queueCapacity: UInt32 = 16_384
    /// Seconds between attempts to reach a collector that is not there (libfstrm's `reopen_interval`).
    package static let reconnectInterval: UInt32 = 2

    /// The I/O thread and its input queue: libfstrm's handles, freed once by ``close()``.
    private struct Handles: @unchecked Sendable {
        // @unchecked: libfstrm's MPSC input queue is safe to submit to from any thread; the handles
        // themselves are only used under ``DnstapOutput/handles``'s lock.
        var thread: OpaquePointer
        var queue: OpaquePointer
    }

    /// Where the frames go.
    package let destination: DnstapDestination
    /// Who writes: identity and version.
    package let envelope: DnstapEnvelope
    /// The I/O thread, until ``close()``.
    private let handles: Mutex<Handles?>
    /// Frames handed to the I/O thread.
    private let queued = Atomic<UInt64>(0)
    /// Frames dropped because the queue was full (or the output closed).
    private let droppedFrames = Atomic<UInt64>(0)

    /// Starts the I/O thread; the socket is connected (and reconnected) by that thread, so a
    /// collector that is not there yet is no error.
    /// - Throws: ``DnstapError`` when libfstrm refuses the settings (a path too long for a socket).
    package init(destination: DnstapDestination, envelope: DnstapEnvelope) throws(DnstapError) {
        self.destination = destination
        self.envelope = envelope
        guard let writerOptions = fstrm_writer_options_init() else { throw DnstapError("libfstrm: no memory") }
        var options: OpaquePointer? = writerOptions
        defer { fstrm_writer_options_destroy(&options) }
        let type = Array(Self.contentType.utf8)
        guard fstrm_writer_options_add_content_type(writerOptions, type, type.count) == fstrm_res_success else {
            throw DnstapError("libfstrm refused the content type")
        }
        var writer: OpaquePointer?
        switch destination {
        case .socket(let path):
            // sockaddr_un's sun_path is 108 octets with its terminating zero.
            guard path.utf8.count < 108 else {
                throw DnstapError("\(path): a unix socket path is at most 107 bytes")
            }
            var socketOptions = fstrm_unix_writer_options_init()
            defer { fstrm_unix_writer_options_destroy(&socketOptions) }
            fstrm_unix_writer_options_set_socket_path(socketOptions, path)
            writer = fstrm_unix_writer_init(socketOptions, writerOptions)
        case .file(let path):
            var fileOptions = fstrm_file_options_init()
            defer { fstrm_file_options_destroy(&fileOptions) }
            fstrm_file_options_set_file_path(fileOptions, path)
            writer = fstrm_file_writer_init(fileOptions, writerOptions)
        }
        guard writer != nil else { throw DnstapError("libfstrm could not make a writer for \(destination)") }
        var threadOptions = fstrm_iothr_options_init()
        defer { fstrm_iothr_options_destroy(&threadOptions) }
        fstrm_iothr_options_set_queue_model(threadOptions, FSTRM_IOTHR_QUEUE_MODEL_MPSC)
        fstrm_iothr_options_set_input_queue_size(threadOptions, Self.queueCapacity)
        fstrm_iothr_options_set_reopen_interval(threadOptions, Self.reconnectInterval)
        // fstrm_iothr_init takes the writer (and sets our pointer to nil) only when it succeeds.
        guard let thread = fstrm_iothr_init(threadOptions, &writer) else {
            fstrm_writer_destroy(&writer)
            throw DnstapError("libfstrm could not start its I/O thread")
        }
        guard let queue = fstrm_iothr_get_input_queue(thread) else {
            var owned: OpaquePointer? = thread
            fstrm_iothr_destroy(&owned)
            throw DnstapError("libfstrm gave no input queue")
        }
        handles = Mutex(Handles(thread: thread, queue: queue))
    }

    deinit { close() }

    /// Frames handed to the I/O thread so far.
    package var written: UInt64 { queued.load(ordering: .relaxed) }
    /// Frames dropped so far because the queue was full: the collector is slow or stalled.
    package var dropped: UInt64 { droppedFrames.load(ordering: .relaxed) }

    /// Queues `message`, or drops and counts it when the queue is full. Never blocks.
    package func write(_ message: DnstapMessage) {
        let frame = envelope.encode(message)
        guard let copy = malloc(max(frame.count, 1)) else {
            droppedFrames.add(1, ordering: .relaxed)
            return
        }
        frame.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        let result = handles.withLock { handles -> fstrm_res in
            guard let handles else { return fstrm_res_failure }
            // On success libfstrm owns the copy and frees it with free() once written or discarded.
            return fstrm_iothr_submit(handles.thread, handles.queue, copy, frame.count, fstrm_free_wrapper, nil)
        }
        if result == fstrm_res_success {
            queued.add(1, ordering: .relaxed)
        } else {
            free(copy)
            droppedFrames.add(1, ordering: .relaxed)
        }
    }

    /// Stops the I/O thread after it has written (or, with no collector, discarded) what is queued,
    /// and closes the socket or file: the FINISH/STOP of the Frame Streams. Later writes are dropped.
    package func close() {
        let closing = handles.withLock { handles -> Handles? in
            defer { handles = nil }
            return handles
        }
        guard let closing else { return }
        var thread: OpaquePointer? = closing.thread
        fstrm_iothr_destroy(&thread)
    }
}
