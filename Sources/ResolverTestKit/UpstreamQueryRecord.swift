// Primary responsibilities: the record of one query a scripted network received — when, where,
// how, what was asked with which flags — and what came of it, for assertions on the number and
// sequence of upstream queries.

public import DNSWire
public import Resolver

/// One upstream query as the scripted network saw it.
public struct UpstreamQueryRecord: Hashable, Sendable, CustomStringConvertible {
    /// What the transport returned for the query.
    public enum Outcome: Hashable, Sendable, CustomStringConvertible {
        /// A response with this RCODE, TC bit as given.
        case response(RCode, truncated: Bool)
        /// `.timeout`.
        case timeout
        /// `.mismatch`.
        case mismatch
        /// `.networkError(reason)`.
        case networkError(String)

        /// `NOERROR`, `NOERROR tc`, `timeout`, `mismatch`, `network-error: reason`.
        public var description: String {
            switch self {
            case .response(let rcode, let truncated): truncated ? "\(rcode) tc" : "\(rcode)"
            case .timeout: "timeout"
            case .mismatch: "mismatch"
            case .networkError(let reason): "network-error: \(reason)"
            }
        }
    }

    /// The 0-based position among all queries the network received.
    public var index: Int
    /// The scenario step current when the query was sent.
    public var step: Int
    /// The monotonic time when the query was sent.
    public var time: Duration
    /// The server queried.
    public var server: ServerAddress
    /// UDP or TCP.
    public var transport: DNSTransport
    /// The question as sent (0x20 case preserved), or nil for a query without one.
    public var question: Question?
    /// The OPCODE.
    public var opcode: Opcode
    /// RD.
    public var recursionDesired: Bool
    /// CD.
    public var checkingDisabled: Bool
    /// The EDNS data the query carried, or nil.
    public var edns: EDNS?
    /// The timeout the engine gave.
    public var timeout: Duration
    /// The entry that handled the query, or nil when none matched (or no server was there).
    public var entry: EntryID?
    /// Whether a scripted server exists at the address at all.
    public var serverExists: Bool
    /// Malformed datagrams sent before the answer (``EntryAction/garbageThenReply(count:)``).
    public var ignoredDatagrams: Int
    /// What the transport returned.
    public var outcome: Outcome

    /// Whether the query carried EDNS.
    public var hasEDNS: Bool { edns != nil }
    /// Whether the query had DO set.
    public var dnssecOK: Bool { edns?.dnssecOK ?? false }
    /// Whether the query carried a COOKIE option.
    public var hasCookie: Bool { edns?.cookie != nil }

    /// One line: `#3 step 1 +0.000s 192.0.2.1 udp www.example.com. A rd edns do -> NOERROR (entry #2)`.
    public var description: String {
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
