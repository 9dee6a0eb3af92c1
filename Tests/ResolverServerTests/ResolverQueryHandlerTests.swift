// Primary responsibilities: the daemon's handler between listeners and engine — a client whose
// resolution outlasts the client wait gets SERVFAIL with EDE 22 while the resolution goes on, and
// an answered query leaves no deadline behind.

import DNSCache
import DNSWire
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
        _ query: Message, to server: ServerAddress, over transport: TransportProtocol, timeout: Duration
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

@Suite("Resolver query handler")
struct ResolverQueryHandlerTests {
    /// A handler over an engine that forwards everything to the holding transport.
    private static func makeHandler(_ transport: HoldingTransport, clientWait: Duration) -> ResolverQueryHandler {
        var configuration = ResolverConfiguration()
        configuration.forwardZones = [ForwardZone(zone: .root, servers: [ServerAddress("192.0.2.53")!])]
        configuration.validation = ValidationSettings(enabled: false)
        let engine = IterativeResolver(
            configuration: configuration, transport: transport, clock: SystemClock(), cache: ResolverCache(),
            infrastructure: InfrastructureCache())
        return ResolverQueryHandler(engine: engine, clientWait: clientWait)
    }

    /// The query message for `name`/A with EDNS.
    private static func query(_ name: String) -> Message {
        var header = Header(id: 5)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: try! DomainName(name), type: .a)], edns: EDNS())
    }

    /// Resolves and waits for the one response.
    private static func ask(_ handler: ResolverQueryHandler, _ name: String) async -> Message {
        await withCheckedContinuation { continuation in
            handler.resolve(query(name), client: ClientAddress(address: .loopbackV4, port: 1, transport: .udp)) {
                continuation.resume(returning: $0)
            }
        }
    }

    @Test("an answered query leaves no client-wait deadline behind")
    func answered() async {
        let transport = HoldingTransport()
        // A wait no loaded test machine reaches: the answer must come first.
        let handler = Self.makeHandler(transport, clientWait: .seconds(60))
        let response = await Self.ask(handler, "fast.example.")
        #expect(response.rcode == .noError && response.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        #expect(handler.waitingCount == 0)
    }

    @Test("past the client wait: SERVFAIL with EDE 22 naming the question; resolution goes on and fills the cache")
    func clientWait() async throws {
        let transport = HoldingTransport()
        let handler = Self.makeHandler(transport, clientWait: .milliseconds(150))
        let started = ContinuousClock.now
        let response = await Self.ask(handler, "slow.example.")
        let waited = ContinuousClock.now - started
        #expect(response.rcode == .servFail)
        let error = try #require(response.edns?.extendedErrors.first)
        #expect(error.code == .noReachableAuthority && error.extraText.contains("slow.example."))
        #expect(waited >= .milliseconds(150) && waited < .seconds(5))
        #expect(handler.waitingCount == 0)
        transport.release()
        // The resolution finishes behind the client's back and its answer is cached.
        for _ in 0..<200
        where handler.answerFromCache(
            Self.query("slow.example."),
            client: .init(
                address: .loopbackV4, port: 1, transport: .udp)) == nil
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        let cached = handler.answerFromCache(
            Self.query("slow.example."), client: ClientAddress(address: .loopbackV4, port: 1, transport: .udp))
        #expect(cached?.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
    }
}
