// Primary responsibilities: one line of a `CHECK_UPSTREAM_SEQUENCE` step — the server, name, type and
// optionally transport, EDNS presence, DO and a DNS cookie an upstream query must have — and the check
// of a record.

import DNSWire
import Resolver

/// An upstream query a scenario expects, in order:
/// `server qname qtype [tcp|udp] [edns|noedns] [do|nodo] [cookie|nocookie] [rd|nord]`.
package struct ExpectedUpstreamQuery: Hashable, Sendable, CustomStringConvertible {
    /// The server, or nil for any (`*`).
    package var server: ServerAddress?
    /// The query name, compared case-insensitively (0x20 mixing does not matter).
    package var name: DomainName
    /// The query type.
    package var type: RRType
    /// The transport, or nil for either.
    package var transport: DNSTransport?
    /// EDNS presence, or nil for either.
    package var hasEDNS: Bool?
    /// The DO bit, or nil for either.
    package var dnssecOK: Bool?
    /// Whether the query carries a COOKIE option, or nil for either.
    package var hasCookie: Bool?
    /// The RD bit, or nil for either: RD=1 goes to forwarders only, RD=0 to authorities and stub
    /// zones' servers (RFC 1035 §4.3.1).
    package var recursionDesired: Bool?
    /// The 1-based line in the scenario file, 0 when built in code.
    package var line: Int

    /// Creates an expectation.
    /// - Parameters:
    ///   - server: the server, or nil for any.
    ///   - name: the query name.
    ///   - type: the query type.
    ///   - transport: the transport, or nil for either.
    ///   - hasEDNS: EDNS presence, or nil.
    ///   - dnssecOK: DO, or nil.
    ///   - line: the scenario line.
    package init(
        server: ServerAddress?, name: DomainName, type: RRType, transport: DNSTransport? = nil,
        hasEDNS: Bool? = nil, dnssecOK: Bool? = nil, line: Int = 0
    ) {
        self.server = server
        self.name = name
        self.type = type
        self.transport = transport
        self.hasEDNS = hasEDNS
        self.dnssecOK = dnssecOK
        self.line = line
    }

    /// Whether a recorded query is the one expected.
    /// - Parameter record: the recorded query.
    /// - Returns: true when every given field agrees.
    package func matches(_ record: UpstreamQueryRecord) -> Bool {
        if let server, server != record.server { return false }
        guard let question = record.question, question.name == name, question.type == type else { return false }
        if let transport, transport != record.transport { return false }
        if let hasEDNS, hasEDNS != record.hasEDNS { return false }
        if let dnssecOK, dnssecOK != record.dnssecOK { return false }
        if let hasCookie, hasCookie != record.hasCookie { return false }
        if let recursionDesired, recursionDesired != record.recursionDesired { return false }
        return true
    }

    /// The line as it would be written.
    package var description: String {
        var text = "\(server.map { "\($0)" } ?? "*") \(name) \(type)"
        if let transport { text += " \(transport)" }
        if let hasEDNS { text += hasEDNS ? " edns" : " noedns" }
        if let dnssecOK { text += dnssecOK ? " do" : " nodo" }
        if let hasCookie { text += hasCookie ? " cookie" : " nocookie" }
        if let recursionDesired { text += recursionDesired ? " rd" : " nord" }
        return text
    }
}
