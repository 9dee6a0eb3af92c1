// Primary responsibilities: the service's query path — a client whose resolution outlasts the
// client wait gets SERVFAIL with EDE 22 while the resolution goes on, an answered query leaves no
// deadline behind, and a miss is looked up in the cache once.

import DNSCache
import DNSWire
import Logging
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import Synchronization
import Testing

/// An upstream that answers `fast.example.` at once and holds every other query until released.
private final class HoldingTransport: UpstreamTransport {
    /// Queries held, with their continuations; after release, nothing is held.
    private let held = Mutex<(waiting: [CheckedContinuation<Void, Never>], open: Bool)>(([], false))

    /// Answers or holds.
    func send(
        _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
    )
        async -> UpstreamReply
    {
        let question = query.question!
        var answer = Message(header: Header(id: query.header.id), questions: query.questions)
        answer.header.isResponse = true
        answer.header.authoritativeAnswer = true
        answer.answer = [RRSet(name: question.name, type: .a, ttl: 300, rdatas: [.a(A(192, 0, 2, 7))])]
        if question.name == DomainName("fast.example") { return .response(answer) }
        let reply = answer
        await withCheckedContinuation { continuation in
            let now = held.withLock { held in
                if !held.open { held.waiting.append(continuation) }
                return held.open
            }
            if now { continuation.resume() }
        }
        return .response(reply)
    }

    /// Lets every held and later query go, answered.
    func release() {
        let waiting = held.withLock { held in
            defer { held = ([], true) }
            return held.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

@Suite("Resolver service: queries")
struct ResolverServiceQueryTests {
    /// A service that forwards everything to the holding transport, validation off, nothing persisted.
    private static func makeHandler(_ transport: HoldingTransport, clientWait: Duration) throws -> ResolverService {
        try ResolverService(
            configuration: configuration(clientWait: clientWait), logger: Logger(label: "test"), transport: transport)
    }

    /// Everything forwarded, validation off, nothing persisted, `resolution.client-timeout` given.
    private static func configuration(clientWait: Duration) -> Configuration {
        var configuration = Configuration()
        configuration.resolution.forwardZones = [
            ForwardZone(zone: .root, servers: [ServiceAddress("192.0.2.53")!])
        ]
        configuration.resolution.clientTimeout = clientWait
        configuration.dnssec.validation = false
        configuration.cache.persist = false
        return configuration
    }

    /// The query message for `name`/A with EDNS.
    private static func query(_ name: String) -> Message {
        var header = Header(id: 5)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: try! DomainName(name), type: .a)], edns: EDNS())
    }

    /// Resolves and waits for the one response.
    private static func ask(_ handler: ResolverService, _ name: String) async -> Message {
        await withCheckedContinuation { continuation in
            let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)
            handler.resolve(query(name), client: client, after: CacheMiss(nothingCached: true)) {
                continuation.resume(returning: $0)
            }
        }
    }

    @Test("an answered query leaves no client-wait deadline behind")
    func answered() async throws {
        let transport = HoldingTransport()
        // A wait no loaded test machine reaches: the answer must come first.
        let handler = try Self.makeHandler(transport, clientWait: .seconds(60))
        let response = await Self.ask(handler, "fast.example.")
        #expect(response.rcode == .noError && response.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        #expect(handler.waitingCount == 0)
    }

    @Test("past the client wait: SERVFAIL with EDE 22 naming the question; resolution goes on and fills the cache")
    func clientWait() async throws {
        let transport = HoldingTransport()
        let handler = try Self.makeHandler(transport, clientWait: .milliseconds(150))
        let started = ContinuousClock.now
        let response = await Self.ask(handler, "slow.example.")
        let waited = ContinuousClock.now - started
        #expect(response.rcode == .servFail)
        let error = try #require(response.edns?.extendedErrors.first)
        #expect(error.code == .noReachableAuthority && error.extraText.contains("slow.example."))
        #expect(error.extraText.contains("resolution.client-timeout") && error.extraText.contains("resolution goes on"))
        #expect(waited >= .milliseconds(150))  // answered while the upstream still holds the query
        #expect(handler.waitingCount == 0)
        transport.release()
        // The resolution finishes behind the client's back and its answer is cached.
        for _ in 0..<200
        where handler.answerFromCache(
            Self.query("slow.example."),
            client: .init(
                address: .loopbackV4, port: 1, transport: .udp)
        ).response == nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        let cached = handler.answerFromCache(
            Self.query("slow.example."), client: ClientAddress(address: .loopbackV4, port: 1, transport: .udp))
        #expect(cached.response?.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
    }

    @Test("a reload that changes resolution.client-timeout applies to the queries that arrive afterwards")
    func clientWaitReload() async throws {
        let transport = HoldingTransport()
        defer { transport.release() }
        let handler = try Self.makeHandler(transport, clientWait: .seconds(60))
        #expect(handler.clientWait == .seconds(60))
        try handler.reload(Self.configuration(clientWait: .milliseconds(150)))
        #expect(handler.clientWait == .milliseconds(150))
        // Held upstream: only the new, short wait can answer it.
        let response = await Self.ask(handler, "held.example.")
        #expect(response.rcode == .servFail)
        #expect(response.edns?.extendedErrors.first?.code == .noReachableAuthority)
    }
}
