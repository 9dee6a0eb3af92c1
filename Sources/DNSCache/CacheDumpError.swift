// Primary responsibilities: say why a cache dump could not be read back, without ever trapping on
// a damaged file.

/// Why a dump could not be loaded. A load that throws has changed nothing. (The file itself is
/// the service's: MamoriService's AtomicFile reads and writes it.)
public struct CacheDumpError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Hashable, Sendable {
        /// The file does not start with the dump magic: not a Mamori cache dump.
        case notADump
        /// A dump of a format version this build does not read.
        case unsupportedVersion
        /// The file ends early or its checksum or structure is wrong.
        case corrupt
    }

    /// The kind of failure.
    public var kind: Kind
    /// The version for ``Kind/unsupportedVersion``, else 0.
    public var code: Int
    /// What went wrong, for the operator.
    public var detail: String

    /// Creates an error.
    public init(_ kind: Kind, code: Int = 0, _ detail: String) {
        self.kind = kind
        self.code = code
        self.detail = detail
    }

    /// The detail, as logs print it.
    public var description: String { detail }
}
