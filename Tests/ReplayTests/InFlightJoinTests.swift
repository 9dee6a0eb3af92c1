// Primary responsibilities: show that identical questions in flight share one resolution
// (architecture.md §3 step 3): the second asker waits for the first, and nothing is sent twice.

import DNSCache
import DNSWire
import Resolver
import ResolverTestKit
import Synchronization
import Testing

/// Joining of identical in-flight questions.
@Suite struct InFlightJoinTests {
    /// A transport that holds every query until the test opens the gate, and tells the test when
    /// a query has arrived, so a second resolution can start while the first is provably in flight.
    final class GatedTransport: UpstreamTransport {
        /// The scripted servers behind the gate.
        let network: ScriptedNetwork
        /// Queries that arrived, and the continuations holding them.
        private let state = Mutex<(arrived: Int, waiting: [CheckedContinuation<Void, Never>], open: Bool)>(
            (0, [], false))

        /// Wraps `network`.
        init(network: ScriptedNetwork) { self.network = network }

        /// Waits for the gate, then asks the scripted network.
        func send(
            _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
        )
            async -> UpstreamReply
        {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    state.arrived += 1
                    if state.open { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            return await network.send(query, to: server, over: transport, timeout: timeout)
        }

        /// Queries that reached the gate so far.
        var arrived: Int { state.withLock { $0.arrived } }

        /// Lets every held and future query through.
        func open() {
            let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    /// Two clients asking the same question while it is being resolved cause one upstream query.
    @Test func identicalQuestionsShareOneResolution() async throws {
        let clock = ManualClock()
        let network = ScriptedNetwork(clock: clock)
        let server = try #require(ServerAddress("192.0.2.53"))
        let question = Question(name: "www.example.", type: .a)
        network.add(
            ScriptedEntry(
                match: QueryMatch(name: .exact("www.example."), type: .a),
                response: ScriptedResponse(
                    authoritativeAnswer: true,
                    answer: [Record(name: "www.example.", ttl: 300, rdata: .a(A(192, 0, 2, 80)))])),
            at: [server])
        let gate = GatedTransport(network: network)
        var configuration = ResolverConfiguration()
        configuration.forwardZones = [ForwardZone(zone: .root, servers: [server])]
        let engine = IterativeResolver(
            configuration: configuration, transport: gate, clock: clock, cache: ResolverCache(),
            infrastructure: InfrastructureCache())

        let first = Task { await engine.resolve(question) }
        while gate.arrived == 0 { await Task.yield() }
        let second = Task { await engine.resolve(question) }
        // Give the second resolution every chance to send a query of its own, if it were going to.
        for _ in 0..<100 { await Task.yield() }
        gate.open()
        let answers = [await first.value, await second.value]

        #expect(gate.arrived == 1)
        #expect(network.queries.count == 1)
        for answer in answers {
            #expect(answer.rcode == .noError)
            #expect(answer.answer.first?.rdatas == [.a(A(192, 0, 2, 80))])
        }
    }
}
