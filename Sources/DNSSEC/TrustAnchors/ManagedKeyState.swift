// Primary responsibilities: the states a key of an RFC 5011 managed zone passes through (RFC 5011 §4) and
// which of them make the key a trust anchor.

/// The state of one key of a managed zone, as RFC 5011 §4 names them.
///
/// The raw values are the RFC's names and are what the state file stores, so a file stays readable next to
/// the RFC.
public enum ManagedKeyState: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Not known as a trust anchor (RFC 5011 §4 "Start"). Such keys are not stored: a pending key that
    /// disappears returns here by being forgotten.
    case start = "Start"
    /// Seen in a validated DNSKEY RRset, waiting for the add hold-down to pass (RFC 5011 §2.4.1, §4 "AddPend").
    case addPend = "AddPend"
    /// A trust anchor, present in the last validated DNSKEY RRset (RFC 5011 §4 "Valid").
    case valid = "Valid"
    /// A trust anchor absent from the last validated DNSKEY RRset; it stays trusted (RFC 5011 §4 "Missing").
    case missing = "Missing"
    /// Revoked by its own self-signed REVOKE bit; never trusted again (RFC 5011 §2.1, §4 "Revoked").
    case revoked = "Revoked"
    /// Revoked and past the remove hold-down; kept only so it is never re-added (RFC 5011 §2.4.2, §4 "Removed").
    case removed = "Removed"

    /// Whether a key in this state is a trust anchor: Valid and Missing keys are (RFC 5011 §4), pending,
    /// revoked and removed keys are not (RFC 5011 §2.1, §2.4.1).
    public var isTrusted: Bool { self == .valid || self == .missing }

    /// The RFC's name.
    public var description: String { rawValue }
}
