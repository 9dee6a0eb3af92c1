// Primary responsibilities: the metrics only the service can feed — each answer's security status
// and source (a local stage, the cache, a resolution) — through the real query processor.

import DNSCache
import DNSSEC
import DNSWire
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import ResolverTestKit
import Testing

/// Answers `local.example.` A with 10.0.0.9, as local data would.
private struct LocalPrinter: LocalAnswerStage {
    func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        guard question.name == "local.example.", question.type == .a else { return nil }
        return Resolution(
            rcode: .noError, answer: [RRSet(name: question.name, type: .a, ttl: 60, rdatas: [.a(A(10, 0, 0, 9))])])
    }
}

@Suite("Resolver service: metrics by answer source and security status")
struct ServiceMetricsTests {
    /// The value of the series `series` (`name{labels}`) in an exposition, or nil.
    private func value(_ series: String, in exposition: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// A query for `name`/A with RD set, encoded.
    private func query(_ name: String) throws -> [UInt8] {
        var header = Header(id: 7)
        header.recursionDesired = true
        return try Message(header: header, questions: [Question(name: DomainName(name), type: .a)]).serialized()
    }

    @Test(
        "a local stage's answer, a resolution and a cached answer are timed under their own source and counted by status"
    )
    func sources() async throws {
        let clock = ManualClock()
        let network = ScriptedNetwork(clock: clock)
        network.setUnmatchedPolicy(.rcode(.refused), for: nil)
        network.add(
            ScriptedEntry(
                match: QueryMatch(name: .exact("www.example."), type: .a),
                response: ScriptedResponse(
                    authoritativeAnswer: true,
                    answer: [Record(name: "www.example.", ttl: 3600, rdata: .a(A(192, 0, 2, 7)))])),
            at: [PersistenceAndControlTests.server])
        let metrics = ServerMetrics()
        let configuration = PersistenceAndControlTests.configuration("/nonexistent", persist: false)
        let service = try ResolverService(
            configuration: configuration, logger: LogCapture().logger, metrics: metrics, persistent: false,
            transport: network, clock: clock, clientWait: .seconds(60))
        service.install(QueryStages(localAnswers: [LocalPrinter()]))
        let processor = QueryProcessor(handler: service, policy: ServerPolicy(configuration), metrics: metrics)
        let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)

        guard case .respond(let local) = processor.handle(try query("local.example."), client: client) else {
            Issue.record("the local stage did not answer at once")
            return
        }
        let localResponse = try Message(parsing: local)
        #expect(localResponse.answer.first?.rdatas == [.a(A(10, 0, 0, 9))])
        guard case .resolve(let admitted) = processor.handle(try query("www.example."), client: client) else {
            Issue.record("www.example. was not handed to resolution")
            return
        }
        let resolved = await withCheckedContinuation { continuation in
            processor.resolve(admitted, client: client) { continuation.resume(returning: $0) }
        }
        #expect(try Message(parsing: resolved).answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        guard case .respond = processor.handle(try query("www.example."), client: client) else {
            Issue.record("www.example. was not answered from the cache")
            return
        }

        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let latency = "mamori_response_duration_seconds"
        #expect(value(#"\#(latency)_count{source="local"}"#, in: text) == 1)
        #expect(value(#"\#(latency)_count{source="resolution"}"#, in: text) == 1)
        #expect(value(#"\#(latency)_count{source="cache"}"#, in: text) == 1)
        #expect(value(#"mamori_responses_by_source_total{source="local"}"#, in: text) == 1)
        // Validation is off: every answer is unchecked, none a failure.
        #expect(value(#"mamori_answers_by_security_total{security="unchecked"}"#, in: text) == 3)
        #expect(value(#"mamori_answers_by_security_total{security="secure"}"#, in: text) == 0)
        #expect(value(#"mamori_answer_failures_total{code="none"}"#, in: text) == 0)
        #expect(value(#"mamori_queries_by_type_total{qtype="A"}"#, in: text) == 3)
        #expect(network.queries.count == 1)
    }
}
