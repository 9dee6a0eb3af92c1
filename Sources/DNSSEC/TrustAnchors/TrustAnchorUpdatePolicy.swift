// Primary responsibilities: which anchors RFC 5011 keeps up to date (`dnssec.trust-anchor-updates`) and the
// choice of anchors the daemon starts with — configured ones, or the built-in root anchors when none is.

public import DNSWire

/// Which trust anchors are managed by RFC 5011 — the meaning of `dnssec.trust-anchor-updates`.
public enum TrustAnchorUpdatePolicy: String, Hashable, Sendable, CaseIterable {
    /// Only the built-in root anchors, and only when no anchor is configured (`auto`): an operator who wrote
    /// anchors chose them, and RFC 5011 §2 needs a trust point known to roll by RFC 5011, as the root does.
    case auto
    /// Every configured anchor (`true`): each zone is probed and rolled by RFC 5011.
    case all = "true"
    /// None (`false`): anchors are static and no RFC 5011 probe is ever sent.
    case none = "false"

    /// The owners to manage among `anchors`, given whether they are the built-in ones.
    public func managedZones(of anchors: [TrustAnchor], builtIn: Bool) -> Set<DomainName> {
        switch self {
        case .auto: builtIn ? Set(anchors.map(\.owner)) : []
        case .all: Set(anchors.map(\.owner))
        case .none: []
        }
    }
}

extension TrustAnchorStore {
    /// Builds the store the configuration describes: `configured` anchors (parsed from inline lines and
    /// files) replace ``builtInRoot`` when there are any (architecture.md §6), `policy` picks the RFC 5011
    /// managed zones, and `negativeAnchors` are the configured NTAs (RFC 7646 §2), without expiry.
    public convenience init(
        configured: [TrustAnchor], policy: TrustAnchorUpdatePolicy, negativeAnchors: [DomainName] = []
    ) {
        let builtIn = configured.isEmpty
        let anchors = builtIn ? Self.builtInRoot : configured
        self.init(
            anchors: anchors, negativeAnchors: negativeAnchors.map { NegativeTrustAnchor(name: $0) },
            managed: policy.managedZones(of: anchors, builtIn: builtIn))
    }
}
