// Primary responsibilities: the client side of DNS cookies (RFC 7873 §5.1, §5.3) towards upstream servers —
// the client cookie each server gets, the server cookie it gave us sent back, and what the COOKIE option of a
// reply says about whether the reply is the server's answer to our query.

import DNSCrypto
import DNSWire

extension Lookup {
    /// What the COOKIE option of a reply to a query that carried one says.
    enum CookieCheck: Equatable {
        /// The reply may be used; remember the server cookie it carries, if any (RFC 7873 §5.3).
        case accepted(serverCookie: [UInt8]?)
        /// The reply may be used, and shows that the server, which sent cookies before, sends none
        /// now (it came over TCP, so it is the server's): forget its server cookie, or every later
        /// UDP reply of it would be sent to TCP for as long as it is asked.
        case stoppedCookies
        /// Not the queried server's answer to this query: discard it (RFC 7873 §5.3), as a reply with
        /// the wrong ID (RFC 5452 §9.2) — ask again over TCP, and over TCP give the server up.
        case spoofed(String)
        /// BADCOOKIE with our client cookie: the server wants its fresh server cookie back; ask again
        /// with it (RFC 7873 §5.3).
        case badCookie(serverCookie: [UInt8])
    }

    /// The client cookie for `server` (RFC 7873 §4.1): 64 bits of SipHash-2-4 of the server's address
    /// under the engine's client secret, the construction RFC 9018 §3 suggests. RFC 9018 §3 also hashes
    /// the client's own address, so that a client that moves gets new cookies; the engine sends from a
    /// wildcard socket and never learns its source address, and a resolver's address rarely changes,
    /// so the server's address and a secret per process are all it uses. Each server gets its own
    /// cookie, so one server cannot forge replies from another (RFC 7873 §4.1).
    func clientCookie(for server: ServerAddress) -> [UInt8] {
        let hash = SipHash24.hash(server.host.bytes, key: engine.clientCookieSecret)
        return (0..<8).map { UInt8(truncatingIfNeeded: hash >> (8 * UInt64($0))) }
    }

    /// The COOKIE option for an EDNS query to `server` (RFC 7873 §5.1): our client cookie, then the
    /// server cookie it last gave us, if any. Nil when `resolution.send-cookies` is off.
    func cookieOption(for server: ServerAddress, serverCookie: [UInt8]?) -> EDNSOption? {
        guard engine.configuration.sendCookies else { return nil }
        return .cookie(client: clientCookie(for: server), server: serverCookie ?? [])
    }

    /// Judges a reply's COOKIE option against the one sent (RFC 7873 §5.3).
    /// - Parameters:
    ///   - reply: the reply.
    ///   - sent: the COOKIE option of the query, nil when it carried none (cookies off, no EDNS).
    ///   - serverCookie: the server cookie remembered for the server; non-nil means it speaks cookies.
    ///   - transport: how the reply came.
    func checkCookie(
        _ reply: Message, sent: EDNSOption?, serverCookie: [UInt8]?, over transport: DNSTransport
    ) -> CookieCheck {
        guard case .cookie(let client, _) = sent else { return .accepted(serverCookie: nil) }
        if reply.edns?.hasMalformedCookie == true { return .spoofed("malformed COOKIE option in the reply") }
        guard let cookie = reply.edns?.cookie else {
            // A server that sent cookies before and now sends none may be an attacker who never saw
            // the query; BIND retries over TCP in this case too. Over TCP the reply is the server's.
            guard serverCookie != nil else { return .accepted(serverCookie: nil) }
            return transport == .udp ? .spoofed("no COOKIE from a server that sends them") : .stoppedCookies
        }
        guard cookie.client == client else { return .spoofed("the reply's COOKIE is not our client cookie") }
        if reply.rcode == .badCookie {
            guard !cookie.server.isEmpty else { return .spoofed("BADCOOKIE without a server cookie") }
            return .badCookie(serverCookie: cookie.server)
        }
        return .accepted(serverCookie: cookie.server.isEmpty ? nil : cookie.server)
    }
}
