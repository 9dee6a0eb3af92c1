// Primary responsibilities: what an RRSIG's Labels field reveals about a wildcard expansion, surfaced so the
// caller can demand the denial proof that the expansion was legitimate (RFC 4035 §5.3.4).

public import DNSWire

/// An answer synthesised from a wildcard (RFC 4592 §3.3.1), as its RRSIG Labels field shows (RFC 4035 §5.3.2).
///
/// The signature only proves that the wildcard owner signed the data; that no closer name exists must be
/// proven separately with NSEC (``NSECDenial/proveWildcardAnswer(qname:expansion:zone:nsecs:)``) or NSEC3
/// (``NSEC3Denial/proveWildcardAnswer(qname:expansion:zone:nsec3s:limits:budget:)``), RFC 4035 §5.3.4 and
/// RFC 5155 §8.8.
public struct WildcardExpansion: Hashable, Sendable {
    /// The name the data was synthesised for (the RRset owner, normally the QNAME).
    public let owner: DomainName
    /// The closest encloser: the rightmost Labels labels of the owner (RFC 4592 §3.3.1, RFC 5155 §1.3).
    public let closestEncloser: DomainName
    /// The wildcard that was expanded, `*.` + closest encloser (the "source of synthesis").
    public let wildcard: DomainName
    /// The next closer name: the closest encloser plus one more label of the owner (RFC 5155 §1.3).
    public let nextCloser: DomainName

    /// Derives the expansion from an owner and an RRSIG Labels value smaller than its label count.
    ///
    /// - Returns: `nil` when `labels` does not indicate an expansion (not smaller than the owner's labels,
    ///   leading `*` excluded) or the wildcard name would be too long.
    public init?(owner: DomainName, labels: Int) {
        let ownerLabels = owner.rrsigLabelCount
        guard labels >= 0, labels < ownerLabels, labels < owner.labelCount else { return nil }
        let encloser = owner.suffix(labelCount: labels)
        guard let wildcard = try? encloser.prepending(label: [0x2A]) else { return nil }
        self.owner = owner
        self.closestEncloser = encloser
        self.wildcard = wildcard
        self.nextCloser = owner.suffix(labelCount: labels + 1)
    }
}
