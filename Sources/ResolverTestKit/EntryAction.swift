// Primary responsibilities: what a scripted server does with a query it matched — answer, stay
// silent, truncate, have a spoofed reply win the race, send garbage first, reject EDNS, or fail.

/// What a ``ScriptedEntry`` does when it matches a query.
package enum EntryAction: Hashable, Sendable, CustomStringConvertible {
    /// Answers with the entry's ``ScriptedResponse``.
    case reply
    /// Never answers: the transport reports `.timeout`, and the clock moves by the query's timeout.
    case silence
    /// Over UDP, answers TC=1 with empty sections; over TCP the entry is passed over and the next
    /// matching entry applies.
    case truncate
    /// Over UDP, a reply with a wrong ID arrives first: the transport reports `.mismatch`. Over TCP
    /// (where off-path spoofing is impractical) the entry is passed over and the next one applies.
    case spoof
    /// Sends `count` malformed datagrams, then the entry's response. Transports drop datagrams that
    /// do not parse without ending the wait (RFC 5452 §9.1), so the result is the real response;
    /// the record of the query counts the garbage.
    case garbageThenReply(count: Int)
    /// Answers FORMERR (no EDNS, empty sections) when the query carries EDNS, and the entry's
    /// response otherwise: an old server that does not know EDNS (RFC 6891 §7).
    case formerrIfEDNS
    /// The transport fails to send or the connection breaks: `.networkError(reason)`.
    case networkError(String)

    /// The `.rpl` spelling (`ACTION` line).
    package var description: String {
        switch self {
        case .reply: "reply"
        case .silence: "silence"
        case .truncate: "truncate"
        case .spoof: "spoof"
        case .garbageThenReply(let count): "garbage \(count)"
        case .formerrIfEDNS: "formerr-if-edns"
        case .networkError(let reason): "network-error \(reason)"
        }
    }
}
