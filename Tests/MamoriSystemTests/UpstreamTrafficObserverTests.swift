// Primary responsibilities: the upstream-traffic observer point (dnstap's RESOLVER_QUERY and
// RESOLVER_RESPONSE) — the query's bytes as sent, with their random ID, and only an accepted
// reply's bytes as received: garbage and a spoofing sign are never told as responses.

import DNSWire
import MamoriSystem
import Resolver
import Synchronization
import Testing

/// Records the bytes it is told of.
private final class TrafficRecorder: UpstreamTrafficObserver {
    /// Queries sent: bytes, server, transport.
    let queries = Mutex<[([UInt8], ServerAddress, DNSTransport)]>([])
    /// Responses accepted: bytes, the query's bytes, server.
    let responses = Mutex<[([UInt8], [UInt8], ServerAddress)]>([])

    func upstreamQuerySent(_ query: [UInt8], to server: ServerAddress, over transport: DNSTransport) {
        queries.withLock { $0.append((query, server, transport)) }
    }

    func upstreamResponseReceived(
        _ response: [UInt8], to query: [UInt8], from server: ServerAddress, over transport: DNSTransport,
        elapsed: Duration
    ) {
        #expect(elapsed >= .zero && transport == .udp)
        responses.withLock { $0.append((response, query, server)) }
    }
}

@Suite("upstream traffic observer", .serialized)
struct UpstreamTrafficObserverTests {
    @Test("the query as sent and the accepted reply as received; the garbage before it is not told")
    func acceptedReply() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.garbage, .answer])
        let recorder = TrafficRecorder()
        let query = Message(questions: [Question(name: try DomainName("www.example."), type: .a)], edns: EDNS())
        let reply = await UpstreamSocketTransport(traffic: recorder).send(
            query, to: server.address, over: .udp, timeout: .seconds(2))
        guard case .response = reply else {
            Issue.record("got \(reply)")
            return
        }
        let sent = recorder.queries.withLock { $0 }
        try #require(sent.count == 1)
        let sentQuery = try Message(parsing: sent[0].0)
        #expect(sent[0].1 == server.address && sent[0].2 == .udp)
        // The transport's random ID, the one the server saw.
        #expect(server.seen.withLock { $0.map(\.id) } == [sentQuery.header.id])
        #expect(sentQuery.question == query.question)
        let received = recorder.responses.withLock { $0 }
        try #require(received.count == 1)
        let response = try Message(parsing: received[0].0)
        #expect(response.header.isResponse && response.header.id == sentQuery.header.id)
        #expect(response.answer.first?.rdatas == [.a(A(192, 0, 2, 1))])
        #expect(received[0].1 == sent[0].0 && received[0].2 == server.address)
    }

    @Test("a reply with the wrong ID (a spoofing sign) is no response: only the query is told")
    func mismatch() async throws {
        let server = try FakeUpstream()
        server.serve(count: 1, [.wrongID])
        let recorder = TrafficRecorder()
        let query = Message(questions: [Question(name: try DomainName("spoof.example."), type: .a)], edns: EDNS())
        let reply = await UpstreamSocketTransport(traffic: recorder).send(
            query, to: server.address, over: .udp, timeout: .seconds(2))
        guard case .mismatch = reply else {
            Issue.record("got \(reply)")
            return
        }
        #expect(recorder.queries.withLock { $0.count } == 1)
        #expect(recorder.responses.withLock { $0.isEmpty })
    }
}
