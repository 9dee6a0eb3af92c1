// Primary responsibilities: the engine's real network — one query to one authoritative server or
// forwarder over UDP or TCP, with a fresh random ID and source port each time, and only replies
// that pass the RFC 5452 acceptance checks handed back.

import CMamoriNet
import DNSWire
import Dispatch
import MamoriTLS
import Resolver
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What watches the upstream exchanges (the daemon's metrics): told of every query sent and of
/// how every exchange ended, on the exchange's own path, so it must be cheap and must not block.
package protocol UpstreamObserver: Sendable {
    /// A query is being sent over `transport`.
    func upstreamQuerySent(over transport: DNSTransport)
    /// An exchange ended with `reply`, a query refused at the cap (``UpstreamReply/notSent(_:)``) included.
    func upstreamExchangeEnded(_ reply: UpstreamReply)
    /// A TLS handshake with a forwarder ended.
    func upstreamTLSHandshakeEnded(_ outcome: UpstreamTLSHandshake)
    /// `server` gave an acceptable response `nanoseconds` after the query was handed to the transport.
    func upstreamResponded(by server: ServerAddress, afterNanoseconds nanoseconds: UInt64)
}

/// What sees the upstream messages themselves (dnstap's RESOLVER_QUERY and RESOLVER_RESPONSE):
/// told of every query as sent and of every accepted response as received, in wire format, on
/// the exchange's own path, so it must be cheap and must not block.
package protocol UpstreamTrafficObserver: Sendable {
    /// `query` (with its random ID, padded over TLS) is being sent to `server`.
    func upstreamQuerySent(_ query: [UInt8], to server: ServerAddress, over transport: DNSTransport)
    /// `response` to `query` was accepted from `server`, `elapsed` after the query was sent.
    func upstreamResponseReceived(
        _ response: [UInt8], to query: [UInt8], from server: ServerAddress, over transport: DNSTransport,
        elapsed: Duration)
}

extension UpstreamObserver {
    /// Handshakes are not counted by default.
    package func upstreamTLSHandshakeEnded(_ outcome: UpstreamTLSHandshake) {}
    /// Round-trip times are not kept by default.
    package func upstreamResponded(by server: ServerAddress, afterNanoseconds nanoseconds: UInt64) {}
}

/// Sends upstream queries over real sockets (architecture §3, RFC 5452), and to TLS forwarders
/// over pooled DNS over TLS connections (RFC 7858, ``TLSForwarderPool``).
///
/// Each query gets its own socket, bound to a source port drawn from the system CSPRNG; the ID is
/// drawn from the same CSPRNG (RFC 5452 §4, §9.2). UDP sockets are deliberately not connected: an
/// ICMP error on a connected socket leaves it in an error state that Dispatch's read source
/// reports to nobody (it re-arms on EPOLLERR forever, burning a core until the timeout), so the
/// source address and port of each datagram are checked here instead (RFC 5452 §9.1). Work
/// happens on Dispatch sources, never blocking a thread of the Swift concurrency pool.
package final class UpstreamSocketTransport: UpstreamTransport {
    /// The serial queues exchanges run on, one per processor: an exchange's sources and timer
    /// need one serial queue, and a fixed few serve thousands of exchanges a second without a
    /// queue (and Dispatch's thread churn behind it) per query.
    let queues: [DispatchQueue] = (0..<max(ProcessInfoShim.processorCount, 1)).map {
        DispatchQueue(label: "mamori.upstream.\($0)", qos: .userInitiated)
    }
    /// Round-robin position in ``queues``.
    let next = Atomic<Int>(0)

    /// Told of every query and outcome (the daemon's metrics), or nil.
    let observer: (any UpstreamObserver)?
    /// Told of every query's and response's bytes (dnstap), or nil.
    let traffic: (any UpstreamTrafficObserver)?
    /// The most exchanges (and so upstream sockets) open at once, all resolutions together
    /// (`resolution.max-outstanding-queries`); beyond it a query is not sent (``UpstreamReply/notSent(_:)``).
    /// Without it a flood of names under a slow zone opened a socket per query until the process
    /// ran out of descriptors and libdispatch trapped.
    private let limit: Atomic<Int>
    /// Exchanges open now.
    private let open = Atomic<Int>(0)
    /// How long a connection to a TLS forwarder stays open with nothing in flight.
    private let tlsIdleTimeout: Duration
    /// The TLS forwarders' connection pools by address, replaced with the forward zones
    /// (``useTLSForwarders(_:)``).
    private let tlsPools = Mutex<[ServerAddress: TLSForwarderPool]>([:])

    /// Creates a transport.
    /// - Parameters:
    ///   - observer: told of every query sent and every outcome.
    ///   - traffic: told of every query and accepted response, in wire format.
    ///   - maxOutstanding: the most exchanges open at once.
    ///   - tlsIdleTimeout: how long a connection to a TLS forwarder stays open with nothing in
    ///     flight (RFC 7766 §6.2.3); 10 s, below Unbound's 30 s, so the client closes first.
    package init(
        observer: (any UpstreamObserver)? = nil, traffic: (any UpstreamTrafficObserver)? = nil,
        maxOutstanding: Int = 4096, tlsIdleTimeout: Duration = .seconds(10)
    ) {
        self.observer = observer
        self.traffic = traffic
        self.tlsIdleTimeout = tlsIdleTimeout
        self.limit = Atomic(max(1, maxOutstanding))
    }

    /// The most exchanges open at once; a reload may change it (exchanges already open stay).
    package var maxOutstanding: Int {
        get { limit.load(ordering: .relaxed) }
        set { limit.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Exchanges open now (each holds one socket).
    package var outstanding: Int { open.load(ordering: .relaxed) }

    /// Reaches `forwarders` over TLS from now on, each with a new pool of connections; a forwarder
    /// whose settings did not change keeps its session to resume. Connections of the pools replaced
    /// finish what they carry and close when idle.
    package func useTLSForwarders(_ forwarders: TLSForwarders) {
        tlsPools.withLock { pools in
            var fresh: [ServerAddress: TLSForwarderPool] = [:]
            for (server, forwarder) in forwarders.byAddress {
                var kept: TLSResumption?
                if let old = pools[server], old.forwarder.settings == forwarder.settings {
                    kept = old.queue.sync { old.resumption }
                }
                fresh[server] = TLSForwarderPool(
                    server: server, forwarder: forwarder,
                    queue: queues[next.wrappingAdd(1, ordering: .relaxed).oldValue % queues.count],
                    observer: observer, idleTimeout: tlsIdleTimeout, resumption: kept)
            }
            pools = fresh
        }
    }

    /// Sends `query` to `server` and waits at most `timeout` for an acceptable reply.
    package func send(
        _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
    ) async -> UpstreamReply {
        var query = query
        var random = SystemRandomNumberGenerator()
        query.header.id = UInt16.random(in: 0...UInt16.max, using: &random)
        guard let bytes = try? query.serialized(), let question = query.question else {
            return .networkError("query could not be encoded")
        }
        let cap = limit.load(ordering: .relaxed)
        guard open.wrappingAdd(1, ordering: .relaxed).oldValue < cap else {
            open.wrappingSubtract(1, ordering: .relaxed)
            let reply = UpstreamReply.notSent(
                "\(cap) upstream queries outstanding (resolution.max-outstanding-queries)")
            observer?.upstreamExchangeEnded(reply)
            return reply
        }
        // The exchange has closed its socket before it resumes us, so the slot is free again here.
        defer { open.wrappingSubtract(1, ordering: .relaxed) }
        observer?.upstreamQuerySent(over: transport)
        if transport == .tls {
            // Over TLS only, never over clear text: without a pool there is no way to ask. The
            // query is padded to 128-octet blocks (RFC 8467 §4.1), hiding its name's length.
            let pool = tlsPools.withLock { $0[server] }
            let padded =
                query.serialized(
                    paddingTo: Message.queryPaddingBlock, unpaddedLength: bytes.count,
                    maxSize: UpstreamExchange.maxMessageSize) ?? bytes
            // Told before a connection takes it: the ID on the wire is the connection's own.
            let sent = ContinuousClock.now
            traffic?.upstreamQuerySent(padded, to: server, over: transport)
            let reply =
                await pool?.send(padded, question: question, timeout: timeout)
                ?? .networkError("no TLS settings for this forwarder")
            ended(reply, from: server, sent: sent)
            // The pool hands back the parsed message only: its bytes are re-encoded.
            if let traffic, case .response(let message) = reply, let response = try? message.serialized() {
                traffic.upstreamResponseReceived(
                    response, to: padded, from: server, over: transport, elapsed: ContinuousClock.now - sent)
            }
            return reply
        }
        let target = queues[next.wrappingAdd(1, ordering: .relaxed).oldValue % queues.count]
        let sent = ContinuousClock.now
        traffic?.upstreamQuerySent(bytes, to: server, over: transport)
        let (reply, response) = await withCheckedContinuation { continuation in
            let exchange = UpstreamExchange(
                query: bytes, id: query.header.id, question: question, server: server, transport: transport,
                queue: target, keepsReply: traffic != nil, complete: { continuation.resume(returning: ($0, $1)) })
            target.async { exchange.start(timeout: timeout) }
        }
        ended(reply, from: server, sent: sent)
        if let traffic, let response {
            traffic.upstreamResponseReceived(
                response, to: bytes, from: server, over: transport, elapsed: ContinuousClock.now - sent)
        }
        return reply
    }

    /// Tells the observer how an exchange sent at `sent` ended, and the round-trip time of a response.
    private func ended(_ reply: UpstreamReply, from server: ServerAddress, sent: ContinuousClock.Instant) {
        guard let observer else { return }
        observer.upstreamExchangeEnded(reply)
        guard case .response = reply else { return }
        let nanoseconds = (ContinuousClock.now - sent).nanosecondsUpToAnHour
        observer.upstreamResponded(by: server, afterNanoseconds: UInt64(nanoseconds))
    }
}

/// One query's socket, sources and timer. Mutable state is touched only on `queue`; the class is
/// `@unchecked Sendable` because Dispatch hands it between threads, always through that queue.
final class UpstreamExchange: @unchecked Sendable {
    /// Ephemeral ports are drawn from here (IANA dynamic range, RFC 6335 §6; also above Linux's
    /// default ip_local_port_range so the kernel's own choices rarely collide).
    static let sourcePorts: ClosedRange<UInt16> = 1024...65535
    /// Random ports tried before letting the kernel choose (a busy port is skipped, not waited for).
    static let maxBindAttempts = 8
    /// Largest reply read: a UDP datagram or a TCP message is at most 65535 octets.
    static let maxMessageSize = 65535

    /// The encoded query.
    let query: [UInt8]
    /// Its ID.
    let id: UInt16
    /// Its question, which the reply must echo (case-insensitively; 0x20 is checked by the engine).
    let question: Question
    /// The server.
    let server: ServerAddress
    /// UDP or TCP.
    let transport: DNSTransport
    /// The serial queue owning this exchange.
    let queue: DispatchQueue
    /// Whether the accepted reply's bytes are handed to ``complete`` (for dnstap).
    let keepsReply: Bool
    /// Called once with the outcome, and the accepted response's bytes when ``keepsReply``.
    private var complete: ((UpstreamReply, [UInt8]?) -> Void)?
    /// The accepted response's bytes, when ``keepsReply``.
    private var replyBytes: [UInt8]?
    /// The socket, or -1.
    private var descriptor: Int32 = -1
    /// Readable events.
    private var readSource: (any DispatchSourceRead)?
    /// Writable events (TCP connect and partial writes).
    private var writeSource: (any DispatchSourceWrite)?
    /// The deadline.
    private var timer: (any DispatchSourceTimer)?
    /// TCP: what is left to write.
    private var pendingWrite: [UInt8] = []
    /// TCP: what has been read so far.
    private var received: [UInt8] = []

    /// Creates an exchange; nothing happens until ``start(timeout:)``.
    init(
        query: [UInt8], id: UInt16, question: Question, server: ServerAddress, transport: DNSTransport,
        queue: DispatchQueue, keepsReply: Bool = false, complete: @escaping (UpstreamReply, [UInt8]?) -> Void
    ) {
        self.query = query
        self.id = id
        self.question = question
        self.server = server
        self.transport = transport
        self.queue = queue
        self.keepsReply = keepsReply
        self.complete = complete
    }

    /// Opens the socket, sends, and arms the timer.
    func start(timeout: Duration) {
        dispatchPrecondition(condition: .onQueue(queue))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(timeout.nanosecondsUpToAnHour)))
        timer.setEventHandler { [self] in finish(.timeout) }
        timer.resume()
        self.timer = timer
        let family = server.host.isIPv6 ? AF_INET6 : AF_INET
        let kind = transport == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue
        descriptor = socket(family, Int32(kind) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return finish(.networkError("socket: \(Self.errorText())")) }
        var (storage, length) = Sockets.sockaddr(for: server)
        if transport == .udp {
            bindRandomPort(family: family)
        } else {
            let connected = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
            }
            guard connected == 0 || errno == EINPROGRESS else {
                return finish(.networkError("connect to \(server): \(Self.errorText())"))
            }
        }
        let read = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        read.setEventHandler { [self] in transport == .udp ? readDatagrams() : readStream() }
        let fd = descriptor
        read.setCancelHandler { close(fd) }
        read.resume()
        readSource = read
        if transport == .udp {
            let sent = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) {
                    sendto(descriptor, query, query.count, 0, $0, length)
                }
            }
            guard sent == query.count else {
                return finish(.networkError("send to \(server): \(Self.errorText())"))
            }
        } else {
            pendingWrite = [UInt8(query.count >> 8), UInt8(truncatingIfNeeded: query.count)] + query
            let write = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            write.setEventHandler { [self] in writeStream() }
            write.resume()
            writeSource = write
        }
    }

    /// Binds the UDP socket to a source port from the CSPRNG (RFC 5452 §9.2: port randomisation
    /// multiplies the guesses a spoofer needs by the size of the port range).
    private func bindRandomPort(family: Int32) {
        var random = SystemRandomNumberGenerator()
        let any = ServerAddress(host: family == AF_INET6 ? .v6(high: 0, low: 0) : .v4(0), port: 0)
        for _ in 0..<Self.maxBindAttempts {
            var local = any
            local.port = UInt16.random(in: Self.sourcePorts, using: &random)
            var (storage, length) = Sockets.sockaddr(for: local)
            let bound = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            if bound == 0 { return }
        }
        // Every draw was busy: connect() will bind an ephemeral port the kernel picks at random.
    }

    /// Reads every waiting datagram. A reply from the server's address and port that parses,
    /// echoes the question and carries our ID ends the wait; the right question with another ID is a
    /// spoofing sign (RFC 5452 §9.2) and ends it as `.mismatch`, and so does our ID with no
    /// question at all: it fails the RFC 5452 §9.1 match, and the server that sent it (some send
    /// FORMERR or NOTIMP without the question) will send nothing else, so waiting for "the real
    /// reply" only ran the exchange into its timeout. Anything else (garbage, another question) is
    /// ignored.
    private func readDatagrams() {
        // Not zeroed: the kernel writes what is read, and only that is copied out. (Zeroing 64 KiB
        // for each read was a tenth of a cold validated answer's instructions.)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.maxMessageSize, alignment: 1)
        defer { buffer.deallocate() }
        while complete != nil {
            var source = sockaddr_storage()
            var sourceLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, buffer.baseAddress, buffer.count, 0, $0, &sourceLength)
                }
            }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                return finish(.networkError("\(server): \(Self.errorText())"))
            }
            // RFC 5452 §9.1: only the queried address and port may answer.
            guard Sockets.serviceAddress(source) == server else { continue }
            let datagram = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            guard let message = try? Message(parsing: datagram), message.header.isResponse else { continue }
            guard let echoed = message.question else {
                if message.header.id == id { return finish(.mismatch) }
                continue
            }
            guard echoed == question else { continue }
            guard message.header.id == id else { return finish(.mismatch) }
            if keepsReply { replyBytes = datagram }
            return finish(.response(message))
        }
    }

    /// Writes the framed query as the socket accepts it (the first writable event also says the
    /// connection is up, or why it failed).
    private func writeStream() {
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
        if failure != 0 {
            return finish(.networkError("TCP connect to \(server): \(String(cString: strerror(failure)))"))
        }
        let written = pendingWrite.withUnsafeBytes {
            Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        if written < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            return finish(.networkError("TCP send to \(server): \(Self.errorText())"))
        }
        pendingWrite.removeFirst(written)
        if pendingWrite.isEmpty {
            writeSource?.cancel()
            writeSource = nil
        }
    }

    /// Reads the length-prefixed reply (RFC 1035 §4.2.2). Over TCP the connection is ours alone,
    /// so a reply with another ID or question is an error, not something to wait past.
    private func readStream() {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while complete != nil {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                return finish(.networkError("TCP receive from \(server): \(Self.errorText())"))
            }
            if count == 0 { return finish(.networkError("\(server) closed the TCP connection early")) }
            received += buffer[0..<count]
            guard received.count >= 2 else { continue }
            let length = Int(received[0]) << 8 | Int(received[1])
            guard received.count >= 2 + length else { continue }
            guard let message = try? Message(parsing: Array(received[2..<(2 + length)])), message.header.isResponse,
                message.header.id == id, message.question == question
            else { return finish(.networkError("\(server) sent a TCP reply that does not match the query")) }
            if keepsReply { replyBytes = Array(received[2..<(2 + length)]) }
            return finish(.response(message))
        }
    }

    /// Ends the exchange once: stops the sources (the read source's cancel handler closes the
    /// socket) and hands the outcome on.
    private func finish(_ reply: UpstreamReply) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let complete else { return }
        self.complete = nil
        timer?.cancel()
        writeSource?.cancel()
        if let readSource {
            readSource.cancel()
        } else if descriptor >= 0 {
            close(descriptor)
        }
        timer = nil
        writeSource = nil
        readSource = nil
        complete(reply, replyBytes)
    }

    /// The text of the current errno.
    static func errorText() -> String { String(cString: strerror(errno)) }

}

/// The number of online processors, without Foundation.
enum ProcessInfoShim {
    /// `sysconf(_SC_NPROCESSORS_ONLN)`.
    static let processorCount = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}

extension Duration {
    /// Nanoseconds in this duration, saturating at one hour (no timeout or wait here is longer),
    /// for Dispatch's integer deadlines.
    package var nanosecondsUpToAnHour: Int64 {
        let (seconds, attoseconds) = components
        return max(0, min(seconds, 3600)) * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
