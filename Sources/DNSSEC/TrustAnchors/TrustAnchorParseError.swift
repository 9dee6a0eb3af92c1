// Primary responsibilities: DNSSEC's one error shape — trust-anchor text and RFC 5011 state that
// cannot be used, with a code saying what went wrong and a reason naming the source (a file path or
// "dnssec.trust-anchors[2]") and the line, as operators fix configuration by line.

public import DNSWire

/// Why trust-anchor text or RFC 5011 state text was refused, and where. The only error DNSSEC throws:
/// validation never throws (a verdict is a ``ValidationOutcome``).
///
/// Anchors decide what the resolver trusts (RFC 4035 §4.4), so a line that cannot be read is an error that
/// stops the configuration, never a line silently skipped; the message says where to look.
///
/// Errors compare by ``code`` only (``CodedError``).
public struct TrustAnchorParseError: CodedError {
    /// What went wrong.
    public enum Code: Hashable, Sendable {
        /// Anchor text that is not zone-file syntax (RFC 1035 §5).
        case badAnchorText
        /// A record that cannot be an anchor: not class IN, or neither DS nor DNSKEY (RFC 4035 §4.4).
        case notAnAnchor
        /// A DS anchor whose digest length is wrong for its digest type (RFC 4034 §5.1.4, RFC 4509 §2.2,
        /// RFC 6605 §2): it could never match a key, and would leave the zone bogus (RFC 6840 §5.2).
        case badAnchorDigest
        /// RFC 5011 state text with a line that cannot be read.
        case badStateText
        /// RFC 5011 state text without its header line, or of a format version this build does not read.
        case unsupportedStateFormat
    }

    /// What went wrong, for matching.
    public let code: Code
    /// What was wrong, for a person.
    public let reason: String
    /// Where the text came from: a file path, or the configuration key and index for inline lines.
    public let source: String
    /// The 1-based line of the problem, when known.
    public let line: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, source: String, line: Int?) {
        self.code = code
        self.reason = reason
        self.source = source
        self.line = line
    }

    /// `source:line: reason`, the form compilers and editors jump to.
    public var description: String {
        if let line { return "\(source):\(line): \(reason)" }
        return "\(source): \(reason)"
    }
}
