// Primary responsibilities: the service's one error shape — the configuration names something the
// engine cannot use (a root hints or trust-anchor file that is missing or does not parse).

/// The engine cannot be built, or rebuilt at reload, from the configuration: the old one (if any)
/// stays in force, whole.
///
/// Errors compare by ``code`` only, so callers can match on the kind of failure while the ``reason``
/// stays the text the operator reads, naming the file or key.
public struct ServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Hashable, Sendable {
        /// A root hints or trust-anchor file that cannot be read (missing, unreadable, too large).
        case unreadableFile
        /// Root hints that do not parse or name no usable root server (RFC 8109 §3).
        case badRootHints
        /// Trust anchors, inline or in a file, that do not parse (RFC 4035 §4.4).
        case badTrustAnchors
    }

    /// What went wrong, for matching.
    public let code: Code
    /// What is wrong, naming the file or key, as the operator reads it.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Errors are equal when their codes are; the reason is commentary.
    public static func == (lhs: ServiceError, rhs: ServiceError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The reason.
    public var description: String { reason }
}
