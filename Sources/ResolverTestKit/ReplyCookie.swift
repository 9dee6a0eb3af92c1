// Primary responsibilities: the DNS COOKIE option (RFC 7873 §4) a scripted server puts in its reply,
// and the cookie condition a server entry can place on a query.

import DNSWire

/// The COOKIE option of a ``ScriptedResponse``.
package enum ReplyCookie: Hashable, Sendable {
    /// The query's client cookie followed by this server cookie (none when empty), as a server that
    /// speaks cookies answers (RFC 7873 §5.2). No option when the query carried no cookie.
    case echo(server: [UInt8])
    /// The query's client cookie with every bit flipped (eight 0xFF octets when it carried none),
    /// followed by this server cookie: what a forger who never saw the query sends (RFC 7873 §5.3).
    case wrongClient(server: [UInt8])

    /// The option answering a query whose COOKIE client part is `client`, nil for none.
    /// - Parameter client: the query's client cookie, nil when it carried no COOKIE option.
    /// - Returns: the option, or nil.
    func option(answering client: [UInt8]?) -> EDNSOption? {
        switch self {
        case .echo(let server):
            client.map { .cookie(client: $0, server: server) }
        case .wrongClient(let server):
            .cookie(client: (client ?? Array(repeating: 0, count: 8)).map { ~$0 }, server: server)
        }
    }
}

/// What a server entry requires of a query's COOKIE option.
package enum CookieCondition: Hashable, Sendable {
    /// No COOKIE option (`MATCH nocookie`).
    case absent
    /// A COOKIE option, any (`MATCH cookie`).
    case present
    /// A COOKIE option whose server cookie is this (`MATCH cookie=HEX`); empty for a client cookie alone.
    case serverCookie([UInt8])

    /// Whether a query's EDNS meets the condition.
    /// - Parameter edns: the query's EDNS, nil when it had none.
    /// - Returns: true when it does.
    func holds(for edns: EDNS?) -> Bool {
        let cookie = edns?.cookie
        switch self {
        case .absent: return cookie == nil
        case .present: return cookie != nil
        case .serverCookie(let wanted): return cookie?.server == wanted
        }
    }
}
