// Primary responsibilities: the packet cache's promises — exact keys (flags, EDNS, transport),
// replay with the client's ID and spelling and aged TTLs, the doorkeeper, the lifetime of 90 % of
// the lowest TTL, what is never stored, the memory bound, and no trap on hostile bytes.

import DNSCache
import DNSWire
import Testing

/// Query bytes for `owner`/A with the given ID, DO bit (an OPT only when `dnssecOK` is not nil).
private func query(_ owner: String, id: UInt16 = 1, dnssecOK: Bool? = true) -> [UInt8] {
    var header = Header(id: id)
    header.recursionDesired = true
    return try! Message(
        header: header, questions: [Question(name: name(owner), type: .a)],
        edns: dnssecOK.map { EDNS(dnssecOK: $0) }
    )
    .serialized()
}

/// The bytes a server would send for `queryBytes`: the question echoed, one A RRset with an RRSIG,
/// and an NS RRset in authority, with the TTLs given.
private func response(
    to queryBytes: [UInt8], rcode: RCode = .noError, answerTTL: UInt32 = 300, authorityTTL: UInt32 = 100,
    truncated: Bool = false
) -> [UInt8] {
    let asked = try! Message(parsing: queryBytes)
    var header = asked.header
    header.isResponse = true
    header.recursionAvailable = true
    header.truncated = truncated
    let owner = asked.question!.name
    var message = Message(header: header, questions: asked.questions, edns: asked.edns, rcode: rcode)
    if rcode == .noError {
        message.answer = [
            RRSet(
                name: owner, type: .a, ttl: answerTTL, rdatas: [.a(A(192, 0, 2, 1))],
                signatures: [signature(.a, signer: "test.", expiration: 1_900_000_000)])
        ]
    }
    message.authority = [
        RRSet(name: name("test."), type: .ns, ttl: authorityTTL, rdatas: [.ns(NS(nameServer: name("ns.test.")))])
    ]
    return try! message.serialized()
}

@Suite("Packet cache")
struct PacketCacheTests {
    @Test("stored on the second offer; replayed with the client's ID, spelling of the name and aged TTLs")
    func replay() throws {
        let cache = PacketCache(maxBytes: 1 << 20)
        let first = query("www.example.test.", id: 7)
        let reply = response(to: first)
        cache.offer(query: first, response: reply, transport: 0, now: 1000)
        #expect(cache.answer(first, transport: 0, now: 1000) == nil)  // the doorkeeper saw it once
        cache.offer(query: first, response: reply, transport: 0, now: 1000)
        #expect(cache.answer(first, transport: 0, now: 1000) == reply)

        let other = query("WwW.ExAmPlE.tEsT.", id: 0x9999)
        let replayed = try Message(parsing: #require(cache.answer(other, transport: 0, now: 1010)))
        #expect(replayed.header.id == 0x9999)
        #expect(replayed.question?.name.isIdentical(to: name("WwW.ExAmPlE.tEsT.")) == true)
        #expect(replayed.answer.first?.ttl == 290 && replayed.answer.first?.signatures.count == 1)
        #expect(replayed.authority.first?.ttl == 90)
        #expect(replayed.edns?.dnssecOK == true)
        let statistics = cache.statistics
        #expect(statistics.hits == 3 - 1 && statistics.inserts == 1 && statistics.notAdmitted == 1)
    }

    @Test("an entry lives 90 % of its lowest TTL, then the RRset cache answers again (and may prefetch)")
    func lifetime() {
        let cache = PacketCache(maxBytes: 1 << 20)
        let bytes = query("a.test.")
        let reply = response(to: bytes, answerTTL: 300, authorityTTL: 100)
        cache.offer(query: bytes, response: reply, transport: 0, now: 0)
        cache.offer(query: bytes, response: reply, transport: 0, now: 0)
        #expect(cache.answer(bytes, transport: 0, now: 89) != nil)
        #expect(cache.answer(bytes, transport: 0, now: 90) == nil)
        #expect(cache.statistics.entries == 0)
        // A clock that went backwards does not make TTLs grow.
        cache.offer(query: bytes, response: reply, transport: 0, now: 100)
        cache.offer(query: bytes, response: reply, transport: 0, now: 100)
        #expect(cache.answer(bytes, transport: 0, now: 99) == nil)
    }

    @Test("the DO bit, the absence of EDNS and the transport are part of the key")
    func keys() {
        let cache = PacketCache(maxBytes: 1 << 20)
        let withDO = query("k.test.", dnssecOK: true)
        for _ in 0..<2 { cache.offer(query: withDO, response: response(to: withDO), transport: 0, now: 0) }
        #expect(cache.answer(withDO, transport: 0, now: 1) != nil)
        #expect(cache.answer(query("k.test.", dnssecOK: false), transport: 0, now: 1) == nil)
        #expect(cache.answer(query("k.test.", dnssecOK: nil), transport: 0, now: 1) == nil)
        #expect(cache.answer(withDO, transport: 1, now: 1) == nil)
        #expect(cache.answer(query("k2.test."), transport: 0, now: 1) == nil)
    }

    @Test("SERVFAIL, truncated and zero-TTL responses are never stored; NXDOMAIN is")
    func whatIsStored() {
        let cache = PacketCache(maxBytes: 1 << 20)
        func twice(_ bytes: [UInt8], _ reply: [UInt8]) {
            for _ in 0..<2 { cache.offer(query: bytes, response: reply, transport: 0, now: 0) }
        }
        let failed = query("f.test.")
        twice(failed, response(to: failed, rcode: .servFail))
        #expect(cache.answer(failed, transport: 0, now: 0) == nil)
        let truncated = query("t.test.")
        twice(truncated, response(to: truncated, truncated: true))
        #expect(cache.answer(truncated, transport: 0, now: 0) == nil)
        let short = query("s.test.")
        twice(short, response(to: short, answerTTL: 1))
        #expect(cache.answer(short, transport: 0, now: 0) == nil)
        let missing = query("nx.test.")
        twice(missing, response(to: missing, rcode: .nxDomain))
        #expect(cache.answer(missing, transport: 0, now: 0) != nil)
        // A response for another question is refused.
        let asked = query("q.test.")
        twice(asked, response(to: query("r.test.")))
        #expect(cache.answer(asked, transport: 0, now: 0) == nil)
    }

    @Test("the memory bound holds under many distinct answers; flush empties")
    func bound() {
        let cache = PacketCache(maxBytes: 64 << 10)
        for index in 0..<3000 {
            let bytes = query("n\(index).test.")
            let reply = response(to: bytes)
            for _ in 0..<2 { cache.offer(query: bytes, response: reply, transport: 0, now: 0) }
        }
        let statistics = cache.statistics
        #expect(statistics.bytes <= 64 << 10 && statistics.bytes > 32 << 10)
        #expect(statistics.evictions > 0 && statistics.entries > 0)
        cache.flush()
        #expect(cache.statistics.entries == 0 && cache.statistics.bytes == 0)
        #expect(cache.answer(query("n2999.test."), transport: 0, now: 0) == nil)
    }

    @Test("hostile bytes: compression in the question, short, random and mutated messages never trap")
    func hostile() {
        let cache = PacketCache(maxBytes: 1 << 20)
        var pointer = query("p.test.")
        pointer.replaceSubrange(12..<20, with: [0xC0, 0x0C])
        #expect(cache.answer(pointer, transport: 0, now: 0) == nil)
        var generator = SystemRandomNumberGenerator()
        let base = query("m.test.")
        let reply = response(to: base)
        for _ in 0..<3000 {
            let random = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            _ = cache.answer(random, transport: 0, now: 0)
            cache.offer(query: random, response: random, transport: 0, now: 0)
            var mutated = reply
            mutated[Int.random(in: 0..<mutated.count)] = UInt8.random(in: 0...255)
            if Bool.random() { mutated.removeLast(Int.random(in: 0..<mutated.count)) }
            cache.offer(query: base, response: mutated, transport: 0, now: 0)
            _ = cache.answer(base, transport: 0, now: 0)
        }
    }
}
