// Primary responsibilities: server cookies — the RFC 9018 format against its Appendix A vectors, the
// Timestamp window of §4.3, renewal after half an hour, the secret's rotation (§5) — and what the query
// path does with a query's COOKIE option: echo with a server cookie, FORMERR for a malformed one
// (RFC 7873 §5.2.2), nothing without one or with `server.answer-cookies` off, and packet-cache replays
// that carry each client's own cookie.

import DNSCache
import DNSCrypto
import DNSWire
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import Synchronization
import Testing

/// Octets of hexadecimal text.
private func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)!
    }
}

/// The verdict on `server` sent back with `client` from `address` at `now`.
private func verdict(
    _ cookies: ServerCookies, client: [UInt8], server: [UInt8], address: String, now: Int64
) -> ServerCookies.Verdict {
    client.withUnsafeBytes { client in
        server.withUnsafeBytes { server in
            cookies.verdict(client: client, server: server, address: IPAddress(address)!, now: now)
        }
    }
}

/// The server cookie answering `client` (and `received`) from `address` at `now`.
private func serverCookie(
    _ cookies: ServerCookies, client: [UInt8], received: [UInt8] = [], address: String, now: Int64
) -> [UInt8] {
    guard
        case .cookie(let echoed, let server) = cookies.responseOption(
            client: client, received: received, address: IPAddress(address)!, now: now)
    else { return [] }
    #expect(echoed == client)
    return server
}

/// RFC 9018 Appendix A's server secrets: the first, and the old and new of the rollover in A.4.
private let secret1 = SipHashKey(hex("e5e973e5a6b2a43f48e7dc849e37bfcf"))!
private let secret6 = SipHashKey(hex("dd3bdf9344b678b185a6f5cb60fca715"))!
private let secret7 = SipHashKey(hex("445536bcd2513298075a5d379663c962"))!

/// A clock that never moves.
private struct FixedClock: ResolverClock {
    var monotonicNow: Duration { .seconds(1000) }
    var wallSeconds: Int64 { 1_800_000_000 }
}

/// A loopback UDP client.
private let client = ClientAddress(address: .loopbackV4, port: 40000, transport: .udp)

/// A query for `name` with EDNS carrying `cookie` (option data as written, any length), or none.
private func cookieQuery(_ name: String, id: UInt16 = 1, cookie: [UInt8]?) -> [UInt8] {
    let options: [EDNSOption] = cookie.map { [.unknown(.cookie, $0)] } ?? []
    return queryBytes(name, id: id, edns: EDNS(options: options))
}

/// The parsed response of an outcome that answers at once.
private func answer(_ outcome: QueryProcessor.Outcome) throws -> Message {
    guard case .respond(let bytes) = outcome else { throw CookieTestError.noResponse }
    return try Message(parsing: bytes)
}

/// Why a cookie test could not go on.
private enum CookieTestError: Error {
    /// The processor did not answer at once.
    case noResponse
}

@Suite("Server cookies")
struct ServerCookiesTests {
    @Test("RFC 9018 A.1–A.3: fresh cookies for two IPv4 clients, the received Reserved octets hashed as sent")
    func appendixAIPv4() {
        // One server per moment: a wall clock that goes back rotates the secret (see ServerCookies).
        func cookies(at now: Int64) -> ServerCookies { ServerCookies(secret: secret1, now: now) }
        let client1 = hex("2464c4abcf10c957")
        #expect(
            serverCookie(cookies(at: 1_559_731_985), client: client1, address: "198.51.100.100", now: 1_559_731_985)
                == hex("010000005cf79f111f8130c3eee29480"))
        #expect(
            serverCookie(cookies(at: 1_559_734_385), client: client1, address: "198.51.100.100", now: 1_559_734_385)
                == hex("010000005cf7a871d4a564a1442aca77"))
        // A.3: the client returns a cookie whose Reserved octets are not zero; it verified 16 s before
        // its Timestamp (within the 5 minutes of skew), and is too old by the time of the query.
        let client2 = hex("fc93fc62807ddb86")
        let received = hex("01abcdef5cf78f71a314227b6679ebf5")
        #expect(
            verdict(
                cookies(at: 1_559_727_985), client: client2, server: received, address: "203.0.113.203",
                now: 1_559_727_985)
                == .valid)
        let atQuery = cookies(at: 1_559_734_700)
        #expect(
            verdict(atQuery, client: client2, server: received, address: "203.0.113.203", now: 1_559_734_700)
                == .invalid)
        #expect(
            serverCookie(atQuery, client: client2, received: received, address: "203.0.113.203", now: 1_559_734_700)
                == hex("010000005cf7a9acf73a7810aca2381e"))
    }

    @Test("RFC 9018 A.4: an IPv6 client's cookie made with the previous secret is renewed with the new one")
    func appendixARollover() {
        let client6 = hex("22681ab97d52c298")
        let address = "2001:db8:220:1:59de:d0f4:8769:82b8"
        let old = ServerCookies(secret: secret6, now: 1_559_741_817)
        let issued = serverCookie(old, client: client6, address: address, now: 1_559_741_817)
        #expect(issued == hex("010000005cf7c57926556bd0934c72f8"))
        let rolled = ServerCookies(secret: secret7, previousSecret: secret6, now: 1_559_741_900)
        #expect(verdict(rolled, client: client6, server: issued, address: address, now: 1_559_741_961) == .renew)
        #expect(
            serverCookie(rolled, client: client6, received: issued, address: address, now: 1_559_741_961)
                == hex("010000005cf7c609a6bb79d16625507a"))
    }

    @Test("RFC 9018 §4.3: valid from 5 minutes ahead to 1 hour old, echoed until half an hour, renewed after")
    func timestampWindow() {
        let made: Int64 = 1_800_000_000
        // A server started 10 minutes before the cookie was made, asked once at each moment.
        func cookies() -> ServerCookies { ServerCookies(secret: secret1, now: made - 600) }
        let client = hex("0102030405060708")
        let issued = serverCookie(cookies(), client: client, address: "192.0.2.1", now: made)
        func judged(at now: Int64) -> ServerCookies.Verdict {
            verdict(cookies(), client: client, server: issued, address: "192.0.2.1", now: now)
        }
        #expect(judged(at: made - 301) == .invalid)
        #expect(judged(at: made - 300) == .valid)
        #expect(judged(at: made + 1800) == .valid)
        #expect(judged(at: made + 1801) == .renew)
        #expect(judged(at: made + 3600) == .renew)
        #expect(judged(at: made + 3601) == .invalid)
        // A valid cookie is sent back as it came; a renewed one is replaced by one made now.
        #expect(
            serverCookie(cookies(), client: client, received: issued, address: "192.0.2.1", now: made + 1000) == issued)
        let later = cookies()
        let renewed = serverCookie(later, client: client, received: issued, address: "192.0.2.1", now: made + 2000)
        #expect(
            renewed != issued
                && verdict(later, client: client, server: renewed, address: "192.0.2.1", now: made + 2000) == .valid)
    }

    @Test("a cookie is for one client address, one client cookie, version 1 and 16 octets")
    func boundToClient() {
        let cookies = ServerCookies(now: 1_800_000_000)
        let client = hex("0102030405060708")
        let issued = serverCookie(cookies, client: client, address: "192.0.2.1", now: 1_800_000_000)
        #expect(issued.count == 16 && issued[0] == 1 && issued[1..<4] == [0, 0, 0])
        #expect(verdict(cookies, client: client, server: issued, address: "192.0.2.1", now: 1_800_000_000) == .valid)
        #expect(verdict(cookies, client: client, server: issued, address: "192.0.2.2", now: 1_800_000_000) == .invalid)
        #expect(
            verdict(cookies, client: hex("0102030405060709"), server: issued, address: "192.0.2.1", now: 1_800_000_000)
                == .invalid)
        var version2 = issued
        version2[0] = 2
        #expect(
            verdict(cookies, client: client, server: version2, address: "192.0.2.1", now: 1_800_000_000) == .invalid)
        #expect(
            verdict(cookies, client: client, server: Array(issued.prefix(8)), address: "192.0.2.1", now: 1_800_000_000)
                == .invalid)
        // Another process (another random secret) does not accept it.
        #expect(
            verdict(
                ServerCookies(now: 1_800_000_000), client: client, server: issued, address: "192.0.2.1",
                now: 1_800_000_000)
                == .invalid)
    }

    @Test("RFC 9018 §5: the secret rotates hourly; cookies of the previous one verify until the next rotation")
    func rotation() {
        let start: Int64 = 1_800_000_000
        let cookies = ServerCookies(secret: secret1, now: start)
        let client = hex("0102030405060708")
        let late = serverCookie(cookies, client: client, address: "192.0.2.1", now: start + 3500)
        #expect(
            late
                == serverCookie(
                    ServerCookies(secret: secret1, now: start), client: client, address: "192.0.2.1", now: start + 3500)
        )
        // At the rotation the secret changes: the old cookie is accepted, and renewed with the new secret.
        #expect(
            verdict(
                cookies, client: client, server: late, address: "192.0.2.1", now: start + ServerCookies.rotationInterval
            ) == .renew)
        let fresh = serverCookie(cookies, client: client, received: late, address: "192.0.2.1", now: start + 3700)
        #expect(fresh != late)
        #expect(
            fresh
                != serverCookie(
                    ServerCookies(secret: secret1, now: start), client: client, address: "192.0.2.1", now: start + 3700)
        )
        #expect(verdict(cookies, client: client, server: fresh, address: "192.0.2.1", now: start + 3700) == .valid)
        // A second rotation forgets the first secret: a cookie it made (still within the hour) is no longer ours.
        let lastOfFirst = serverCookie(
            ServerCookies(secret: secret1, now: start), client: client, address: "192.0.2.1", now: start + 7200)
        #expect(verdict(cookies, client: client, server: fresh, address: "192.0.2.1", now: start + 7300) == .renew)
        #expect(
            verdict(cookies, client: client, server: lastOfFirst, address: "192.0.2.1", now: start + 7300) == .invalid)
    }

    // MARK: - The query path

    @Test("a query's client cookie comes back with a 16-octet server cookie; sent back, it is echoed")
    func echoed() throws {
        let processor = QueryProcessor(
            handler: ScriptedHandler(), policy: ServerPolicy(Configuration()), clock: FixedClock())
        let clientCookie = hex("a1a2a3a4a5a6a7a8")
        let first = try answer(processor.handle(cookieQuery("cached.test", cookie: clientCookie), client: client))
        let cookie = try #require(first.edns?.cookie)
        #expect(first.rcode == .noError && cookie.client == clientCookie && cookie.server.count == 16)
        #expect(
            verdict(
                processor.serverCookies, client: clientCookie, server: cookie.server, address: "127.0.0.1",
                now: 1_800_000_000)
                == .valid)
        let second = try answer(
            processor.handle(cookieQuery("cached.test", cookie: clientCookie + cookie.server), client: client))
        #expect(second.edns?.cookie?.client == clientCookie && second.edns?.cookie?.server == cookie.server)
        // A made-up server cookie is not an error (cookies are not required): a fresh one comes back.
        let forged = try answer(
            processor.handle(
                cookieQuery("cached.test", cookie: clientCookie + Array(repeating: 7, count: 16)), client: client))
        #expect(forged.rcode == .noError && forged.edns?.cookie?.server == cookie.server)
        // No COOKIE in the query, none in the response; a query without EDNS has no OPT at all.
        #expect(
            try answer(processor.handle(cookieQuery("cached.test", cookie: nil), client: client)).edns?.options == [])
        #expect(try answer(processor.handle(queryBytes("cached.test"), client: client)).edns == nil)
    }

    @Test(
        "RFC 7873 §5.2.2: a COOKIE option of 7, 9–15 or 41 octets is FORMERR, without a cookie",
        arguments: [0, 7, 9, 15, 41])
    func malformed(length: Int) throws {
        let processor = QueryProcessor(handler: ScriptedHandler(), policy: ServerPolicy(Configuration()))
        let response = try answer(
            processor.handle(cookieQuery("cached.test", cookie: Array(repeating: 1, count: length)), client: client))
        #expect(response.rcode == .formErr && response.edns?.cookie == nil)
    }

    @Test("server.answer-cookies: false ignores COOKIE options, malformed ones included")
    func answerCookiesOff() throws {
        var configuration = Configuration()
        configuration.server.answerCookies = false
        let processor = QueryProcessor(handler: ScriptedHandler(), policy: ServerPolicy(configuration))
        let good = try answer(
            processor.handle(cookieQuery("cached.test", cookie: hex("a1a2a3a4a5a6a7a8")), client: client))
        #expect(good.rcode == .noError && good.edns?.cookie == nil)
        let bad = try answer(processor.handle(cookieQuery("cached.test", cookie: [1, 2, 3]), client: client))
        #expect(bad.rcode == .noError && bad.edns?.cookie == nil)
    }

    @Test("a resolved answer carries the cookie too")
    func slowPath() async throws {
        let processor = QueryProcessor(handler: ScriptedHandler(), policy: ServerPolicy(Configuration()))
        let clientCookie = hex("b1b2b3b4b5b6b7b8")
        guard
            case .resolve(let query) = processor.handle(cookieQuery("other.test", cookie: clientCookie), client: client)
        else {
            Issue.record("expected the slow path")
            return
        }
        let bytes = await withCheckedContinuation { continuation in
            processor.resolve(query, client: client) { continuation.resume(returning: $0) }
        }
        let cookie = try #require(try Message(parsing: bytes).edns?.cookie)
        #expect(cookie.client == clientCookie && cookie.server.count == 16)
    }

    @Test("the packet cache answers queries with a new client cookie each time, each with its own cookie back")
    func packetCacheHits() throws {
        let handler = ScriptedHandler()
        let processor = QueryProcessor(
            handler: handler, policy: ServerPolicy(Configuration()),
            packetCache: PacketCache(maxBytes: 1 << 20), clock: FixedClock())
        // As dig does: a fresh client cookie with every query. Two RRset-cache hits store the response.
        for round in 0..<2 {
            _ = try answer(
                processor.handle(
                    cookieQuery("cached.test", cookie: Array(repeating: UInt8(round), count: 8)), client: client))
        }
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)
        var slot = [UInt8](repeating: 0, count: 512)
        for round in 2..<6 {
            let clientCookie = (0..<8).map { UInt8(round * 16 + $0) }
            let query = cookieQuery("CACHED.test", id: UInt16(round), cookie: clientCookie)
            // The listener's path (into its send slot) and the array path agree.
            let written = query.withUnsafeBufferPointer { query in
                slot.withUnsafeMutableBufferPointer {
                    processor.answerFromPacketCache(query, client: client, into: $0).length
                }
            }
            guard case .respond(let bytes) = processor.handle(query, client: client) else {
                Issue.record("expected a packet-cache hit")
                return
            }
            let replayed = try Message(parsing: bytes)
            #expect(written.map { Array(slot.prefix($0)) } == bytes)
            let cookie = try #require(replayed.edns?.cookie)
            #expect(replayed.header.id == UInt16(round) && cookie.client == clientCookie)
            #expect(
                verdict(
                    processor.serverCookies, client: clientCookie, server: cookie.server, address: "127.0.0.1",
                    now: 1_800_000_000)
                    == .valid)
            // Sent back, the server cookie is echoed from the packet cache as well.
            let returned = try answer(
                processor.handle(cookieQuery("cached.test", cookie: clientCookie + cookie.server), client: client))
            #expect(returned.edns?.cookie?.client == clientCookie && returned.edns?.cookie?.server == cookie.server)
        }
        // Three replays a round, none asked of the handler.
        #expect(processor.packetCache?.statistics.hits == 12)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)
        // Another client address sharing the entry gets a server cookie for its own address and cookie
        // (RFC 9018 §4.4), not one another client could use.
        let other = ClientAddress(address: IPAddress("127.0.0.2")!, port: 40001, transport: .udp)
        let otherCookie = hex("c1c2c3c4c5c6c7c8")
        let fromOther = try answer(processor.handle(cookieQuery("cached.test", cookie: otherCookie), client: other))
        let otherServer = try #require(fromOther.edns?.cookie?.server)
        #expect(fromOther.edns?.cookie?.client == otherCookie)
        #expect(
            verdict(
                processor.serverCookies, client: otherCookie, server: otherServer, address: "127.0.0.2",
                now: 1_800_000_000) == .valid)
        #expect(
            verdict(
                processor.serverCookies, client: otherCookie, server: otherServer, address: "127.0.0.1",
                now: 1_800_000_000) == .invalid)
        #expect(processor.packetCache?.statistics.hits == 13)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 2)
        // Without a cookie the response differs (no COOKIE option): a key of its own.
        #expect(
            try answer(processor.handle(cookieQuery("cached.test", cookie: nil), client: client)).edns?.cookie == nil)
        #expect(handler.cacheCount.load(ordering: .relaxed) == 3)
        // A malformed COOKIE never hits: FORMERR from the slow path.
        #expect(
            try answer(processor.handle(cookieQuery("cached.test", cookie: [1, 2, 3]), client: client)).rcode
                == .formErr)
    }
}
