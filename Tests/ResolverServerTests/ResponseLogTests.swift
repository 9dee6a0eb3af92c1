// Primary responsibilities: the observer point of sent responses and the logs on it — the failure
// log's fields and its rate limit (per question, per second, the suppressed-lines summary, the
// bounded question table) and the query log's fields and sources.

import DNSCache
import DNSWire
import Logging
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import Synchronization
import Testing

/// Log lines captured with their metadata.
private final class LineCapture: Sendable {
    /// One line.
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var fields: [String: String]
    }

    /// The lines so far.
    let lines = Mutex<[Line]>([])

    /// A logger writing here.
    var logger: Logger { Logger(label: "test") { _ in Handler(capture: self) } }

    /// The lines so far.
    var all: [Line] { lines.withLock { $0 } }

    /// Stores each event.
    struct Handler: LogHandler {
        let capture: LineCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).mapValues { "\($0)" }
            capture.lines.withLock { $0.append(Line(level: event.level, message: "\(event.message)", fields: fields)) }
        }
    }
}

/// Records every report.
private final class RecordingObserver: ResponseObserver {
    let reports = Mutex<[SentResponse]>([])
    let every: Bool
    init(every: Bool) { self.every = every }
    var observesEveryResponse: Bool { every }
    func observe(_ response: SentResponse) { reports.withLock { $0.append(response) } }
}

/// A processor over the scripted handler with `observers` and a packet cache.
private func makeProcessor(_ observers: [any ResponseObserver]) -> QueryProcessor {
    QueryProcessor(
        handler: ScriptedHandler(), policy: ServerPolicy(Configuration()), packetCache: PacketCache(maxBytes: 1 << 20),
        observers: observers)
}

/// A loopback UDP client.
private let client = ClientAddress(address: .loopbackV4, port: 40000, transport: .udp)

/// Runs a query through the processor to its response bytes, resolving when it must.
private func run(_ processor: QueryProcessor, _ query: [UInt8]) -> [UInt8]? {
    switch processor.handle(query, client: client) {
    case .drop: return nil
    case .respond(let bytes): return bytes
    case .resolve(let admitted):
        let delivered = Mutex<[UInt8]?>(nil)
        processor.resolve(admitted, client: client) { bytes in delivered.withLock { $0 = bytes } }
        return delivered.withLock { $0 }
    }
}

/// A CD=1 query with EDNS.
private func checkingDisabledQuery(_ name: String) throws -> [UInt8] {
    var header = Header(id: 7)
    header.recursionDesired = true
    header.checkingDisabled = true
    return try Message(header: header, questions: [Question(name: DomainName(name), type: .a)], edns: EDNS())
        .serialized()
}

@Suite("Failure and query logs")
struct ResponseLogTests {
    // MARK: - The limiter

    @Test("limiter: one line per question per interval; the held-back lines are summarised with the next one written")
    func perQuestion() {
        var limiter = FailureLogLimiter(interval: 60_000, perSecond: 100, now: 0)
        let question = FailureLogLimiter.Question(name: "Fail.Example.", type: 1, rrClass: 1)
        let sameLowerCase = FailureLogLimiter.Question(name: "fail.example.", type: 1, rrClass: 1)
        let otherType = FailureLogLimiter.Question(name: "fail.example.", type: 28, rrClass: 1)
        #expect(limiter.decide(question, now: 0) == .init(write: true, suppressed: 0))
        #expect(limiter.decide(sameLowerCase, now: 100) == .init(write: false, suppressed: 0))
        #expect(limiter.decide(question, now: 5_000) == .init(write: false, suppressed: 0))
        #expect(limiter.decide(otherType, now: 5_001) == .init(write: true, suppressed: 2))
        // Ten seconds after the last summary, one is due even though nothing is written.
        #expect(limiter.decide(question, now: 15_001) == .init(write: false, suppressed: 1))
        #expect(limiter.decide(question, now: 20_000) == .init(write: false, suppressed: 0))
        #expect(limiter.decide(question, now: 60_000) == .init(write: true, suppressed: 1))
    }

    @Test("limiter: at most perSecond lines in a second over all questions, the rest summarised")
    func perSecond() {
        var limiter = FailureLogLimiter(interval: 60_000, perSecond: 3, now: 0)
        let written = (0..<10).filter { index in
            limiter.decide(.init(name: "q\(index).example.", type: 1, rrClass: 1), now: 500).write
        }
        #expect(written == [0, 1, 2])
        #expect(limiter.decide(.init(name: "late.example.", type: 1, rrClass: 1), now: 1_499).write == false)
        #expect(
            limiter.decide(.init(name: "next.example.", type: 1, rrClass: 1), now: 1_500)
                == .init(write: true, suppressed: 8))
    }

    @Test("limiter: a flood of one question gets a summary every summary period, and the rest at flush")
    func summaryDuringFlood() {
        var limiter = FailureLogLimiter(interval: 3_600_000, perSecond: 10, now: 0)
        let question = FailureLogLimiter.Question(name: "flood.example.", type: 1, rrClass: 1)
        #expect(limiter.decide(question, now: 0).write)
        var summaries: [Int] = []
        for step in 1...250 {  // 25 s, one failure every 100 ms
            let decision = limiter.decide(question, now: Int64(step) * 100)
            #expect(!decision.write)
            if decision.suppressed > 0 { summaries.append(decision.suppressed) }
        }
        #expect(summaries == [100, 100])
        #expect(limiter.flush(now: 25_000) == 50)
        #expect(limiter.flush(now: 25_001) == 0)
    }

    @Test(
        "limiter: the question table stays within maxQuestions; a question it could not keep is limited per second only"
    )
    func boundedTable() {
        let limit = FailureLogLimiter.maxQuestions
        var limiter = FailureLogLimiter(interval: 60_000, perSecond: limit + 10, now: 0)
        for index in 0..<limit { #expect(limiter.decide(.init(name: "n\(index).", type: 1, rrClass: 1), now: 0).write) }
        let extra = FailureLogLimiter.Question(name: "extra.", type: 1, rrClass: 1)
        #expect(limiter.decide(extra, now: 1).write)
        #expect(limiter.decide(extra, now: 2).write, "not remembered: the table was full of live questions")
        // Once the interval has passed, the old questions make room.
        #expect(limiter.decide(extra, now: 60_001).write)
        #expect(!limiter.decide(extra, now: 60_002).write)
    }

    // MARK: - Through the processor

    @Test(
        "observer point: a failure-only observer hears of a SERVFAIL (with the query and response bytes) and not of a cached success"
    )
    func observerPoint() throws {
        let failures = RecordingObserver(every: false)
        let processor = makeProcessor([failures])
        let query = queryBytes("failing.test", edns: EDNS())
        let response = try #require(run(processor, query))
        _ = run(processor, queryBytes("cached.test", edns: EDNS()))
        let failed = failures.reports.withLock { $0 }
        #expect(failed.count == 1)
        #expect(failed.first?.query == query && failed.first?.response == response)
        #expect(failed.first?.source == .resolution && failed.first?.client == client)
        #expect(failed.first?.latency == nil, "the clock is read only for observers of every response")

        let everything = RecordingObserver(every: true)
        let both = makeProcessor([RecordingObserver(every: false), everything])
        _ = run(both, query)
        _ = run(both, queryBytes("cached.test", edns: EDNS()))
        let all = everything.reports.withLock { $0 }
        #expect(all.map(\.source) == [.resolution, .cache])
        #expect(all.allSatisfy { $0.latency != nil })
    }

    @Test(
        "failure log: one line for a SERVFAIL with question, client, transport, EDE code and text, site; none for a success"
    )
    func failureLine() throws {
        let capture = LineCapture()
        let log = ResponseLog(logger: capture.logger)
        let processor = makeProcessor([log])
        let failed = try Message(parsing: #require(run(processor, queryBytes("failing.test", edns: EDNS()))))
        #expect(failed.rcode == .servFail)
        _ = run(processor, queryBytes("cached.test", edns: EDNS()))

        let lines = capture.all
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.level == .info)
        #expect(line.message == "SERVFAIL failing.test. A IN: no reachable authority for failing.test. [TFAI]")
        #expect(
            line.fields == [
                "qname": "failing.test.", "qtype": "A", "qclass": "IN", "client": "127.0.0.1", "client-port": "40000",
                "transport": "udp", "ede-code": "22", "ede-text": "no reachable authority for failing.test. [TFAI]",
                "site": "TFAI", "failure": "servfail",
            ])
    }

    @Test("failure log: bogus data given to a CD=1 client is a line; the same name without CD is not a failure")
    func bogusWithCheckingDisabled() throws {
        let capture = LineCapture()
        let processor = makeProcessor([ResponseLog(logger: capture.logger)])
        let answer = try Message(parsing: #require(run(processor, try checkingDisabledQuery("bogus.test"))))
        #expect(answer.rcode == .noError && answer.header.checkingDisabled)
        let line = try #require(capture.all.first)
        #expect(capture.all.count == 1)
        #expect(line.message == "bogus data (CD=1) bogus.test. A IN: bad signature [TBOG]")
        #expect(line.fields["failure"] == "bogus-cd" && line.fields["ede-code"] == "6" && line.fields["site"] == "TBOG")
    }

    @Test("failure log: a flood of one failing name writes one line; the rest are a suppressed summary at flush")
    func floodOfOneName() throws {
        let capture = LineCapture()
        let log = ResponseLog(logger: capture.logger)
        let processor = makeProcessor([log])
        for id in 0..<50 { _ = run(processor, queryBytes("failing.test", id: UInt16(id), edns: EDNS())) }
        log.flush()
        let lines = capture.all
        #expect(lines.filter { $0.fields["failure"] != nil }.count == 1)
        #expect(lines.last?.fields == ["suppressed": "49"])
        #expect(lines.last?.message.contains("suppressed 49 lines") == true)
    }

    @Test("failure log off: nothing is written and nothing observed for a SERVFAIL; a reload turns it back on")
    func failuresOff() throws {
        let capture = LineCapture()
        let log = ResponseLog(logger: capture.logger, settings: ResponseLogSettings(failures: false))
        let processor = makeProcessor([log])
        _ = run(processor, queryBytes("failing.test", edns: EDNS()))
        #expect(capture.all.isEmpty)
        log.apply(ResponseLogSettings(failures: true))
        _ = run(processor, queryBytes("failing.test", id: 2, edns: EDNS()))
        #expect(capture.all.count == 1)
    }

    @Test(
        "query log: one line per response with RCODE, flags, EDE, source (cache, packet cache, resolution, server) and latency"
    )
    func queryLine() throws {
        let capture = LineCapture()
        let log = ResponseLog(logger: capture.logger, settings: ResponseLogSettings(failures: false, queries: true))
        let processor = makeProcessor([log])
        // The packet cache admits a response at its second offer and replays it from the third query.
        for id in 1...3 { _ = run(processor, queryBytes("cached.test", id: UInt16(id), edns: EDNS())) }
        _ = run(processor, queryBytes("failing.test", edns: EDNS()))
        _ = run(processor, queryBytes("cached.test", type: .axfr))

        let lines = capture.all
        #expect(lines.map { $0.fields["source"] } == ["cache", "cache", "packet-cache", "resolution", "server"])
        #expect(lines.map { $0.fields["rcode"] } == ["NOERROR", "NOERROR", "NOERROR", "SERVFAIL", "REFUSED"])
        let first = try #require(lines.first)
        #expect(first.message == "cached.test. A IN NOERROR")
        #expect(first.fields["flags"] == "rd ra")
        #expect(
            first.fields["qname"] == "cached.test." && first.fields["qtype"] == "A"
                && first.fields["client"] == "127.0.0.1")
        #expect(first.fields["transport"] == "udp" && first.fields["ede-code"] == nil)
        #expect(lines.allSatisfy { Int($0.fields["latency-us"] ?? "") != nil })
        #expect(lines[3].fields["ede-code"] == "22")
        #expect(lines[4].fields["qtype"] == "AXFR")
    }
}
