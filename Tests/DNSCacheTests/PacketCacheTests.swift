// Primary responsibilities: the packet cache's promises — exact keys (flags, EDNS, transport),
// replay with the client's ID and spelling and aged TTLs, client cookies kept out of the key and
// rewritten, the doorkeeper, the lifetime of 90 % of the lowest TTL, what is never stored, the
// memory bound, and no trap on hostile bytes.

import DNSCache
import DNSWire
import Testing

/// Query bytes for `owner`/A with the given ID, DO bit (an OPT only when `dnssecOK` is not nil) and
/// COOKIE option data (written as given, any length).
private func query(_ owner: String, id: UInt16 = 1, dnssecOK: Bool? = true, cookie: [UInt8]? = nil) -> [UInt8] {
    var header = Header(id: id)
    header.recursionDesired = true
    let options: [EDNSOption] = cookie.map { [.unknown(.cookie, $0)] } ?? []
    return try! Message(
        header: header, questions: [Question(name: name(owner), type: .a)],
        edns: dnssecOK.map { EDNS(dnssecOK: $0, options: options) }
    )
    .serialized()
}

/// `reply` with a COOKIE option of `client` and a 16-octet server cookie `server` appended last, as the
/// server finishes a response to a query with a cookie.
private func withCookie(_ reply: [UInt8], client: [UInt8], server: [UInt8]) throws -> [UInt8] {
    var message = try Message(parsing: reply)
    message.edns?.options.append(.cookie(client: client, server: server))
    return try message.serialized()
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

/// A server-cookie writer for tests: fills with `fill` (or refuses when nil) and records its inputs.
private final class TestWriter {
    /// The octet written, or nil to refuse.
    let fill: UInt8?
    /// The client and received cookies it was given, in order.
    var seen: [([UInt8], [UInt8])] = []

    /// A writer of `fill` octets.
    init(fill: UInt8?) { self.fill = fill }

    /// Records the call and fills the destination.
    func writeServerCookie(
        client: UnsafeRawBufferPointer, received: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) -> Bool {
        seen.append((Array(client), Array(received)))
        guard let fill else { return false }
        destination.copyBytes(from: Array(repeating: fill, count: destination.count))
        return true
    }
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
        // Past the use interval, one query is passed through to the RRset cache; the next is replayed.
        let aged = Int64(PacketCache.useInterval) + 5
        #expect(cache.answer(other, transport: 0, now: 1000 + aged) == nil)
        let replayed = try Message(parsing: #require(cache.answer(other, transport: 0, now: 1000 + aged)))
        #expect(replayed.header.id == 0x9999)
        #expect(replayed.question?.name.isIdentical(to: name("WwW.ExAmPlE.tEsT.")) == true)
        #expect(replayed.answer.first?.ttl == UInt32(300 - aged) && replayed.answer.first?.signatures.count == 1)
        #expect(replayed.authority.first?.ttl == UInt32(100 - aged))
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
        #expect(cache.answer(bytes, transport: 0, now: 89) == nil)  // passed through to the RRset cache
        #expect(cache.answer(bytes, transport: 0, now: 89) != nil)
        #expect(cache.answer(bytes, transport: 0, now: 90) == nil)
        #expect(cache.statistics.entries == 0)
        // A clock that went backwards does not make TTLs grow.
        cache.offer(query: bytes, response: reply, transport: 0, now: 100)
        cache.offer(query: bytes, response: reply, transport: 0, now: 100)
        #expect(cache.answer(bytes, transport: 0, now: 99) == nil)
    }

    @Test(
        "once every useInterval seconds one hit is passed through to the RRset cache; its response replaces the entry")
    func passThrough() throws {
        let cache = PacketCache(maxBytes: 1 << 20)
        let bytes = query("p.test.")
        let reply = response(to: bytes, answerTTL: 300, authorityTTL: 300)
        for _ in 0..<2 { cache.offer(query: bytes, response: reply, transport: 0, now: 0) }
        let interval = Int64(PacketCache.useInterval)
        for now in 0..<interval { #expect(cache.answer(bytes, transport: 0, now: now) != nil) }
        // One query goes through; the others are replayed meanwhile, until the next interval.
        #expect(cache.answer(bytes, transport: 0, now: interval) == nil)
        #expect(cache.answer(bytes, transport: 0, now: interval) != nil)
        #expect(cache.answer(bytes, transport: 0, now: 2 * interval - 1) != nil)
        #expect(cache.answer(bytes, transport: 0, now: 2 * interval) == nil)
        #expect(cache.statistics.hits == Int(interval) + 2 && cache.statistics.misses == 2)
        // The passed-through query's fresh response replaces the entry, with TTLs counted from now.
        let fresh = response(to: bytes, answerTTL: 290, authorityTTL: 290)
        cache.offer(query: bytes, response: fresh, transport: 0, now: 2 * interval)
        #expect(cache.statistics.inserts == 2 && cache.statistics.entries == 1)
        let replayed = try Message(parsing: #require(cache.answer(bytes, transport: 0, now: 2 * interval)))
        #expect(replayed.answer.first?.ttl == 290)
        #expect(cache.answer(bytes, transport: 0, now: 3 * interval - 1) != nil)
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

    @Test("the memory bound holds under many distinct answers")
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
    }

    @Test("an entry is served only under the generation it was offered in; an old one is dropped when met")
    func generations() {
        let cache = PacketCache(maxBytes: 1 << 20)
        let bytes = query("g.test.")
        let reply = response(to: bytes)
        for _ in 0..<2 { cache.offer(query: bytes, response: reply, transport: 0, now: 0, generation: 7) }
        #expect(cache.answer(bytes, transport: 0, now: 1, generation: 7) != nil)
        // The caller's answers changed (generation 8): what was made under 7 is not replayed.
        #expect(cache.answer(bytes, transport: 0, now: 1, generation: 8) == nil)
        #expect(cache.statistics.entries == 0)
        // A response made under 7 but offered after the change is never served under 8.
        for _ in 0..<2 { cache.offer(query: bytes, response: reply, transport: 0, now: 2, generation: 7) }
        #expect(cache.answer(bytes, transport: 0, now: 3, generation: 8) == nil)
        for _ in 0..<2 { cache.offer(query: bytes, response: reply, transport: 0, now: 4, generation: 8) }
        #expect(cache.answer(bytes, transport: 0, now: 5, generation: 8) != nil)
    }

    @Test("a client's COOKIE is not part of the key; a replay carries that client's cookie, made by the writer")
    func cookies() throws {
        let cache = PacketCache(maxBytes: 1 << 20)
        let first = query("c.test.", cookie: Array(repeating: 1, count: 8))
        let reply = try withCookie(
            response(to: first), client: Array(repeating: 1, count: 8), server: Array(repeating: 0xEE, count: 16))
        cache.offer(query: first, response: reply, transport: 0, now: 1000)
        // Another client cookie, with a server cookie this time: the same key, so admitted and stored.
        let second = query("c.test.", cookie: Array(repeating: 2, count: 8) + Array(repeating: 0xAA, count: 16))
        cache.offer(query: second, response: reply, transport: 0, now: 1000)
        let writer = TestWriter(fill: 0x5C)
        let third = query("C.TEST.", id: 3, cookie: Array(repeating: 3, count: 8) + Array(repeating: 0xBB, count: 24))
        let replayed = try #require(
            cache.answer(third, transport: 0, now: 1000, serverCookie: writer.writeServerCookie))
        let seen = writer.seen
        #expect(seen.count == 1 && seen.first?.0 == Array(repeating: 3, count: 8))
        #expect(seen.first?.1 == Array(repeating: 0xBB, count: 24))
        // Everything but the ID, the spelling and the cookie is the stored response; the cookie ends it.
        #expect(replayed.count == reply.count && Array(replayed[2..<12]) == Array(reply[2..<12]))
        #expect(
            Array(replayed.suffix(28)) == [0, 10, 0, 24] + Array(repeating: 3, count: 8)
                + Array(repeating: 0x5C, count: 16))
        #expect(Array(replayed[20..<(replayed.count - 24)]) == Array(reply[20..<(reply.count - 24)]))
        // The listener's path writes the same bytes into its slot.
        var slot = [UInt8](repeating: 0, count: 512)
        let written = third.withUnsafeBufferPointer { bytes in
            slot.withUnsafeMutableBufferPointer { destination in
                cache.answer(
                    bytes, transport: 0, now: 1000, into: destination,
                    serverCookie: TestWriter(fill: 0x5C).writeServerCookie)
            }
        }
        #expect(written.map { Array(slot.prefix($0)) } == replayed)
        // A writer that cannot write makes a miss (the default cannot).
        #expect(cache.answer(third, transport: 0, now: 1000) == nil)
        #expect(
            cache.answer(third, transport: 0, now: 1000, serverCookie: TestWriter(fill: nil).writeServerCookie) == nil)
        // No COOKIE, and a malformed one (12 octets), are other keys.
        let any = TestWriter(fill: 0)
        #expect(cache.answer(query("c.test."), transport: 0, now: 1000, serverCookie: any.writeServerCookie) == nil)
        #expect(
            cache.answer(
                query("c.test.", cookie: Array(repeating: 4, count: 12)), transport: 0, now: 1000,
                serverCookie: any.writeServerCookie)
                == nil)
        // A response with a COOKIE is not stored for a query without one: nothing to rewrite it from.
        let plain = query("p.test.")
        let cookied = try withCookie(
            response(to: plain), client: Array(repeating: 1, count: 8), server: Array(repeating: 0xEE, count: 16))
        for _ in 0..<2 { cache.offer(query: plain, response: cookied, transport: 0, now: 1000) }
        #expect(cache.answer(plain, transport: 0, now: 1000, serverCookie: any.writeServerCookie) == nil)
        // A query with a COOKIE whose response has none (cookies off at the server) replays as stored.
        let quiet = query("q.test.", cookie: Array(repeating: 5, count: 8))
        let quietReply = response(to: quiet)
        for _ in 0..<2 { cache.offer(query: quiet, response: quietReply, transport: 0, now: 1000) }
        #expect(
            cache.answer(query("q.test.", cookie: Array(repeating: 6, count: 8)), transport: 0, now: 1000) == quietReply
        )
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
        let cookieBase = query("k.test.", cookie: Array(repeating: 9, count: 24))
        let cookieReply = (try? withCookie(response(to: cookieBase), client: [9], server: [])) ?? []
        for _ in 0..<3000 {
            let random = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            _ = cache.answer(random, transport: 0, now: 0)
            cache.offer(query: random, response: random, transport: 0, now: 0)
            var mutated = reply
            mutated[Int.random(in: 0..<mutated.count)] = UInt8.random(in: 0...255)
            if Bool.random() { mutated.removeLast(Int.random(in: 0..<mutated.count)) }
            cache.offer(query: base, response: mutated, transport: 0, now: 0)
            _ = cache.answer(base, transport: 0, now: 0)
            // Mutated cookie-bearing queries, offered and replayed through a writer that always writes.
            var cookieQuery = cookieBase
            cookieQuery[Int.random(in: 2..<cookieQuery.count)] = UInt8.random(in: 0...255)
            if Bool.random() { cookieQuery.removeLast(Int.random(in: 0..<cookieQuery.count)) }
            cache.offer(query: cookieQuery, response: cookieReply, transport: 0, now: 0)
            _ = cache.answer(cookieQuery, transport: 0, now: 0, serverCookie: TestWriter(fill: 0).writeServerCookie)
        }
    }
}
