// Primary responsibilities: DNS over a byte stream as RFC 7766 frames it, without the stream — the
// 2-octet length prefix both ways, whole query messages out of received bytes, pipelining with a
// bounded number in flight, bounded input and output, the idle rule and when the connection ends.
// Pure and synchronous, so plain TCP and TLS (RFC 7858) connections can share it.

/// The framing state of one DNS stream connection, driven on the connection's serial queue.
///
/// It performs no I/O and reads no clock: received bytes go in (``receive(upTo:using:)``), whole
/// query messages come out (``nextQuery(now:)``), responses go in framed (``enqueue(_:)``) and leave
/// as the stream takes them (``withPendingOutput(_:)``, ``wrote(_:now:)``). Every call that counts
/// as activity for the idle rule takes `now`, a monotonic reading.
struct DNSStreamSession {
    /// Most response bytes held for a client that does not read; beyond, the connection is closed.
    static let maxOutput = 256 * 1024
    /// The longest DNS message the 2-octet length field can carry (RFC 7766 §8).
    static let maxMessageLength = 65535

    /// What the input gives next.
    enum NextQuery: Equatable {
        /// A whole query message, to hand to the DNS logic.
        case message([UInt8])
        /// A frame whose length field is zero: no DNS message is that short, so the connection is
        /// closed.
        case zeroLength
        /// Nothing now: the next frame is incomplete, or the in-flight limit is reached.
        case waiting
    }

    /// What became of a response handed to ``enqueue(_:)``.
    enum Enqueued: Equatable {
        /// Framed and waiting to be written.
        case queued
        /// Empty or too long for the length field: nothing is sent.
        case ignored
        /// Over the output bound: the client does not read its answers, so the connection is closed.
        case overBound
    }

    /// Most queries of this connection in resolution at once; reading pauses at the limit
    /// (RFC 7766 §6.2.1.1 lets a server bound the pipeline).
    let maxQueries: Int
    /// The idle timeout (RFC 7766 §6.2.3).
    let idleTimeout: Duration
    /// The output bound, ``maxOutput`` outside tests.
    let outputLimit: Int

    /// Received bytes not yet taken as frames: at most one frame plus one read, since reading
    /// pauses at the in-flight limit and every complete frame is taken below it.
    private var input: [UInt8] = []
    /// How many bytes at the front of `input` were taken already (dropped when the taking stops,
    /// so several frames in one read cost one move).
    private var consumed = 0
    /// Encoded, framed responses not yet written.
    private var output: [UInt8] = []
    /// Queries handed to the engine and not yet answered.
    private(set) var inFlight = 0
    /// When the last complete query arrived, an answer came back or output made progress.
    private var lastActivity: Duration
    /// True after the peer closed its side: answer what is pending, then close.
    private(set) var peerFinished = false

    /// A session for a connection accepted at `now`.
    init(maxQueries: Int, idleTimeout: Duration, outputLimit: Int = Self.maxOutput, now: Duration) {
        self.maxQueries = maxQueries
        self.idleTimeout = idleTimeout
        self.outputLimit = outputLimit
        self.lastActivity = now
    }

    // MARK: - Input

    /// Lets `read` put up to `limit` bytes straight after the buffered input (no copy) and keeps
    /// what it reports; returns its result. The end of the stream marks the peer as finished.
    mutating func receive(
        upTo limit: Int, using read: (UnsafeMutableRawBufferPointer) -> StreamReadResult
    ) -> StreamReadResult {
        compactInput()
        let start = input.count
        input.reserveCapacity(start + limit)
        input.append(contentsOf: repeatElement(0, count: limit))
        let result = input.withUnsafeMutableBytes { buffer in
            read(UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + limit)]))
        }
        var count = 0
        if case .received(let received) = result { count = min(max(received, 0), limit) }
        input.removeLast(limit - count)
        if result == .finished { peerFinished = true }
        return result
    }

    /// Keeps bytes already in hand, as a stream that decodes elsewhere delivers them.
    mutating func received(_ bytes: [UInt8]) {
        _ = receive(upTo: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
            return .received(bytes.count)
        }
    }

    /// Takes the next whole frame's message (RFC 7766 §8), unless `maxQueries` are in flight. A
    /// message taken counts as activity at `now`; bytes of a frame still incomplete never do, so
    /// a client dribbling one frame stays idle.
    mutating func nextQuery(now: Duration) -> NextQuery {
        let available = input.count - consumed
        guard inFlight < maxQueries, available >= 2 else {
            compactInput()
            return .waiting
        }
        let length = Int(input[consumed]) << 8 | Int(input[consumed + 1])
        guard length > 0 else { return .zeroLength }
        guard available - 2 >= length else {
            compactInput()
            return .waiting
        }
        let message = Array(input[(consumed + 2)..<(consumed + 2 + length)])
        consumed += 2 + length
        lastActivity = now
        return .message(message)
    }

    /// Drops the bytes already taken.
    private mutating func compactInput() {
        guard consumed > 0 else { return }
        input.removeFirst(consumed)
        consumed = 0
    }

    /// Records that a query went to the engine and will be answered later.
    mutating func queryStarted() { inFlight += 1 }

    /// Records that the engine answered a query at `now` (the answer itself goes to ``enqueue(_:)``).
    mutating func queryAnswered(now: Duration) {
        inFlight -= 1
        lastActivity = now
    }

    /// Whether the connection should read: below the in-flight limit and the peer still sending.
    var wantsInput: Bool { inFlight < maxQueries && !peerFinished }

    /// Whether reading must pause: the in-flight limit is reached.
    var isAtQueryLimit: Bool { inFlight >= maxQueries }

    // MARK: - Output

    /// Frames one response with its 2-octet length for writing, within the output bound.
    mutating func enqueue(_ response: [UInt8]) -> Enqueued {
        guard !response.isEmpty, response.count <= Self.maxMessageLength else { return .ignored }
        // A client that asks and never reads would make us hold answers without bound.
        guard output.count + 2 + response.count <= outputLimit else { return .overBound }
        output.append(UInt8(response.count >> 8))
        output.append(UInt8(response.count & 0xFF))
        output.append(contentsOf: response)
        return .queued
    }

    /// Whether framed bytes wait to be written.
    var hasPendingOutput: Bool { !output.isEmpty }

    /// Lends the framed bytes not yet written, for one write.
    func withPendingOutput<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        output.withUnsafeBytes(body)
    }

    /// Drops `count` written bytes; progress counts as activity at `now`.
    mutating func wrote(_ count: Int, now: Duration) {
        output.removeFirst(min(count, output.count))
        lastActivity = now
    }

    // MARK: - Ending

    /// Whether the connection is done: the peer finished, and nothing remains to answer or send.
    var isFinished: Bool { peerFinished && inFlight == 0 && output.isEmpty }

    /// Whether the connection is idle past the timeout at `now` (RFC 7766 §6.2.3): no complete
    /// query, answer or output progress for that long, and nothing in resolution — or output
    /// stalled, since a client that stops reading its answers is idle too.
    func isIdle(now: Duration) -> Bool {
        (inFlight == 0 || !output.isEmpty) && now - lastActivity >= idleTimeout
    }
}
