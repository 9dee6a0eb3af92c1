// Primary responsibilities: what a successful denial-of-existence proof established, for NSEC and NSEC3 alike.

public import DNSWire

/// A proven denial of existence (RFC 4035 §5.4, RFC 5155 §8).
public struct DenialProof: Hashable, Sendable {
    /// What was proven.
    public enum Kind: Hashable, Sendable {
        /// The name does not exist and no wildcard could have matched it: NXDOMAIN (RFC 4035 §3.1.3.2,
        /// RFC 5155 §8.4).
        case nameError
        /// The name exists without the type (RFC 4035 §3.1.3.1, RFC 5155 §8.5, §8.6).
        case noData
        /// The name is an empty non-terminal: it exists (it has descendants) and owns no data, so no type exists
        /// there (RFC 4035 §3.1.3.2 with RFC 4592 §2.2.2; RFC 5155 §7.2.3).
        case emptyNonTerminal
        /// The name does not exist and the wildcard that would match it lacks the type (RFC 4035 §3.1.3.4,
        /// RFC 5155 §8.7).
        case wildcardNoData
        /// A wildcard answer was legitimate: no closer match exists (RFC 4035 §5.3.4, RFC 5155 §8.8).
        case wildcardAnswer
        /// A delegation exists without DS: the child zone is unsigned (RFC 4035 §5.2, RFC 5155 §8.9).
        case insecureDelegation
    }

    /// What was proven.
    public let kind: Kind
    /// The closest encloser, when the proof established one (NXDOMAIN and wildcard proofs).
    public let closestEncloser: DomainName?

    /// Creates a proof result.
    public init(kind: Kind, closestEncloser: DomainName? = nil) {
        self.kind = kind
        self.closestEncloser = closestEncloser
    }
}
