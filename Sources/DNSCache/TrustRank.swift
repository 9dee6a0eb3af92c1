// Primary responsibilities: the RFC 2181 §5.4.1 credibility of cached data as an ordered value, so
// the replacement rule ("never let worse data push out better data still fresh") is one comparison.

/// How credible a cached RRset's source is, ordered from least to most trusted.
///
/// RFC 2181 §5.4.1 ranks data by where it came from: additional-section data and glue below
/// authority-section data, below answer-section data, and non-authoritative (AA=0) below
/// authoritative (AA=1) within each section. DNSSEC adds a rank above all of them: an RRset whose
/// signatures validated from a trust anchor (RFC 4035 §4.3) is trusted more than any unsigned copy.
/// The order follows unbound's `rrset_trust` (`util/data/packed_rrset.h`), trimmed to the ranks a
/// resolver actually assigns.
///
/// Parent-side and child-side NS sets: the resolver decides, and the rule stays this one. A
/// referral's NS set (authority section, AA=0) ranks ``authorityNonAuthoritative``; the child's own
/// NS set from an authoritative answer ranks ``answerAuthoritative`` and so replaces it, while a
/// later referral never pushes the child's set out while it is fresh.
public enum TrustRank: UInt8, Comparable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Additional-section data and glue addresses (RFC 2181 §5.4.1, last in the list): only ever
    /// used to reach a server, never served to a client as an answer.
    case additional = 1
    /// Authority-section data from a non-authoritative response, such as a referral's NS set.
    case authorityNonAuthoritative = 2
    /// Answer-section data from a non-authoritative response (AA=0), e.g. from a forwarder.
    case answerNonAuthoritative = 3
    /// Authority-section data from an authoritative response (AA=1), e.g. the SOA of a negative answer.
    case authorityAuthoritative = 4
    /// Answer-section data from an authoritative response (AA=1), the best unsigned source.
    case answerAuthoritative = 5
    /// Data whose signatures validated along a chain of trust (RFC 4035 §5): beats any unsigned copy.
    case validated = 6

    /// Orders ranks by trust.
    @inlinable
    public static func < (lhs: TrustRank, rhs: TrustRank) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A short name for logs and dumps.
    public var description: String {
        switch self {
        case .additional: "additional"
        case .authorityNonAuthoritative: "authority"
        case .answerNonAuthoritative: "answer"
        case .authorityAuthoritative: "authority-aa"
        case .answerAuthoritative: "answer-aa"
        case .validated: "validated"
        }
    }
}
