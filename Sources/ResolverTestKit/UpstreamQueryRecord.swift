// Primary responsibilities: the record of one query a scripted network received — when, where,
// how, what was asked with which flags — and what came of it, for assertions on the number and
// sequence of upstream queries.

import DNSWire
import Resolver

/// One upstream query as the scripted network saw it.
package struct UpstreamQueryRecord: Hashable, Sendable, CustomStringConvertible {
    /// What the transport returned for the query.
    package enum Outcome: Hashable, Sendable, CustomStringConvertible {
        /// A response with this RCODE, TC bit as given.
        case response(RCode, truncated: Bool)
        /// `.timeout`.
        case timeout
        /// `.mismatch`.
        case mismatch
        /// `.networkError(reason)`.
        case networkError(String)

        /// `NOERROR`, `NOERROR tc`, `timeout`, `mismatch`, `network-error: reason`.
        package var description: String {
            switch self {
            case .response(let rcode, let truncated): truncated ? "\(rcode) tc" : "\(rcode)"
            case .timeout: "timeout"
            case .mismatch: "mismatch"
            case .networkError(let reason): "network-error: \(reason)"
            }
        }
    }

    /// The 0-based position among all queries the network received.
    package var index: Int
    /// The scenario step current when the query was sent.
    package var step: Int
    /// The monotonic time when the query was sent.
    package var time: Duration
    /// The server queried.
    package var server: ServerAddress
    /// UDP or TCP.
    package var transport: DNSTransport
    /// The question as sent (0x20 case preserved), or nil for a query without one.
    package var question: Question?
    /// The OPCODE.
    package var opcode: Opcode
    /// RD.
    package var recursionDesired: Bool
    /// CD.
    package var checkingDisabled: Bool
    /// The EDNS data the query carried, or nil.
    package var edns: EDNS?
    /// The timeout the engine gave.
    package var timeout: Duration
    /// The entry that handled the query, or nil when none matched (or no server was there).
    package var entry: EntryID?
    /// Whether a scripted server exists at the address at all.
    package var serverExists: Bool
    /// Malformed datagrams sent before the answer (``EntryAction/garbageThenReply(count:)``).
    package var ignoredDatagrams: Int
    /// What the transport returned.
    package var outcome: Outcome

    /// Whether the query carried EDNS.
    package var hasEDNS: Bool { edns != nil }
    /// Whether the query had DO set.
    package var dnssecOK: Bool { edns?.dnssecOK ?? false }
    /// Whether the query carried a COOKIE option.
    package var hasCookie: Bool { edns?.cookie != nil }

    /// One line: `#3 step 1 +0.000s 192.0.2.1 udp www.example.com. A rd edns do -> NOERROR (entry #2)`.
    package var description: String {
        let seconds = Double(time.components.seconds) + Double(time.components.attoseconds) / 1e18
        var text = "#\(index) step \(step) +\(formatSeconds(seconds))s \(server) \(transport) "
        if let question { text += "\(question.name) \(question.type)" } else { text += "(no question)" }
        if opcode != .query { text += " opcode=\(opcode)" }
        if recursionDesired { text += " rd" }
        if checkingDisabled { text += " cd" }
        if let edns { text += edns.dnssecOK ? " edns do" : " edns" }
        if let cookie = edns?.cookie { text += cookie.server.isEmpty ? " cookie" : " cookie+server" }
        text += " -> \(outcome)"
        if let entry {
            text += " (\(entry))"
        } else if serverExists {
            text += " (unmatched)"
        } else {
            text += " (no server)"
        }
        return text
    }

    /// Seconds with three decimals, without Foundation.
    /// - Parameter seconds: a non-negative number of seconds.
    /// - Returns: e.g. `1.500`.
    private func formatSeconds(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
