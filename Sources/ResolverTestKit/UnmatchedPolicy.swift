// Primary responsibilities: what a scripted server does with a query none of its active entries
// matches.

import DNSWire

/// The behaviour of a scripted server for a query that no active entry matches.
///
/// The default is ``silence``: a scenario that forgot an entry then shows up as an upstream
/// timeout and as an entry in ``ScriptedNetwork/unmatchedQueries``, rather than as a plausible
/// answer the engine might act on; and an unscripted REFUSED would itself be behaviour the engine
/// reacts to (it marks the server lame). Choose ``rcode(_:)`` to script a server that refuses what
/// it does not serve.
package enum UnmatchedPolicy: Hashable, Sendable, CustomStringConvertible {
    /// No answer: `.timeout`, the clock moves by the query's timeout.
    case silence
    /// A bare reply with this RCODE (question copied, no records, no EDNS).
    case rcode(RCode)

    /// `silence` or the RCODE mnemonic, as written in `UNMATCHED` lines.
    package var description: String {
        switch self {
        case .silence: "silence"
        case .rcode(let rcode): rcode.description
        }
    }
}
