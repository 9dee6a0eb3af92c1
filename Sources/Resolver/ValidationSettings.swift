// Primary responsibilities: what the operator decides about DNSSEC validation, as the engine sees
// it — on or off, where the chains of trust start (the trust-anchor store, negative trust anchors
// included), the validator's work limits and which algorithms count as supported.

import DNSSEC
import DNSWire

/// The validation settings of one engine (the daemon maps the `dnssec:` section onto this).
///
/// Off by default so that an engine built without anchors behaves as a plain iterative resolver;
/// the daemon switches it on with the built-in root anchors unless told otherwise (architecture §6).
package struct ValidationSettings: Hashable, Sendable {
    /// Whether answers are validated at all. Off: no DNSKEY or DS is fetched, data stays
    /// `unchecked`, and AD is never set (RFC 4035 §3.2.3 lets only a validating resolver set it).
    package var enabled: Bool
    /// Trust anchors and negative trust anchors (RFC 4035 §4.4, RFC 7646). A name with no anchor at
    /// or above it is insecure: nothing can prove it (RFC 4035 §4.3).
    package var anchors: TrustAnchorStore
    /// Work limits and policies (KeyTrap, RFC 9276 NSEC3 iterations, clock skew).
    package var limits: ValidationLimits
    /// The algorithms and digests treated as supported; the rest make zones insecure (RFC 6840 §5.2).
    package var support: AlgorithmSupport
    /// Whether denials are synthesised from cached, validated NSEC/NSEC3 records without asking
    /// (RFC 8198, `dnssec.aggressive-nsec`; on by default as in Unbound ≥ 1.20 and Knot Resolver).
    package var aggressiveNSEC: Bool

    /// Creates settings; validation is off unless `enabled`.
    package init(
        enabled: Bool = false, anchors: TrustAnchorStore = TrustAnchorStore(anchors: []),
        limits: ValidationLimits = .default, support: AlgorithmSupport = .system, aggressiveNSEC: Bool = true
    ) {
        self.aggressiveNSEC = aggressiveNSEC
        self.enabled = enabled
        self.anchors = anchors
        self.limits = limits
        self.support = support
    }

    /// Equal when the same store (by identity) and equal settings: the store is a shared, mutable
    /// object (run-time NTAs), so two engines share anchors only when they share the store.
    package static func == (lhs: ValidationSettings, rhs: ValidationSettings) -> Bool {
        lhs.enabled == rhs.enabled && lhs.anchors === rhs.anchors && lhs.limits == rhs.limits
            && lhs.support == rhs.support && lhs.aggressiveNSEC == rhs.aggressiveNSEC
    }

    /// Hashes the same fields as ``==(_:_:)``, the store by identity.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(enabled)
        hasher.combine(ObjectIdentifier(anchors))
        hasher.combine(limits)
        hasher.combine(support)
        hasher.combine(aggressiveNSEC)
    }
}
