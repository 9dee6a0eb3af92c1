// Primary responsibilities: DNS over TLS to forwarders (RFC 7858) through the real socket transport
// against a small TLS server on 127.0.0.1 made with MamoriTLS: queries pipelined on one reused
// connection, padded (RFC 8467 §4.1) and answered out of order, the server authenticated by name
// or pin (RFC 7858 §4.2) and refused otherwise, the session resumed on reconnect, and a query
// placed again when the server closes before answering.

import DNSWire
import Foundation
import MamoriSystem
import MamoriTLS
import Resolver
import SocketTestKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A DNS over TLS server on 127.0.0.1 (blocking sockets, a thread per connection) that waits for a
/// batch of queries on a connection and answers them in reverse order, so replies come out of order.
final class FakeDoTServer: Sendable {
    /// What the server does on each connection, in order; the last applies to every later one.
    enum Behaviour: Sendable {
        /// Reads `batch` queries, answers them last first, and keeps serving.
        case answerReversed(batch: Int)
        /// Reads one query and closes without answering.
        case closeUnanswered
        /// Answers one query and closes.
        case answerOneAndClose
    }

    /// The listening socket.
    let listener: Int32
    /// Its port.
    let port: UInt16
    /// The connections accepted, and whether each resumed a session.
    let accepted = Mutex<[Bool]>([])
    /// Connections the client closed (close_notify or end of stream).
    let closedByClient = Mutex(0)
    /// The length of each query read.
    let queryLengths = Mutex<[Int]>([])
    /// The TLS context.
    let context: TLSServerContext

    /// Listens on an ephemeral loopback port with the test certificate.
    init(files: TestCertificates) throws {
        context = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"])
        (listener, port) = loopbackListener()
    }

    /// The server's address.
    var address: ServerAddress { ServerAddress(host: .v4(0x7F00_0001), port: port) }

    /// Accepts up to `connections` connections and serves each on a thread of its own, by
    /// `behaviours` in the order they were accepted.
    func serve(connections: Int, _ behaviours: [Behaviour]) {
        let thread = Thread { [self] in
            for index in 0..<connections {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var timeout = timeval(tv_sec: 30, tv_usec: 0)
                setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let behaviour = behaviours[min(index, behaviours.count - 1)]
                Thread { [self] in
                    serveOne(client, behaviour)
                    close(client)
                }.start()
            }
        }
        thread.start()
    }

    /// Stops accepting.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// One connection.
    private func serveOne(_ client: Int32, _ behaviour: Behaviour) {
        guard let session = try? TLSSession(accepting: client, context: context) else { return }
        defer { session.shutdown() }
        guard session.handshake() == .done(0) else {
            accepted.withLock { $0.append(false) }
            return
        }
        accepted.withLock { $0.append(session.isResumed) }
        var pending: [Message] = []
        var input: [UInt8] = []
        let batch: Int
        switch behaviour {
        case .answerReversed(let size): batch = size
        case .closeUnanswered, .answerOneAndClose: batch = 1
        }
        // Bounded: a test sends at most a few dozen queries per connection.
        for _ in 0..<256 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let read = buffer.withUnsafeMutableBytes { session.read(into: $0) }
            if read == .closed { closedByClient.withLock { $0 += 1 } }
            guard case .done(let count) = read else { return }
            input += buffer[0..<count]
            while input.count >= 2, input.count >= 2 + (Int(input[0]) << 8 | Int(input[1])) {
                let length = Int(input[0]) << 8 | Int(input[1])
                if let query = try? Message(parsing: Array(input[2..<(2 + length)])) { pending.append(query) }
                queryLengths.withLock { $0.append(length) }
                input.removeFirst(2 + length)
            }
            guard pending.count >= batch else { continue }
            if case .closeUnanswered = behaviour { return }
            for query in pending.reversed() {
                var response = query
                response.header.isResponse = true
                response.answer = [
                    RRSet(name: query.question!.name, type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, 1))])
                ]
                guard let bytes = try? response.serialized() else { return }
                let framed = [UInt8(bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)] + bytes
                _ = framed.withUnsafeBytes { session.write($0) }
            }
            pending.removeAll()
            if case .answerOneAndClose = behaviour { return }
        }
    }
}

/// Counts forwarder handshakes by outcome.
final class HandshakeObserver: UpstreamObserver {
    let handshakes = Mutex<[UpstreamTLSHandshake]>([])
    func upstreamQuerySent(over transport: DNSTransport) {}
    func upstreamExchangeEnded(_ reply: UpstreamReply) {}
    func upstreamTLSHandshakeEnded(_ outcome: UpstreamTLSHandshake) { handshakes.withLock { $0.append(outcome) } }
}

@Suite("DNS over TLS to forwarders", .serialized) struct TLSForwarderTests {
    let files: TestCertificates

    init() throws {
        // libssl writes with write(2): a peer gone away would raise SIGPIPE, which mamorid ignores.
        signal(SIGPIPE, SIG_IGN)
        files = try TestCertificates()
    }

    /// A query for `name` A.
    func query(_ name: String) throws -> Message {
        Message(questions: [Question(name: try DomainName(name), type: .a)], edns: EDNS())
    }

    /// A transport that reaches `server` over TLS with `tls`.
    func transport(
        _ server: ServerAddress, _ tls: ForwarderTLS, observer: HandshakeObserver? = nil,
        idleTimeout: Duration = .seconds(10)
    ) throws -> UpstreamSocketTransport {
        let transport = UpstreamSocketTransport(observer: observer, tlsIdleTimeout: idleTimeout)
        transport.useTLSForwarders(try TLSForwarders([ForwardZone(zone: .root, servers: [server], tls: tls)]))
        return transport
    }

    /// The SHA-256 of the test server's SubjectPublicKeyInfo, as a client sees it.
    func serverPin() throws -> [UInt8] { try files.serverKeyPin() }

    /// Three queries at once share one connection and get their own replies, sent last first
    /// (RFC 7766 §6.2.1.1: matched by ID and question, not by order).
    @Test func pipelinedOnOneConnectionAnsweredOutOfOrder() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 1, [.answerReversed(batch: 3)])
        let observer = HandshakeObserver()
        let transport = try transport(
            server.address, ForwarderTLS(name: TestCertificates.serverName, caFile: files.caFile), observer: observer)
        let queries = try ["one.example.", "two.example.", "three.example."].map(query)
        async let first = transport.send(queries[0], to: server.address, over: .tls, timeout: .seconds(3))
        async let second = transport.send(queries[1], to: server.address, over: .tls, timeout: .seconds(3))
        async let third = transport.send(queries[2], to: server.address, over: .tls, timeout: .seconds(3))
        let replies = await [first, second, third]
        for (reply, name) in zip(replies, ["one.example.", "two.example.", "three.example."]) {
            guard case .response(let message) = reply else {
                Issue.record("\(name): got \(reply)")
                continue
            }
            #expect(message.question?.name == (try DomainName(name)))
        }
        #expect(server.accepted.withLock { $0.count } == 1)
        #expect(observer.handshakes.withLock { $0 } == [.full])
        // RFC 8467 §4.1: queries over TLS are padded to a multiple of 128 octets.
        #expect(server.queryLengths.withLock { $0 }.allSatisfy { $0 % 128 == 0 })
    }

    /// More queries at once than one connection carries: a second connection opens once the first
    /// has 32 in flight, and no third one; every query is answered. The first connection holds its
    /// answers until all 32 have arrived, so the second one is needed however fast the test runs
    /// (answered at once, the first connection could otherwise drain the queries on its own). The
    /// queries' timeout is long: under a loaded test run the 64 tasks may start seconds apart, and
    /// the first ones must not expire before the 32nd reaches the first connection.
    @Test func connectionsAreBounded() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 3, [.answerReversed(batch: 32), .answerReversed(batch: 1)])
        let transport = try transport(
            server.address, ForwarderTLS(name: TestCertificates.serverName, caFile: files.caFile))
        let queries = try (0..<64).map { try query("q\($0).example.") }
        let replies = await withTaskGroup(of: Bool.self) { group in
            for query in queries {
                group.addTask {
                    let reply = await transport.send(query, to: server.address, over: .tls, timeout: .seconds(30))
                    guard case .response(let message) = reply else { return false }
                    return message.question == query.question
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(replies.count == 64 && replies.allSatisfy { $0 })
        #expect(server.accepted.withLock { $0.count } == 2)
    }

    /// Pins alone authenticate (no CA asked); a wrong pin is refused with the reason, and no query
    /// reaches the server.
    @Test func pinsAuthenticate() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 2, [.answerOneAndClose])
        let pin = try serverPin()
        #expect(pin.count == 32)
        let good = try transport(server.address, ForwarderTLS(name: nil, pins: [pin]))
        let reply = await good.send(try query("pin.example."), to: server.address, over: .tls, timeout: .seconds(3))
        guard case .response = reply else {
            Issue.record("got \(reply)")
            return
        }
        let observer = HandshakeObserver()
        let wrong = try transport(
            server.address, ForwarderTLS(name: nil, pins: [[UInt8](repeating: 1, count: 32)]), observer: observer)
        let refused = await wrong.send(try query("pin.example."), to: server.address, over: .tls, timeout: .seconds(3))
        guard case .networkError(let reason) = refused else {
            Issue.record("got \(refused)")
            return
        }
        #expect(reason == "TLS authentication failed: the server's public key matches no configured pin")
        #expect(observer.handshakes.withLock { $0 } == [.authenticationFailed])
    }

    /// A certificate for another name is refused, saying why (RFC 7858 §4.2, RFC 8310 §5).
    @Test func wrongNameIsRefused() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 1, [.answerReversed(batch: 1)])
        let transport = try transport(server.address, ForwarderTLS(name: "other.test", caFile: files.caFile))
        let reply = await transport.send(
            try query("name.example."), to: server.address, over: .tls, timeout: .seconds(3))
        guard case .networkError(let reason) = reply else {
            Issue.record("got \(reply)")
            return
        }
        #expect(reason == "TLS authentication failed: certificate not accepted: hostname mismatch")
    }

    /// An address as the authentication name is checked against the certificate's IP
    /// subjectAltName (RFC 8310 §8.1 allows either); another address is refused.
    @Test func addressAsName() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 2, [.answerOneAndClose])
        let good = try transport(server.address, ForwarderTLS(name: "127.0.0.1", caFile: files.caFile))
        let reply = await good.send(try query("ip.example."), to: server.address, over: .tls, timeout: .seconds(3))
        guard case .response = reply else {
            Issue.record("got \(reply)")
            return
        }
        let wrong = try transport(server.address, ForwarderTLS(name: "127.0.0.2", caFile: files.caFile))
        let refused = await wrong.send(try query("ip.example."), to: server.address, over: .tls, timeout: .seconds(3))
        guard case .networkError(let reason) = refused else {
            Issue.record("got \(refused)")
            return
        }
        #expect(reason.hasPrefix("TLS authentication failed: certificate not accepted"), "\(reason)")
    }

    /// When the server closes after an answer, the next query opens a new connection that resumes
    /// the session (RFC 7858 §3.4, RFC 8446 §2.2).
    @Test func reconnectResumes() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 2, [.answerOneAndClose])
        let transport = try transport(
            server.address, ForwarderTLS(name: TestCertificates.serverName, caFile: files.caFile))
        for name in ["a.example.", "b.example."] {
            let reply = await transport.send(try query(name), to: server.address, over: .tls, timeout: .seconds(3))
            guard case .response = reply else {
                Issue.record("\(name): got \(reply)")
                return
            }
            // Let the close reach the client before the next query.
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(server.accepted.withLock { $0 } == [false, true])
    }

    /// A connection with nothing in flight is closed by the client after the idle time (RFC 7766
    /// §6.2.3), politely, and the next query resumes the session on a new one.
    @Test func idleConnectionsClose() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 2, [.answerReversed(batch: 1)])
        let transport = try transport(
            server.address, ForwarderTLS(name: TestCertificates.serverName, caFile: files.caFile),
            idleTimeout: .milliseconds(200))
        for name in ["a.example.", "b.example."] {
            let reply = await transport.send(try query(name), to: server.address, over: .tls, timeout: .seconds(3))
            guard case .response = reply else {
                Issue.record("\(name): got \(reply)")
                return
            }
            try await Task.sleep(for: .milliseconds(600))
        }
        #expect(server.closedByClient.withLock { $0 } == 2)
        #expect(server.accepted.withLock { $0 } == [false, true])
    }

    /// A server that closes with a query unanswered: the query is placed again on a new
    /// connection, once, and answered there (RFC 7766 §6.2.4).
    @Test func unansweredQueryIsPlacedAgain() async throws {
        defer { files.remove() }
        let server = try FakeDoTServer(files: files)
        defer { server.stop() }
        server.serve(connections: 2, [.closeUnanswered, .answerReversed(batch: 1)])
        let transport = try transport(
            server.address, ForwarderTLS(name: TestCertificates.serverName, caFile: files.caFile))
        let reply = await transport.send(
            try query("again.example."), to: server.address, over: .tls, timeout: .seconds(3))
        guard case .response = reply else {
            Issue.record("got \(reply)")
            return
        }
        #expect(server.accepted.withLock { $0.count } == 2)
    }

    /// A query for TLS to a server with no TLS settings is not sent at all, never in clear text.
    @Test func noSettingsNoClearText() async throws {
        defer { files.remove() }
        let transport = UpstreamSocketTransport()
        let server = ServerAddress(host: .v4(0x7F00_0001), port: 9)
        let reply = await transport.send(try query("x.example."), to: server, over: .tls, timeout: .seconds(1))
        guard case .networkError = reply else {
            Issue.record("got \(reply)")
            return
        }
    }
}
