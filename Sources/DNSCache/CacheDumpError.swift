// Primary responsibilities: DNSCache's one error shape — why a cache dump could not be read back,
// without ever trapping on a damaged file.

/// Why a dump could not be loaded. A load that throws has changed nothing. (The file itself is
/// the service's: MamoriService's AtomicFile reads and writes it.)
///
/// Errors compare by ``code`` only, so callers can match on the kind of failure while the ``reason``
/// stays free-form text for the operator.
public struct CacheDumpError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Hashable, Sendable {
        /// The file does not start with the dump magic: not a Mamori cache dump.
        case notADump
        /// A dump of a format version this build does not read.
        case unsupportedVersion
        /// The file ends early or its checksum or structure is wrong.
        case corrupt
    }

    /// What went wrong, for matching.
    public let code: Code
    /// What went wrong, for the operator (the version read, the entry that failed, …).
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Errors are equal when their codes are; the reason is commentary.
    public static func == (lhs: CacheDumpError, rhs: CacheDumpError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The reason, as logs print it.
    public var description: String { reason }
}
