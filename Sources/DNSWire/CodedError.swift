// Primary responsibilities: the one shape of every module's error — a code saying what went wrong
// and a reason for a person, equal by code — defined once, here, where every module can see it.

/// An error as every Mamori module throws it: a ``code`` (an enum of what went wrong, for matching)
/// and a ``reason`` (text for a person).
///
/// Errors are equal, and hash, by code alone, so a caller or a test asks "was this a pointer loop?"
/// without matching the text, which stays free to name the value, file or line involved. A module
/// has at most one public error type: ``SimpleError`` over its own code enum when the error is
/// only a code and a reason, or a struct of its own conforming to this protocol when it also
/// carries a place (``DNSWireError``'s offset, a file and line).
public protocol CodedError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    associatedtype Code: Hashable, Sendable
    /// What went wrong, for matching.
    var code: Code { get }
    /// What went wrong, for a person.
    var reason: String { get }
}

extension CodedError {
    /// Errors are equal when their codes are; the reason is commentary.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The reason, unless the error says more (a place, the code).
    public var description: String { reason }
}

/// An error that is its code and its reason and nothing more: a module's error is a type alias of
/// this over the module's code enum (`ServiceError` is `SimpleError<ServiceErrorCode>`).
public struct SimpleError<Code: Hashable & Sendable>: CodedError {
    /// What went wrong, for matching.
    public let code: Code
    /// What went wrong, for a person.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
