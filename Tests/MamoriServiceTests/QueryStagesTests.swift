// Primary responsibilities: the service's seams — a local answer beats the cache, an answer policy
// sees every judged answer (cached, resolved, after the client wait), and every change of what the
// service answers advances the answer generation the packet cache keys on.

import DNSCache
import DNSSEC
import DNSWire
import Logging
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import ResolverTestKit
import Testing

/// Answers one name locally with one address.
private struct FixedAnswer: LocalAnswerStage {
    let name: DomainName
    let address: A

    func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        guard question.name == name, question.type == .a else { return nil }
        return Resolution(
            rcode: .noError, answer: [RRSet(name: name, type: .a, ttl: 60, rdatas: [.a(address)])], status: .unchecked)
    }
}

/// Replaces every address in an answer with 0.0.0.0, as a response policy would: no AD afterwards.
private struct NullAddresses: AnswerPolicy {
    func review(_ answer: Resolution, to question: Question, client: ClientAddress) -> Resolution {
        var reviewed = answer
        reviewed.answer = answer.answer.map { rrset in
            rrset.type == .a ? RRSet(name: rrset.name, type: .a, ttl: rrset.ttl, rdatas: [.a(A(0, 0, 0, 0))]) : rrset
        }
        reviewed.status = .unchecked
        return reviewed
    }
}

@Suite("Resolver service: the stages before the cache and after the judgement")
struct QueryStagesTests {
    static let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)

    /// A service forwarding to a scripted server that answers A queries for two names with
    /// 192.0.2.7 (PersistenceAndControlTests' set-up), validation off, nothing persisted.
    static func makeService() throws -> (ResolverService, ScriptedNetwork) {
        try PersistenceAndControlTests.makeService(
            PersistenceAndControlTests.configuration("/nonexistent", persist: false),
            answering: ["printer.example.", "www.example."])
    }

    static func query(_ name: String) -> Message {
        var header = Header(id: 5)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: try! DomainName(name), type: .a)], edns: EDNS())
    }

    static func ask(_ service: ResolverService, _ name: String) async -> Message {
        await withCheckedContinuation { continuation in
            service.resolve(query(name), client: client, after: CacheMiss(nothingCached: true)) {
                continuation.resume(returning: $0)
            }
        }
    }

    @Test("a local answer beats what the cache holds, and installing it advances the answer generation")
    func localAnswerBeatsCache() async throws {
        let (service, network) = try Self.makeService()
        _ = await Self.ask(service, "printer.example.")
        #expect(service.answerFromCache(Self.query("printer.example."), client: Self.client).response != nil)
        let before = service.answerGeneration
        service.install(QueryStages(localAnswers: [FixedAnswer(name: "printer.example.", address: A(10, 0, 0, 9))]))
        #expect(service.answerGeneration > before)
        let sent = network.queries.count
        let local = try #require(
            service.answerFromCache(Self.query("printer.example."), client: Self.client).response)
        #expect(local.rcode == .noError && local.answer.first?.rdatas == [.a(A(10, 0, 0, 9))])
        #expect(!local.header.authenticData && !local.header.authoritativeAnswer)
        #expect(network.queries.count == sent)
        // Other names still come from the cache or the network.
        let other = await Self.ask(service, "www.example.")
        #expect(other.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        service.install(QueryStages())
        let cached = try #require(
            service.answerFromCache(Self.query("printer.example."), client: Self.client).response)
        #expect(cached.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
    }

    @Test("an answer policy sees cached and resolved answers; the cache keeps the data as resolved")
    func answerPolicy() async throws {
        let (service, _) = try Self.makeService()
        service.install(QueryStages(answerPolicies: [NullAddresses()]))
        let resolved = await Self.ask(service, "www.example.")
        #expect(resolved.answer.first?.rdatas == [.a(A(0, 0, 0, 0))])
        let cached = try #require(service.answerFromCache(Self.query("www.example."), client: Self.client).response)
        #expect(cached.answer.first?.rdatas == [.a(A(0, 0, 0, 0))])
        let truth = service.resolver.answerFromCache(Question(name: "www.example.", type: .a))
        #expect(truth?.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
    }

    @Test("flushes, negative trust anchors and reloads each advance the answer generation")
    func generationAdvances() throws {
        let (service, _) = try Self.makeService()
        var last = service.answerGeneration
        func advanced() -> Bool {
            defer { last = service.answerGeneration }
            return service.answerGeneration > last
        }
        service.flushAll()
        #expect(advanced())
        service.addNegativeAnchor("example.", seconds: nil)
        #expect(advanced())
        _ = service.removeNegativeAnchor("example.")
        #expect(advanced())
        _ = service.removeNegativeAnchor("example.")  // none left: nothing changed
        #expect(!advanced())
        try service.reload(PersistenceAndControlTests.configuration("/nonexistent", persist: false))
        #expect(advanced())
        #expect(!advanced())
    }
}
