// Primary responsibilities: the shape every validation function returns — secure with what was proven,
// insecure (with a reason when a client should hear one), or bogus with a reason — instead of throwing.

/// The verdict of one validation step (RFC 4035 §4.3), carrying the proven value when secure.
///
/// Failure is a result, not an error (style §3.5): a bogus outcome always carries a ``ValidationReason`` with an
/// RFC 8914 code and a site tag, and an insecure one carries a reason when the client should be told why
/// (EDE 1, 2 or 27); a plain unsigned delegation or opt-out span is insecure without one. The reason's own
/// ``ValidationReason/status`` is the outcome's, so it says the same wherever it travels without the outcome.
public enum ValidationOutcome<Value: Sendable>: Sendable {
    /// Proven by a chain of trust; the value says what was proven.
    case secure(Value)
    /// Provably outside any chain of trust (RFC 4035 §4.3), with the reason a client should hear, if any.
    case insecure(ValidationReason?)
    /// The chain of trust exists and the data fails it.
    case bogus(ValidationReason)

    /// The status this outcome gives the data.
    public var status: SecurityStatus {
        switch self {
        case .secure: .secure
        case .insecure: .insecure
        case .bogus: .bogus
        }
    }

    /// The proven value, when secure.
    public var value: Value? {
        if case .secure(let value) = self { return value }
        return nil
    }

    /// The reason, when bogus or insecure with one.
    public var reason: ValidationReason? {
        switch self {
        case .secure: nil
        case .insecure(let reason): reason
        case .bogus(let reason): reason
        }
    }

    /// The same verdict with the secure value transformed.
    public func map<Other: Sendable>(_ transform: (Value) -> Other) -> ValidationOutcome<Other> {
        switch self {
        case .secure(let value): .secure(transform(value))
        case .insecure(let reason): .insecure(reason)
        case .bogus(let reason): .bogus(reason)
        }
    }
}
