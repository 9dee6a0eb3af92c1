// Primary responsibilities: the names between a zone and a name below it, top-down — the walk
// both the forwarder's cut search and `mamorictl lookup`'s chain of trust make from an anchor.

import DNSWire

extension DomainName {
    /// Most names ``names(below:)`` returns: a name has at most 127 labels (RFC 1035 §3.1, 255
    /// octets), so no walk from an ancestor can be longer.
    static let maxPathLength = 127

    /// The names strictly below `ancestor` down to this name, top-down (`b.a.`, then `c.b.a.` for
    /// `c.b.a.` below `a.`); empty when this name is `ancestor` or not below it.
    func names(below ancestor: DomainName) -> [DomainName] {
        var path: [DomainName] = []
        var current: DomainName? = self
        while let name = current, name != ancestor, name.isSubdomain(of: ancestor), path.count < Self.maxPathLength {
            path.append(name)
            current = name.parent
        }
        return path.reversed()
    }
}
