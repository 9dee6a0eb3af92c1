// Primary responsibilities: the `dnssec` section — validation switch, trust anchors inline and
// in files, RFC 5011 updates, negative trust anchors, the NSEC3 iteration cap, the bogus TTL,
// aggressive use of NSEC/NSEC3 (RFC 8198).

import DNSCache
import DNSSEC
import DNSWire
import Resolver

/// DNSSEC validation settings (`dnssec`).
package struct DNSSECSection: Hashable, Sendable {
    /// Whether answers are validated (`validation`).
    package var validation: Bool
    /// Inline zone-file DS or DNSKEY lines, any owner (`trust-anchors`); kept as text, the
    /// resolver parses them. Non-empty (or non-empty `trustAnchorFiles`) replaces the built-in
    /// root anchors.
    package var trustAnchors: [String]
    /// Files of such lines, absolute paths (`trust-anchor-files`).
    package var trustAnchorFiles: [String]
    /// RFC 5011 automated updates (`trust-anchor-updates`).
    package var trustAnchorUpdates: TrustAnchorUpdatePolicy
    /// Names below which answers are treated as insecure (RFC 7646) (`negative-trust-anchors`).
    package var negativeTrustAnchors: [DomainName]
    /// NSEC3 iterations above which a zone is treated as insecure, EDE 27 (RFC 9276 §3.2)
    /// (`nsec3-max-iterations`).
    package var nsec3MaxIterations: Int
    /// How long a bogus result is cached, in seconds (`bogus-ttl`; Unbound's `val-bogus-ttl` 60).
    package var bogusTTL: UInt32
    /// Whether denials are synthesised from cached, validated NSEC/NSEC3 records (RFC 8198)
    /// (`aggressive-nsec`, Unbound's name; default the engine's, on).
    package var aggressiveNSEC: Bool

    /// The defaults. Validation is on (the engine's ``ValidationSettings`` default is off, for
    /// harnesses); the NSEC3 cap and the bogus TTL are the engine's (``ValidationLimits``,
    /// ``DNSCache/CacheConfiguration``), so that a default is written once, where it acts.
    package init() {
        validation = true
        trustAnchors = []
        trustAnchorFiles = []
        trustAnchorUpdates = .auto
        negativeTrustAnchors = []
        nsec3MaxIterations = Int(ValidationLimits().maxNSEC3Iterations)
        bogusTTL = DNSCache.CacheConfiguration().bogusTTL
        aggressiveNSEC = ValidationSettings().aggressiveNSEC
    }

    /// True when the operator replaced the built-in root anchors.
    package var replacesBuiltInAnchors: Bool { !trustAnchors.isEmpty || !trustAnchorFiles.isEmpty }
}

extension Configuration {
    /// The negative trust anchors the configuration sets (RFC 7646 §2): `dnssec.negative-trust-anchors`
    /// and every stub zone with `insecure: true`, each name once.
    package var negativeTrustAnchors: [DomainName] {
        var names = dnssec.negativeTrustAnchors
        for stub in resolution.stubZones where stub.insecure && !names.contains(stub.zone) { names.append(stub.zone) }
        return names
    }
}
