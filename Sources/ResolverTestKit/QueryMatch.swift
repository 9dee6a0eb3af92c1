// Primary responsibilities: what an upstream query must look like for a scripted entry to answer
// it — name (exact or subdomain, case-insensitive), type, and optionally transport, opcode, the
// RD and CD header bits, EDNS presence, the DO bit and the DNS cookie.

import DNSWire
import Resolver

/// The conditions a query must meet for a ``ScriptedEntry`` to apply. A `nil` condition is not
/// checked.
package struct QueryMatch: Hashable, Sendable {
    /// How the query name is compared.
    package enum NamePattern: Hashable, Sendable {
        /// Any name.
        case any
        /// This name, compared case-insensitively (so 0x20-mixed queries match).
        case exact(DomainName)
        /// This name or any name below it (`.rpl` `MATCH subdomain`), as a referral-giving server does.
        case subdomain(of: DomainName)
    }

    /// The query name condition.
    package var name: NamePattern
    /// The query type, or nil for any type.
    package var type: RRType?
    /// The transport the query came over, or nil for either.
    package var transport: DNSTransport?
    /// The OPCODE, or nil for any.
    package var opcode: Opcode?
    /// Whether RD must be set (true) or clear (false).
    package var recursionDesired: Bool?
    /// Whether CD must be set (true) or clear (false).
    package var checkingDisabled: Bool?
    /// Whether the query must carry an OPT record (true) or none (false).
    package var hasEDNS: Bool?
    /// Whether DO must be set (true) or clear (false); a query without EDNS has DO clear.
    package var dnssecOK: Bool?
    /// What the query's COOKIE option must be, or nil for anything.
    package var cookie: CookieCondition?

    /// Creates a match with every condition given explicitly; the defaults match any query.
    /// - Parameters:
    ///   - name: the name condition.
    ///   - type: the type, or nil for any.
    ///   - transport: UDP or TCP only, or nil for either.
    ///   - opcode: the OPCODE, or nil for any.
    ///   - recursionDesired: the RD bit required, or nil.
    ///   - checkingDisabled: the CD bit required, or nil.
    ///   - hasEDNS: EDNS presence required, or nil.
    ///   - dnssecOK: the DO bit required, or nil.
    ///   - cookie: the COOKIE condition, or nil.
    package init(
        name: NamePattern = .any, type: RRType? = nil, transport: DNSTransport? = nil, opcode: Opcode? = nil,
        recursionDesired: Bool? = nil, checkingDisabled: Bool? = nil, hasEDNS: Bool? = nil, dnssecOK: Bool? = nil,
        cookie: CookieCondition? = nil
    ) {
        self.name = name
        self.type = type
        self.transport = transport
        self.opcode = opcode
        self.recursionDesired = recursionDesired
        self.checkingDisabled = checkingDisabled
        self.hasEDNS = hasEDNS
        self.dnssecOK = dnssecOK
        self.cookie = cookie
    }

    /// The usual match: this name exactly (case-insensitive) and this type, anything else allowed.
    /// - Parameters:
    ///   - name: the query name.
    ///   - type: the query type.
    /// - Returns: the match.
    package static func question(_ name: DomainName, _ type: RRType) -> QueryMatch {
        QueryMatch(name: .exact(name), type: type)
    }

    /// Whether `query`, arriving over `transport`, meets every condition.
    /// - Parameters:
    ///   - query: the query as the engine sent it.
    ///   - transport: how it travelled.
    /// - Returns: true when every non-nil condition holds; a query without a question matches only
    ///   an entry that checks neither name nor type.
    package func matches(_ query: Message, over transport: DNSTransport) -> Bool {
        if let wanted = self.transport, wanted != transport { return false }
        if let opcode, opcode != query.header.opcode { return false }
        if let recursionDesired, recursionDesired != query.header.recursionDesired { return false }
        if let checkingDisabled, checkingDisabled != query.header.checkingDisabled { return false }
        if let hasEDNS, hasEDNS != (query.edns != nil) { return false }
        if let dnssecOK, dnssecOK != (query.edns?.dnssecOK ?? false) { return false }
        if let cookie, !cookie.holds(for: query.edns) { return false }
        switch name {
        case .any:
            break
        case .exact(let wanted):
            guard let question = query.question, question.name == wanted else { return false }
        case .subdomain(let zone):
            guard let question = query.question, question.name.isSubdomain(of: zone) else { return false }
        }
        if let type {
            guard let question = query.question, question.type == type else { return false }
        }
        return true
    }
}
