// Primary responsibilities: the RFC 8020 policy — when an NXDOMAIN cached for a name also answers
// for the names below it.

/// When a cached NXDOMAIN for an ancestor denies a name below it (RFC 8020 §2: "there is nothing
/// below" a name that does not exist).
///
/// RFC 8020 §2 allows it for any NXDOMAIN but notes the risk of broken servers that answer
/// NXDOMAIN for empty non-terminals; Unbound's `harden-below-nxdomain` (default on) and PowerDNS'
/// `nothing-below-nxdomain dnssec` apply it only to DNSSEC-secure NXDOMAINs, where the proof makes
/// it safe. ``secureOnly`` is the default for the same reason.
public enum BelowNXDOMAIN: Hashable, Sendable {
    /// Only the exact name's NXDOMAIN answers.
    case never
    /// An ancestor's NXDOMAIN answers only when its status is secure.
    case secureOnly
    /// Any ancestor's NXDOMAIN answers (RFC 8020 at face value).
    case always
}
