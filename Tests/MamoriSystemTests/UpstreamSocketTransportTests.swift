// Primary responsibilities: show that the real upstream transport accepts only what RFC 5452
// allows — a reply from the queried address and port, with the query's ID and question — keeps
// waiting past garbage, reports a wrong-ID reply as a spoofing sign, speaks TCP with framing, and
// draws a fresh ID and source port for every query. Fake servers run on 127.0.0.1.

import DNSWire
import Dispatch
import MamoriSystem
import Resolver
import SocketTestKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A one-socket fake authoritative server on 127.0.0.1 that answers each query by a script.
final class FakeUpstream: Sendable {
    /// What the server sends back for one query, in order.
    enum Datagram: Sendable {
        /// Bytes that do not parse.
        case garbage
        /// The right answer.
        case answer
        /// The right answer with the ID changed.
        case wrongID
        /// The right answer, sent from another socket (another source port).
        case answerFromOtherPort
        /// The right answer's header (ID, flags) with no question section, as some servers send
        /// FORMERR.
        case noQuestion
    }

    /// The UDP socket.
    let descriptor: Int32
    /// Its port.
    let port: UInt16
    /// Source ports and IDs of the queries seen.
    let seen = Mutex<[(port: UInt16, id: UInt16)]>([])

    /// Binds a socket on an ephemeral loopback port.
    init() throws {
        let (fd, bound) = loopbackSocket(stream: false)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
        port = bound
    }

    deinit { close(descriptor) }

    /// The server's address.
    var address: ServerAddress { ServerAddress(host: .loopbackV4, port: port) }

    /// Serves `count` queries on a background thread, replying to each with `script`.
    func serve(count: Int, _ script: [Datagram]) {
        let descriptor = self.descriptor
        DispatchQueue.global().async { [self] in
            for _ in 0..<count {
                var buffer = [UInt8](repeating: 0, count: 4096)
                var peer = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let received = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length)
                    }
                }
                guard received > 0, let query = try? Message(parsing: Array(buffer.prefix(received))) else { return }
                seen.withLock { $0.append((UInt16(bigEndian: peer.sin_port), query.header.id)) }
                var reply = query
                reply.header.isResponse = true
                reply.header.authoritativeAnswer = true
                reply.answer = [
                    RRSet(name: query.question!.name, type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, 1))])
                ]
                for datagram in script {
                    var bytes: [UInt8]
                    var from = descriptor
                    switch datagram {
                    case .garbage:
                        bytes = [0xDE, 0xAD, 0xBE, 0xEF]
                    case .answer:
                        bytes = try! reply.serialized()
                    case .wrongID:
                        var forged = reply
                        forged.header.id = query.header.id &+ 1
                        bytes = try! forged.serialized()
                    case .noQuestion:
                        var bare = reply
                        bare.questions = []
                        bare.answer = []
                        bare.rcode = .formErr
                        bytes = try! bare.serialized()
                    case .answerFromOtherPort:
                        bytes = try! reply.serialized()
                        from = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
                    }
                    _ = withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(from, &bytes, bytes.count, 0, $0, length)
                        }
                    }
                    if from != descriptor { close(from) }
                }
            }
        }
    }
}

/// An observer that writes down what it hears.
final class RecordingObserver: UpstreamObserver {
    /// `sent udp`, `response`, `notSent` or `ended` (any other outcome), in order.
    let events = Mutex<[String]>([])

    func upstreamQuerySent(over transport: DNSTransport) {
        events.withLock { $0.append("sent \(transport == .udp ? "udp" : "tcp")") }
    }

    func upstreamExchangeEnded(_ reply: UpstreamReply) {
        let event =
            switch reply {
            case .response: "response"
            case .notSent: "notSent"
            default: "ended"
            }
        events.withLock { $0.append(event) }
    }
}

/// The real upstream transport against fake servers on loopback.
@Suite("upstream socket transport", .serialized) struct UpstreamSocketTransportTests {
    /// A query for `name` A with EDNS.
    func query(_ name: DomainName) -> Message {
        Message(questions: [Question(name: name, type: .a)], edns: EDNS())
    }

    /// Garbage before the real reply does not end the wait (RFC 5452 §9.1).
    @Test func garbageIsIgnored() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.garbage, .garbage, .answer])
        let reply = await UpstreamSocketTransport().send(
            query("www.example."), to: server.address, over: .udp, timeout: .seconds(2))
        guard case .response(let message) = reply else {
            Issue.record("got \(reply)")
            return
        }
        #expect(message.answer.first?.rdatas == [.a(A(192, 0, 2, 1))])
    }

    /// The observer hears of the query and of how its exchange ended; one over the cap is not sent.
    @Test func observerHearsQueriesAndOutcomes() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.answer])
        let observer = RecordingObserver()
        let transport = UpstreamSocketTransport(observer: observer, maxOutstanding: 1)
        _ = await transport.send(query("www.example."), to: server.address, over: .udp, timeout: .seconds(2))
        let silent = ServerAddress(host: .v4(0x7F0A_6301), port: 53)
        async let held = transport.send(query("held.example."), to: silent, over: .udp, timeout: .seconds(1))
        let started = ContinuousClock.now
        while transport.outstanding == 0 && ContinuousClock.now - started < .seconds(1) { await Task.yield() }
        let refused = await transport.send(query("over.example."), to: silent, over: .udp, timeout: .seconds(1))
        _ = await held
        guard case .notSent = refused else {
            Issue.record("got \(refused)")
            return
        }
        #expect(observer.events.withLock { $0 } == ["sent udp", "response", "sent udp", "notSent", "ended"])
    }

    /// The right question with a wrong ID is a spoofing sign: the engine will ask over TCP.
    @Test func wrongIDIsAMismatch() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.wrongID, .answer])
        let reply = await UpstreamSocketTransport().send(
            query("www.example."), to: server.address, over: .udp, timeout: .seconds(2))
        guard case .mismatch = reply else {
            Issue.record("got \(reply)")
            return
        }
    }

    /// A reply from the right address and port with our ID but no question section fails the
    /// RFC 5452 §9.1 match and ends the wait at once as a mismatch (the engine asks again over TCP,
    /// §9.2), instead of being waited past until the timeout: no other reply is coming. The
    /// timeout is long, so a wait would show.
    @Test func ourIDWithoutQuestionIsAMismatch() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.noQuestion])
        let started = ContinuousClock.now
        let reply = await UpstreamSocketTransport().send(
            query("www.example."), to: server.address, over: .udp, timeout: .seconds(5))
        let waited = ContinuousClock.now - started
        guard case .mismatch = reply else {
            Issue.record("got \(reply) after \(waited)")
            return
        }
        #expect(waited < .seconds(2), "waited \(waited)")
    }

    /// A reply from another source port is not from the server asked: ignored, so the wait times out.
    @Test func replyFromAnotherPortIsIgnored() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.answerFromOtherPort])
        let reply = await UpstreamSocketTransport().send(
            query("www.example."), to: server.address, over: .udp, timeout: .milliseconds(500))
        guard case .timeout = reply else {
            Issue.record("got \(reply)")
            return
        }
    }

    /// Every query gets its own ID and source port from the CSPRNG (RFC 5452 §4, §9.2).
    @Test func idsAndPortsVary() async throws {
        let server = try FakeUpstream()
        server.serve(count: 8, [.answer])
        let transport = UpstreamSocketTransport()
        for index in 0..<8 {
            _ = await transport.send(
                query(try DomainName("q\(index).example.")), to: server.address, over: .udp, timeout: .seconds(2))
        }
        let seen = server.seen.withLock { $0 }
        #expect(seen.count == 8)
        #expect(Set(seen.map(\.port)).count >= 7)
        #expect(Set(seen.map(\.id)).count >= 7)
    }

    /// Nothing listening: no reply, and no spinning (the wait ends at the timeout).
    @Test func silentAddressTimesOut() async throws {
        let reply = await UpstreamSocketTransport().send(
            query("www.example."), to: ServerAddress(host: .v4(0x7F0A_6301), port: 53), over: .udp,
            timeout: .milliseconds(300))
        switch reply {
        case .timeout, .networkError: break
        default: Issue.record("got \(reply)")
        }
    }

    /// TCP: a framed query, a framed reply (RFC 1035 §4.2.2, RFC 7766).
    @Test func tcpExchange() async throws {
        let (listener, port) = loopbackListener(backlog: 4)
        defer { close(listener) }
        DispatchQueue.global().async {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var have = 0
            while have < 2 || have < 2 + (Int(buffer[0]) << 8 | Int(buffer[1])) {
                let count = recv(connection, &buffer[have], buffer.count - have, 0)
                guard count > 0 else { return }
                have += count
            }
            guard var reply = try? Message(parsing: Array(buffer[2..<have])) else { return }
            reply.header.isResponse = true
            reply.answer = [RRSet(name: reply.question!.name, type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, 7))])]
            let bytes = try! reply.serialized()
            let framed = [UInt8(bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)] + bytes
            _ = framed.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
        }
        let reply = await UpstreamSocketTransport().send(
            query("tcp.example."), to: ServerAddress(host: .loopbackV4, port: port), over: .tcp, timeout: .seconds(2))
        guard case .response(let message) = reply else {
            Issue.record("got \(reply)")
            return
        }
        #expect(message.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
    }
}
