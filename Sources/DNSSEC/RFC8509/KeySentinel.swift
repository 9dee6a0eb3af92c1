// Primary responsibilities: the RFC 8509 root key trust anchor sentinel — reading a sentinel label
// from a query name, and deciding from the resolver's root trust anchors whether the answer is kept.

public import DNSWire

/// A question that asks which root trust anchors the resolver holds (RFC 8509 §3): its leftmost
/// label is `root-key-sentinel-is-ta-<key-tag>` or `root-key-sentinel-not-ta-<key-tag>`, the key tag
/// in five decimal digits, zero-filled (RFC 8509 §2).
///
/// An operator measuring a root key roll puts A and AAAA records at such names in a signed zone;
/// a validating resolver answers a secure response to one of them normally or with SERVFAIL,
/// depending on whether it trusts that key (§3.2), so a page can tell what its users' resolvers hold.
public struct KeySentinel: Hashable, Sendable, CustomStringConvertible {
    /// Which question the label asks.
    public enum Kind: Hashable, Sendable {
        /// `root-key-sentinel-is-ta-`: "is this key tag one of your root trust anchors?"
        case isTrustAnchor
        /// `root-key-sentinel-not-ta-`: "is this key tag none of your root trust anchors?"
        case notTrustAnchor
    }

    /// The question.
    public var kind: Kind
    /// The key tag named (RFC 4034 Appendix B).
    public var keyTag: UInt16

    /// The label prefixes (RFC 8509 §2), compared without regard to case as DNS labels are.
    static let isPrefix = Array("root-key-sentinel-is-ta-".utf8)
    static let notPrefix = Array("root-key-sentinel-not-ta-".utf8)
    /// The key tag's digits in the label: exactly five, zero-filled (RFC 8509 §2).
    static let keyTagDigits = 5

    /// Creates a sentinel.
    public init(kind: Kind, keyTag: UInt16) {
        self.kind = kind
        self.keyTag = keyTag
    }

    /// The sentinel named by the leftmost label of `name`, or nil when that label is none: a
    /// prefix in any case followed by exactly five decimal digits no greater than 65535.
    public init?(name: DomainName) {
        guard let label = name.labels.first else { return nil }
        let lowered = label.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let kind: Kind
        let digits: ArraySlice<UInt8>
        if lowered.starts(with: Self.isPrefix) {
            (kind, digits) = (.isTrustAnchor, lowered.dropFirst(Self.isPrefix.count))
        } else if lowered.starts(with: Self.notPrefix) {
            (kind, digits) = (.notTrustAnchor, lowered.dropFirst(Self.notPrefix.count))
        } else {
            return nil
        }
        guard digits.count == Self.keyTagDigits, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard let keyTag = UInt16(exactly: value) else { return nil }
        self.init(kind: kind, keyTag: keyTag)
    }

    /// Whether a secure answer to this question becomes SERVFAIL (RFC 8509 §3.2): an is-ta
    /// question whose key tag is not among `rootKeyTags`, a not-ta question whose key tag is.
    /// - Parameter rootKeyTags: the key tags of the root trust anchors in force — the configured
    ///   ones, or for a root kept by RFC 5011 its trusted keys (not AddPend, not Revoked, §3.2).
    public func refuses(rootKeyTags: Set<UInt16>) -> Bool {
        switch kind {
        case .isTrustAnchor: !rootKeyTags.contains(keyTag)
        case .notTrustAnchor: rootKeyTags.contains(keyTag)
        }
    }

    /// The label as RFC 8509 §2 spells it.
    public var description: String {
        let tag = String(keyTag)
        let prefix = String(decoding: kind == .isTrustAnchor ? Self.isPrefix : Self.notPrefix, as: UTF8.self)
        return prefix + String(repeating: "0", count: Self.keyTagDigits - tag.count) + tag
    }
}

extension TrustAnchor {
    /// The key tags of the anchor's keys (RFC 4034 Appendix B): each DS record's tag and each
    /// DNSKEY record's computed one.
    public var keyTags: Set<UInt16> { Set(ds.map(\.keyTag) + dnskeys.map(\.keyTag)) }
}
