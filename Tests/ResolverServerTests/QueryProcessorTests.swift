// Primary responsibilities: the server's DNS decisions without sockets — access control,
// FORMERR/NOTIMP/BADVERS/REFUSED, RD=0, header echo, EDNS presence, sizing, the waiting limit.

import DNSCache
import DNSSEC
import DNSWire
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import Synchronization
import Testing

/// A processor over a scripted handler with the given configuration changes.
/// With `packetCache`, a 1 MiB packet cache on a clock that never moves.
private func makeProcessor(
    packetCache: Bool = false, _ configure: (inout Configuration) -> Void = { _ in }
) -> (QueryProcessor, ScriptedHandler) {
    var configuration = Configuration()
    configure(&configuration)
    let handler = ScriptedHandler()
    guard packetCache else { return (QueryProcessor(handler: handler, policy: ServerPolicy(configuration)), handler) }
    let processor = QueryProcessor(
        handler: handler, policy: ServerPolicy(configuration), packetCache: PacketCache(maxBytes: 1 << 20),
        clock: StoppedClock())
    return (processor, handler)
}

/// A loopback UDP client.
private let localUDP = ClientAddress(address: .loopbackV4, port: 40000, transport: .udp)

/// A clock that never moves, so replayed TTLs are exactly the stored ones.
private struct StoppedClock: ResolverClock {
    var monotonicNow: Duration { .seconds(1000) }
    var wallSeconds: Int64 { 1_800_000_000 }
}

/// The response bytes of an outcome that answers at once.
private func response(_ outcome: QueryProcessor.Outcome) throws -> Message {
    guard case .respond(let bytes) = outcome else {
        Issue.record("expected an immediate response, got \(outcome)")
        throw CancellationError()
    }
    return try Message(parsing: bytes)
}

/// A clock a test moves by hand, in whole seconds.
private final class SteppedClock: ResolverClock {
    /// Wall-clock seconds.
    let seconds = Atomic<Int64>(1_800_000_000)
    var monotonicNow: Duration { .seconds(seconds.load(ordering: .relaxed)) }
    var wallSeconds: Int64 { seconds.load(ordering: .relaxed) }
}

/// A handler answering from a real RRset cache on `clock`: a cached RRset for the question is the
/// whole answer, anything else a miss (resolved to SERVFAIL).
private final class CacheBackedHandler: QueryHandler {
    /// The RRset cache.
    let cache: ResolverCache
    /// Its time.
    let clock: SteppedClock

    init(cache: ResolverCache, clock: SteppedClock) {
        self.cache = cache
        self.clock = clock
    }

    func answerFromCache(_ query: Message, client: ClientAddress) -> CacheAnswer {
        guard let question = query.question,
            let hit = cache.lookup(question.name, question.type, now: CacheTime(seconds: clock.wallSeconds))
        else { return .miss(CacheMiss(nothingCached: true)) }
        return .response(Message(answer: [hit.rrset]))
    }

    func resolve(
        _ query: Message, client: ClientAddress, after miss: CacheMiss, respond: @escaping @Sendable (Message) -> Void
    ) { respond(Message(rcode: .servFail)) }

    var answerGeneration: UInt64 { 0 }
}

@Suite("Query processing")
struct QueryProcessorTests {
    @Test("access control: allow, refuse (REFUSED + EDE 18), deny (drop), first match wins, IPv6 too")
    func accessControl() throws {
        let (processor, _) = makeProcessor {
            $0.accessControl = [
                AccessRule(network: IPNetwork("192.0.2.1/32")!, action: .deny),
                AccessRule(network: IPNetwork("192.0.2.0/24")!, action: .allow),
                AccessRule(network: IPNetwork("2001:db8::/32")!, action: .refuse),
                AccessRule(network: IPNetwork("2001:db8:1::/48")!, action: .allow),
            ]
        }
        let query = queryBytes("cached.test", edns: EDNS())
        func client(_ text: String) -> ClientAddress {
            ClientAddress(address: IPAddress(text)!, port: 1, transport: .udp)
        }

        let allowed = try response(processor.handle(query, client: client("192.0.2.7")))
        #expect(allowed.rcode == .noError && allowed.answer.count == 1)
        guard case .drop = processor.handle(query, client: client("192.0.2.1")) else {
            Issue.record("denied client answered")
            return
        }
        let refused = try response(processor.handle(query, client: client("2001:db8:1::5")))
        #expect(refused.rcode == .refused && refused.answer.isEmpty)
        #expect(refused.edns?.extendedErrors.map(\.code) == [.prohibited])
        let unlisted = try response(processor.handle(query, client: client("198.51.100.1")))
        #expect(unlisted.rcode == .refused)
        let mapped = try response(processor.handle(query, client: client("::ffff:192.0.2.9")))
        #expect(mapped.rcode == .noError)
    }

    @Test("default access control allows loopback only")
    func defaultAccess() throws {
        let (processor, _) = makeProcessor()
        let query = queryBytes("cached.test")
        #expect(try response(processor.handle(query, client: localUDP)).rcode == .noError)
        let ipv6 = ClientAddress(address: .loopbackV6, port: 1, transport: .tcp)
        #expect(try response(processor.handle(query, client: ipv6)).rcode == .noError)
        let outside = ClientAddress(address: IPAddress("10.0.0.1")!, port: 1, transport: .udp)
        #expect(try response(processor.handle(query, client: outside)).rcode == .refused)
    }

    @Test("a readable header with a malformed body gets FORMERR echoing ID and RD; no header, no answer")
    func malformed() throws {
        var bytes = queryBytes("cached.test", id: 0xBEEF)
        bytes.removeLast(3)
        let formerr = try response(QueryProcessorTests.processor.handle(bytes, client: localUDP))
        #expect(formerr.rcode == .formErr && formerr.header.id == 0xBEEF && formerr.header.isResponse)
        #expect(formerr.header.recursionDesired && formerr.questions.isEmpty)
        for short in [[], [0x12], Array(bytes.prefix(11))] {
            guard case .drop = QueryProcessorTests.processor.handle(short, client: localUDP) else {
                Issue.record("answered a message without a header")
                return
            }
        }
        var responseBits = queryBytes("cached.test")
        responseBits[2] |= 0x80
        guard case .drop = QueryProcessorTests.processor.handle(responseBits, client: localUDP) else {
            Issue.record("answered a response")
            return
        }
    }

    /// A shared processor with defaults.
    static let processor = makeProcessor().0

    @Test("OPCODE other than QUERY gets NOTIMP; QDCOUNT other than 1 gets FORMERR")
    func opcodeAndQuestions() throws {
        let notify = try response(Self.processor.handle(queryBytes("cached.test", opcode: .notify), client: localUDP))
        #expect(notify.rcode == .notImp && notify.header.opcode == .notify)
        let none = try Message(header: Header(id: 7), questions: []).serialized()
        #expect(try response(Self.processor.handle(none, client: localUDP)).rcode == .formErr)
        let two = try Message(
            header: Header(id: 7),
            questions: [Question(name: "a.test", type: .a), Question(name: "b.test", type: .a)]
        ).serialized()
        #expect(try response(Self.processor.handle(two, client: localUDP)).rcode == .formErr)
    }

    @Test("classes other than IN are REFUSED and meta QTYPEs other than ANY get NOTIMP, with EDE 21")
    func classesAndMetaTypes() throws {
        var header = Header(id: 9)
        header.recursionDesired = true
        let chaos = try Message(
            header: header, questions: [Question(name: "version.bind.", type: .txt, rrClass: .ch)], edns: EDNS()
        ).serialized()
        let refused = try response(Self.processor.handle(chaos, client: localUDP))
        #expect(refused.rcode == .refused)
        #expect(refused.edns?.extendedErrors.first?.code == .notSupported)
        let tsig = try response(
            Self.processor.handle(queryBytes("a.test", type: .tsig, edns: EDNS()), client: localUDP))
        #expect(tsig.rcode == .notImp)
        #expect(tsig.edns?.extendedErrors.first?.code == .notSupported)
        let transfer = try response(Self.processor.handle(queryBytes("a.test", type: .axfr), client: localUDP))
        #expect(transfer.rcode == .refused)
        let any = Self.processor.handle(queryBytes("cached.test", type: .any), client: localUDP)
        if case .respond(let bytes) = any { #expect(try Message(parsing: bytes).rcode != .notImp) }
    }

    @Test("EDNS version other than 0 gets BADVERS with an OPT of version 0 (RFC 6891 §6.1.3)")
    func badVersion() throws {
        let message = try response(
            Self.processor.handle(queryBytes("cached.test", edns: EDNS(version: 1)), client: localUDP))
        #expect(message.rcode == .badVers)
        #expect(message.edns?.version == 0)
        #expect(message.answer.isEmpty)
    }

    @Test("responses echo ID, question (case kept), RD, CD; set QR and RA; OPT only if the query had one")
    func echo() throws {
        var header = Header(id: 0x4242)
        header.recursionDesired = true
        header.checkingDisabled = true
        let mixedCase = DomainName("CaChEd.TeSt")
        let bytes = try Message(
            header: header, questions: [Question(name: mixedCase, type: .a)], edns: EDNS(dnssecOK: true)
        )
        .serialized()
        let message = try response(Self.processor.handle(bytes, client: localUDP))
        #expect(message.header.id == 0x4242 && message.header.isResponse && message.header.recursionAvailable)
        #expect(message.header.recursionDesired && message.header.checkingDisabled)
        #expect(message.question?.name.isIdentical(to: mixedCase) == true)
        #expect(message.edns?.dnssecOK == true && message.edns?.udpPayloadSize == 1232)
        let plain = try response(Self.processor.handle(queryBytes("cached.test"), client: localUDP))
        #expect(plain.edns == nil)
    }

    @Test("RD=0: answered from the cache, else REFUSED with EDE 20, never resolved")
    func noRecursion() throws {
        let (processor, handler) = makeProcessor()
        let hit = try response(processor.handle(queryBytes("cached.test", recursionDesired: false), client: localUDP))
        #expect(hit.rcode == .noError && hit.answer.count == 1)
        let miss = try response(
            processor.handle(queryBytes("other.test", recursionDesired: false, edns: EDNS()), client: localUDP))
        #expect(miss.rcode == .refused && miss.edns?.extendedErrors.map(\.code) == [.notAuthoritative])
        #expect(handler.resolveCount.load(ordering: .relaxed) == 0)
    }

    @Test("after two cache hits a query is answered from the packet cache, byte for byte; reload empties it")
    func packetCache() throws {
        var configuration = Configuration()
        let handler = ScriptedHandler()
        let processor = QueryProcessor(
            handler: handler, policy: ServerPolicy(configuration),
            packetCache: PacketCache(maxBytes: 1 << 20), clock: StoppedClock())
        let query = queryBytes("cached.test", id: 1, edns: EDNS(dnssecOK: true))
        guard case .respond(let first) = processor.handle(query, client: localUDP) else {
            Issue.record("expected a cache hit")
            return
        }
        _ = processor.handle(query, client: localUDP)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)
        let again = queryBytes("CACHED.test", id: 2, edns: EDNS(dnssecOK: true))
        guard case .respond(let replayed) = processor.handle(again, client: localUDP) else {
            Issue.record("expected a packet cache hit")
            return
        }
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)
        // The client's ID and spelling; everything else as the RRset cache answered (no second passed).
        let nameEnd = 12 + 13
        #expect(Array(replayed[0..<2]) == Array(again[0..<2]) && Array(replayed[2..<12]) == Array(first[2..<12]))
        #expect(Array(replayed[12..<nameEnd]) == Array(again[12..<nameEnd]))
        #expect(Array(replayed[nameEnd...]) == Array(first[nameEnd...]))
        // The listener's path: the same bytes written straight into its send slot; nothing when the
        // slot is too small or the client is not allowed.
        var slot = [UInt8](repeating: 0, count: 512)
        let written = again.withUnsafeBufferPointer { query in
            slot.withUnsafeMutableBufferPointer {
                processor.answerFromPacketCache(query, client: localUDP, into: $0).length
            }
        }
        #expect(written == replayed.count && Array(slot.prefix(written ?? 0)) == replayed)
        var tiny = [UInt8](repeating: 0, count: 16)
        #expect(
            again.withUnsafeBufferPointer { query in
                tiny.withUnsafeMutableBufferPointer {
                    processor.answerFromPacketCache(query, client: localUDP, into: $0).length
                }
            } == nil)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)
        // Refused clients never get the packet cache's answer; TCP has keys of its own.
        configuration.accessControl = [AccessRule(network: IPNetwork("127.0.0.0/8")!, action: .refuse)]
        processor.update(policy: ServerPolicy(configuration))
        #expect(try response(processor.handle(again, client: localUDP)).rcode == .refused)
        #expect(
            again.withUnsafeBufferPointer { query in
                slot.withUnsafeMutableBufferPointer {
                    processor.answerFromPacketCache(query, client: localUDP, into: $0).length
                }
            } == nil)
        processor.update(policy: ServerPolicy(Configuration()))
        _ = processor.handle(again, client: localUDP)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 3)
    }

    @Test("a packet-cache miss hands its access decision to handle: a query is judged once, at arrival")
    func accessDecidedOnce() throws {
        var configuration = Configuration()
        let processor = QueryProcessor(
            handler: ScriptedHandler(), policy: ServerPolicy(configuration),
            packetCache: PacketCache(maxBytes: 1 << 20), clock: StoppedClock())
        let query = queryBytes("cached.test", id: 1)
        var slot = [UInt8](repeating: 0, count: 512)
        func lookUp() -> QueryProcessor.PacketCacheLookup {
            query.withUnsafeBufferPointer { query in
                slot.withUnsafeMutableBufferPointer {
                    processor.answerFromPacketCache(query, client: localUDP, into: $0)
                }
            }
        }
        // Allowed at arrival: the miss carries the decision, and a policy refusing the client that
        // comes in between does not judge this query again.
        guard case .missed(let allowed?) = lookUp() else {
            Issue.record("expected a miss with the policy read")
            return
        }
        configuration.accessControl = [AccessRule(network: IPNetwork("127.0.0.0/8")!, action: .refuse)]
        processor.update(policy: ServerPolicy(configuration))
        #expect(try response(processor.handle(query, client: localUDP, policy: allowed)).rcode == .noError)
        // Refused at arrival: no packet-cache answer, and REFUSED from the decision carried over.
        guard case .missed(let refused?) = lookUp() else {
            Issue.record("expected a miss with the policy read")
            return
        }
        processor.update(policy: ServerPolicy(Configuration()))
        #expect(try response(processor.handle(query, client: localUDP, policy: refused)).rcode == .refused)
    }

    @Test("the packet cache replays nothing made before the handler's answers changed, even when offered after")
    func packetCacheGenerations() throws {
        let (processor, handler) = makeProcessor(packetCache: true)
        let query = queryBytes("cached.test", id: 1, edns: EDNS())
        for _ in 0..<3 { _ = processor.handle(query, client: localUDP) }
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)  // the third came from the packet cache
        // A flush, an NTA, local data: the handler's generation grows and its answers are asked again.
        // (The doorkeeper still knows the query, so the new answer is stored at once.)
        handler.generation.add(1, ordering: .releasing)
        _ = processor.handle(query, client: localUDP)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 3)
        _ = processor.handle(query, client: localUDP)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 3)
        // Answers that change while each one is made (the change lands between the lookup and the
        // offer) are offered under the generation they were made in, and never replayed.
        handler.changeWhileAnswering.store(true, ordering: .relaxed)
        handler.generation.add(1, ordering: .releasing)
        for _ in 0..<4 { _ = processor.handle(query, client: localUDP) }
        #expect(handler.cacheCount.load(ordering: .relaxed) == 7)
    }

    @Test("an RRset asked only through the packet cache is marked used and survives eviction; a cold one does not")
    func packetCacheMarksRRsetsUsed() throws {
        var settings = CacheConfiguration()
        settings.maxBytes = 128 << 10
        settings.shardCount = 1
        let clock = SteppedClock()
        let cache = ResolverCache(configuration: settings)
        let handler = CacheBackedHandler(cache: cache, clock: clock)
        let packetCache = PacketCache(maxBytes: 1 << 20)
        let processor = QueryProcessor(
            handler: handler, policy: ServerPolicy(Configuration()), packetCache: packetCache, clock: clock)
        func insert(_ owner: String, answered: Bool = false) {
            let name = try! DomainName(owner)
            let now = CacheTime(seconds: clock.wallSeconds)
            cache.insert(
                RRSet(name: name, type: .a, ttl: 3600, rdatas: [.a(A(192, 0, 2, 1))]), rank: .answerAuthoritative,
                status: .insecure, now: now)
            if answered { _ = cache.lookup(name, .a, now: now) }
        }
        insert("hot.test")
        insert("cold.test")
        let hot = queryBytes("hot.test", edns: EDNS())
        for _ in 0..<2 { _ = processor.handle(hot, client: localUDP) }  // the second stores it
        // 450 seconds of 4 new names a second, half of them answered once (the shard holds a few
        // hundred: SIEVE's hand, clearing bits and evicting, goes round in about a minute, longer
        // than PacketCache.useInterval), and one query a second for the hot name, which the packet
        // cache answers.
        for second in 0..<450 {
            clock.seconds.add(1, ordering: .relaxed)
            for index in 0..<4 { insert("n\(index).s\(second).fill.test", answered: index % 2 == 0) }
            #expect(try response(processor.handle(hot, client: localUDP)).answer.count == 1)
        }
        let now = CacheTime(seconds: clock.wallSeconds)
        #expect(cache.statistics(now: now).counters.evictions > 1000)
        #expect(packetCache.statistics.hits >= 450 - 450 / Int(PacketCache.useInterval))
        #expect(cache.lookup(try DomainName("hot.test"), .a, now: now) != nil, "the hot RRset survives")
        #expect(cache.lookup(try DomainName("cold.test"), .a, now: now) == nil, "the cold one is evicted")
    }

    @Test("a cache miss goes to the slow path and is finished like a cache hit")
    func slowPath() async throws {
        let (processor, _) = makeProcessor()
        guard
            case .resolve(let query) = processor.handle(queryBytes("other.test", id: 9, edns: EDNS()), client: localUDP)
        else {
            Issue.record("expected the slow path")
            return
        }
        let bytes = await withCheckedContinuation { continuation in
            processor.resolve(query, client: localUDP) { continuation.resume(returning: $0) }
        }
        let message = try Message(parsing: bytes)
        #expect(message.header.id == 9 && message.header.recursionAvailable && message.edns != nil)
        #expect(message.answer.first?.rdatas == [.a(A(192, 0, 2, 2))])
        #expect(processor.pending.total == 0)
    }

    @Test("UDP answers fit the client's EDNS size (clamped to 512…ours) or 512, with TC; TCP gets it all")
    func truncation() throws {
        let (processor, _) = makeProcessor { $0.resolution.ednsBufferSize = 1232 }
        let cases: [(EDNS?, Int)] = [
            (nil, 512), (EDNS(udpPayloadSize: 4096), 1232), (EDNS(udpPayloadSize: 100), 512),
            (EDNS(udpPayloadSize: 900), 900),
        ]
        for (edns, limit) in cases {
            guard
                case .resolve(let query) = processor.handle(
                    queryBytes("big.test", type: .txt, edns: edns), client: localUDP)
            else {
                Issue.record("expected the slow path")
                return
            }
            let bytes = Mutex<[UInt8]>([])
            processor.resolve(query, client: localUDP) { reply in bytes.withLock { $0 = reply } }
            let reply = bytes.withLock { $0 }
            #expect(reply.count <= limit, "limit \(limit), got \(reply.count)")
            let message = try Message(parsing: reply)
            #expect(message.header.truncated)
            #expect((message.edns != nil) == (edns != nil))
        }
        let tcpClient = ClientAddress(address: .loopbackV4, port: 1, transport: .tcp)
        guard case .resolve(let query) = processor.handle(queryBytes("big.test", type: .txt), client: tcpClient) else {
            Issue.record("expected the slow path")
            return
        }
        let bytes = Mutex<[UInt8]>([])
        processor.resolve(query, client: tcpClient) { reply in bytes.withLock { $0 = reply } }
        let message = try Message(parsing: bytes.withLock { $0 })
        #expect(!message.header.truncated && message.answer.first?.rdatas.count == 60)
    }

    @Test("per-client waiting limit: over it, UDP is dropped and TCP REFUSED; others are not affected")
    func waitingLimit() throws {
        let (processor, handler) = makeProcessor { $0.server.maxPendingPerClient = 2 }
        for _ in 0..<2 {
            guard case .resolve(let query) = processor.handle(queryBytes("held.test"), client: localUDP) else {
                Issue.record("expected the slow path")
                return
            }
            processor.resolve(query, client: localUDP) { _ in }
        }
        guard case .drop = processor.handle(queryBytes("held.test"), client: localUDP) else {
            Issue.record("expected a drop over the limit")
            return
        }
        let sameAddressTCP = ClientAddress(address: .loopbackV4, port: 2, transport: .tcp)
        #expect(try response(processor.handle(queryBytes("held.test"), client: sameAddressTCP)).rcode == .refused)
        let other = ClientAddress(address: IPAddress("127.0.0.2")!, port: 1, transport: .udp)
        guard case .resolve = processor.handle(queryBytes("held.test"), client: other) else {
            Issue.record("another client was limited")
            return
        }
        #expect(processor.pending.count(for: .loopbackV4) == 2)
        handler.releaseHeld()
        #expect(processor.pending.count(for: .loopbackV4) == 0)
    }
}
