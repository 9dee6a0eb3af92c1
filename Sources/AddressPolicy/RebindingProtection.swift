// Primary responsibilities: DNS rebinding protection as a pure rule — which answers carry a
// non-public address for a name that may not have one, and the sentence that says so.

import DNSWire

/// Withholds answers in which a name outside the allowed domains resolves to a non-public address
/// (``NonPublicRange/rebinding``), as Unbound's `private-address` with `private-domain` does.
///
/// The check applies to the answer's A and AAAA records — the final data of a CNAME chain, and any
/// other address record the answer section holds. An answer may carry them only when the query name
/// **and** the owner of every such record lie at or below an allowed domain: a CNAME from a public
/// name into an allowed one (`evil.example. CNAME printer.lan.`) is the attack itself, since the
/// browser's origin is the public name, so matching the owner alone would let it through.
public struct RebindingProtection: Hashable, Sendable {
    /// Domains whose names (and everything below them) may resolve to non-public addresses.
    public var allowed: [DomainName]

    /// Creates the rule.
    public init(allowed: [DomainName]) { self.allowed = allowed }

    /// One address that made an answer withheld.
    public struct Finding: Hashable, Sendable, CustomStringConvertible {
        /// The query name.
        public var question: DomainName
        /// The owner of the record.
        public var owner: DomainName
        /// The address.
        public var address: IPAddress
        /// The range it falls in.
        public var range: NonPublicRange

        /// The client's EDE text: `answer for x.example. contained 192.168.1.5 (RFC 1918), withheld
        /// by rebinding protection`, naming the owner when a CNAME led there.
        public var description: String {
            let via = owner == question ? "" : " (at \(owner))"
            return "answer for \(question) contained \(address)\(via) (\(range.rule)), withheld by rebinding protection"
        }
    }

    /// Whether `name` is at or below an allowed domain.
    public func allows(_ name: DomainName) -> Bool { allowed.contains { name.isSubdomain(of: $0) } }

    /// The first non-public address in `answer` that `question` may not have, or nil when the
    /// answer may pass as it is.
    public func finding(in answer: [RRSet], for question: DomainName) -> Finding? {
        let questionAllowed = allows(question)
        for rrset in answer where rrset.type == .a || rrset.type == .aaaa {
            if questionAllowed && allows(rrset.name) { continue }
            for rdata in rrset.rdatas {
                let address: IPAddress
                switch rdata {
                case .a(let a): address = IPAddress(a)
                case .aaaa(let aaaa): address = IPAddress(aaaa)
                default: continue
                }
                if let range = NonPublicRange.rule(for: address) {
                    return Finding(question: question, owner: rrset.name, address: address, range: range)
                }
            }
        }
        return nil
    }
}
