/// An error met while decoding or encoding DNS wire data or presentation text.
///
/// Primary responsibilities: say what went wrong and where, cheaply. Errors are compared by
/// ``Code`` only, so tests can ask "was this a pointer loop?" without matching the message.
/// Untrusted input never traps in DNSWire: every failure becomes one of these.
public struct DNSWireError: CodedError {
    /// The kind of failure. Compared for equality; the reason and offset are diagnostics.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The private backing value; a struct over an enum so new codes are not breaking.
        private enum Backing: Hashable, Sendable {
            case truncated
            case labelTooLong
            case nameTooLong
            case badLabelType
            case badPointer
            case tooManyPointers
            case compressionNotAllowed
            case rdataLengthMismatch
            case badRData
            case badOPT
            case badText
            case tooLarge
        }

        /// The backing value.
        private let backing: Backing

        /// Fewer bytes were left than a field needs.
        public static let truncated = Code(backing: .truncated)
        /// A label was longer than 63 octets (RFC 1035 §2.3.4).
        public static let labelTooLong = Code(backing: .labelTooLong)
        /// A name was longer than 255 octets in wire form (RFC 1035 §2.3.4).
        public static let nameTooLong = Code(backing: .nameTooLong)
        /// A label type other than normal or pointer (0x40 and 0x80 are obsolete or reserved, RFC 6891 §5).
        public static let badLabelType = Code(backing: .badLabelType)
        /// A compression pointer that does not point backwards into the message (RFC 1035 §4.1.4).
        public static let badPointer = Code(backing: .badPointer)
        /// More compression pointers in one name than ``WireReader/maxPointerHops``.
        public static let tooManyPointers = Code(backing: .tooManyPointers)
        /// A compressed name inside RDATA of a type that must not be compressed (RFC 3597 §4).
        public static let compressionNotAllowed = Code(backing: .compressionNotAllowed)
        /// RDATA that did not end exactly at RDLENGTH.
        public static let rdataLengthMismatch = Code(backing: .rdataLengthMismatch)
        /// RDATA whose fields are inconsistent (wrong fixed length, bad bitmap, …).
        public static let badRData = Code(backing: .badRData)
        /// An OPT record in the wrong place, more than one, or not owned by the root (RFC 6891 §6.1.1).
        public static let badOPT = Code(backing: .badOPT)
        /// Presentation text that could not be parsed.
        public static let badText = Code(backing: .badText)
        /// Data that cannot be encoded (a name or RDATA over its wire limit).
        public static let tooLarge = Code(backing: .tooLarge)

        /// A short name for the code.
        public var description: String { "\(backing)" }
    }

    /// The kind of failure.
    public let code: Code
    /// What was wrong, for a person.
    public let reason: String
    /// Where in the input the failure was met (byte offset, or for text the 1-based line), if known.
    public let offset: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, offset: Int? = nil) {
        self.code = code
        self.reason = reason
        self.offset = offset
    }

    /// The reason with its offset.
    public var description: String {
        if let offset { return "\(reason) (at \(offset))" }
        return reason
    }
}
